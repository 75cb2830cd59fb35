import * as tf from './tf.js';
import { DENSE, DENSE_GRAD, type DenseAttrs } from './native-kernels.js';

type Activation = DenseAttrs['activation'];

/** Whether the active backend has the native dense kernels (the OpenBLAS addon is installed on it). */
function nativeDense(): boolean {
  return tf.getKernel(DENSE, tf.getBackend()) !== undefined;
}

/** DENSE's attributes as the forward pass records them for its gradient. */
interface DenseGradientAttrs extends DenseAttrs {
  /** Whether x might need a gradient (see mayNeedGradient); when false dx is computed only if asked. */
  readonly inputGradient: boolean;
}

function run(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, attrs: DenseGradientAttrs): tf.Tensor2D {
  return tf.engine().runKernel(DENSE, { x, w, b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

function backward(x: tf.Tensor, w: tf.Tensor, y: tf.Tensor, dy: tf.Tensor, activation: Activation, inputGradient: boolean): tf.Tensor[] {
  return tf.engine().runKernel(DENSE_GRAD, { x, w, y, dy }, { activation, inputGradient } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

interface TapeState {
  activeTape?: { outputs: tf.Tensor[] }[];
}

/**
 * Whether a gradient can flow into x: x is a trainable variable, or an op of the gradient being
 * taped produced it. A tensor from outside (the input batch, uploaded before the step) needs none,
 * unless a caller differentiates with respect to it (tf.grad(f)(x)): the gradient then computes dx
 * on demand, so this only decides what is computed ahead, never what comes out.
 */
function mayNeedGradient(x: tf.Tensor): boolean {
  if (x instanceof tf.Variable) return x.trainable;
  const tape = (tf.engine().state as unknown as TapeState).activeTape ?? [];
  for (let i = tape.length - 1; i >= 0; i--) if (tape[i].outputs.some((o) => o.id === x.id)) return true;
  return false;
}

/**
 * DENSE's gradient: dW, db and, when x may need one, dx from one native call made here (outside the
 * per-input scopes, so what no input asks for is freed with the backward pass). The first layer's
 * input is data: skipping its dx saves a third of that layer's backward products.
 */
tf.registerGradient({
  kernelName: DENSE,
  inputsToSave: ['x', 'w'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, w, y] = saved;
    const { activation, inputGradient } = attrs as unknown as DenseGradientAttrs;
    const grads = backward(x, w, y, dy as tf.Tensor, activation, inputGradient);
    const [dw, db] = inputGradient ? grads.slice(1) : grads;
    return {
      x: () => (inputGradient ? grads[0] : backward(x, w, y, dy as tf.Tensor, activation, true)[0]),
      w: () => dw,
      b: () => db,
    };
  },
});

/**
 * A dense layer y = act(x·W + b) on x [n, din]. With the native kernels and at most a first-order
 * gradient being taped, it is one kernel forward and one backward. tfjs itself un-fuses a taped
 * matMul + bias + relu into ~17 kernels (forward and backward); that path remains for backends
 * without the addon and for higher-order gradients (MAML), whose backward pass must itself be
 * differentiable, which the native backward kernel is not.
 */
export function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: Activation): tf.Tensor {
  const depth = tf.engine().state.gradientDepth;
  const plain = x.dtype !== 'float32' || x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || !nativeDense();
  if (plain || depth > 1) return tf.fused.matMul({ a: x, b: w, bias: b, activation });
  return run(x, w, b, { activation, inputGradient: depth > 0 && mayNeedGradient(x) });
}

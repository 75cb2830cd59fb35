import * as tf from './tf.js';
import { DENSE, DENSE_GRAD, type DenseAttrs } from './native-kernels.js';

type Activation = DenseAttrs['activation'];

/** Whether the active backend has the native dense kernels (the OpenBLAS addon is installed on it). */
function nativeDense(): boolean {
  return tf.getKernel(DENSE, tf.getBackend()) !== undefined;
}

function run(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: Activation): tf.Tensor2D {
  return tf.engine().runKernel(DENSE, { x, w, b }, { activation } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** One custom-gradient op per activation: forward and backward are one native kernel each. */
const withGradient = Object.fromEntries(
  (['relu', 'linear'] as const).map((activation) => [
    activation,
    tf.customGrad((x, w, b, save) => {
      const y = run(x as tf.Tensor, w as tf.Tensor, b as tf.Tensor, activation);
      (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [sx, sw, sy] = saved;
          return tf.engine().runKernel(DENSE_GRAD, { x: sx, w: sw, y: sy, dy: dy as tf.Tensor }, { activation } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        },
      };
    }),
  ]),
) as Record<Activation, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D>;

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
  return depth === 0 ? run(x, w, b, activation) : withGradient[activation](x, w, b);
}

/**
 * Gradient registrations that make tfjs's second derivatives right, for MAML and Meta-SGD.
 *
 * tfjs saves a kernel's *outputs* for its backward pass through a clone whose tape node is
 * recorded before the kernel's own node, so when a backward pass is differentiated again
 * (tf.grads inside tf.grads) the path through a saved output is silently dropped. For Exp, Tanh
 * and Sigmoid that loses the second-derivative term (softmax cross-entropy is built on Exp). Their
 * gradients are re-registered here to recompute the output from the saved input instead: the same
 * values at first order, and the right ones at second order.
 *
 * Some kernels that appear in backward passes have no gradient at all, so differentiating through
 * them throws: comparison ops (in the gradient of max) get a zero gradient, their output being
 * piecewise constant; MaxPoolGrad and Conv2DBackpropFilter get their exact gradients. And the
 * filter gradient of a plain convolution is computed by a convolution, because the wasm backend
 * has no Conv2DBackpropFilter kernel at all. Importing this module applies the registrations once
 * per process.
 */
import * as tf from './tf.js';

function fromInput(kernelName: string, derivative: (x: tf.Tensor) => tf.Tensor): void {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, derivative(saved[0])) }),
  });
}

fromInput('Exp', (x) => tf.exp(x));
fromInput('Tanh', (x) => tf.sub(1, tf.square(tf.tanh(x))));
fromInput('Sigmoid', (x) => {
  const s = tf.sigmoid(x);
  return tf.mul(s, tf.sub(1, s));
});

for (const kernelName of ['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual']) {
  if (tf.getGradient(kernelName)) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }),
  });
}

type Pad = 'same' | 'valid';

/**
 * ∂L/∂W of a stride-1 conv2d, written as a conv2d itself (the batch becomes the channels):
 * dW[i, j, c, f] = Σ_{n,h,w} x̃[n, h+i, w+j, c]·dy[n, h, w, f], x̃ the padded input. Unlike the
 * Conv2DBackpropFilter kernel (which the wasm backend lacks, and which has no gradient) it is
 * built from conv2d, pad and transpose, whose gradients exist on every backend and are
 * differentiable again.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], pad: Pad): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const padded = pad === 'same'
      ? tf.pad(x, [[0, 0], [Math.floor((kh - 1) / 2), Math.ceil((kh - 1) / 2)], [Math.floor((kw - 1) / 2), Math.ceil((kw - 1) / 2)], [0, 0]])
      : x;
    const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [c, h, w, n]
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [h', w', n, f]
    return tf.transpose(tf.conv2d(input, filter, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad | number;
  dataFormat?: string;
  dilations?: number | [number, number];
}

/** The case the conv2d-based filter gradient covers: NHWC, stride 1, no dilation, 'same' or 'valid' padding. */
function plainConv(attrs: ConvAttrs): boolean {
  const one = (v: number | [number, number] | undefined) => v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);
  return one(attrs.strides) && one(attrs.dilations) && (attrs.pad === 'same' || attrs.pad === 'valid') && (attrs.dataFormat ?? 'NHWC') === 'NHWC';
}

/**
 * ∂L/∂x of a stride-1 'same' conv2d with an odd kernel, as a conv2d: dy convolved with the kernel
 * turned 180° and with its channel axes swapped. The wasm backend's Conv2DBackpropInput kernel is
 * far slower than its conv2d.
 */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(dy, tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same'));
}

/** Replaces parts of a built-in conv gradient with the conv2d-based ones, where they apply. */
function withConvGradients(kernelName: 'Conv2D' | 'Conv2DBackpropInput', parts: (saved: tf.Tensor[], dy: tf.Tensor, attrs: ConvAttrs) => Record<string, () => tf.Tensor>): void {
  const builtIn = tf.getGradient(kernelName);
  if (!builtIn) return;
  tf.registerGradient({
    ...builtIn,
    gradFunc: (dy, saved, attrs) => {
      const grads = builtIn.gradFunc(dy, saved, attrs);
      const convAttrs = attrs as unknown as ConvAttrs;
      return plainConv(convAttrs) ? { ...grads, ...parts(saved, dy as tf.Tensor, convAttrs) } : grads;
    },
  });
}

const oddSame = (w: tf.Tensor, attrs: ConvAttrs) => attrs.pad === 'same' && w.shape[0]! % 2 === 1 && w.shape[1]! % 2 === 1;

// conv2d(x, W): saved [x, W]. Its filter gradient pairs x with dy.
withConvGradients('Conv2D', ([x, w], dy, attrs) => ({
  filter: () => conv2dFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, w.shape, attrs.pad as Pad),
  ...(oddSame(w, attrs) ? { x: () => conv2dInputGradient(dy as tf.Tensor4D, w as tf.Tensor4D) } : {}),
}));
// conv2dTranspose(dy, W) (a conv2d's input gradient): saved [dy, W]. Its filter gradient pairs ddx with dy.
withConvGradients('Conv2DBackpropInput', ([dy, w], ddx, attrs) => ({
  filter: () => conv2dFilterGradient(ddx as tf.Tensor4D, dy as tf.Tensor4D, w.shape, attrs.pad as Pad),
}));

/**
 * dW = F(x, dy) is bilinear, and ⟨ddW, F(x, dy)⟩ = Σ conv2d(x, ddW) ⊙ dy, so its gradient is
 * conv2dTranspose(dy, ddW) with respect to x and conv2d(x, ddW) with respect to dy (for backends
 * that run the kernel; the gradients above no longer emit it for plain convolutions).
 */
if (!tf.getGradient('Conv2DBackpropFilter')) {
  tf.registerGradient({
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad } = attrs as unknown as { strides: [number, number]; pad: Pad };
      return {
        x: () => tf.conv2dTranspose(dy, ddw as tf.Tensor4D, x.shape, strides, pad),
        dy: () => tf.conv2d(x, ddw as tf.Tensor4D, strides, pad),
      };
    },
  });
}

/**
 * MaxPoolGrad routes dy to each window's maximum, so its gradient with respect to dy gathers ddx
 * at those positions (and is zero with respect to the input, which only picks the route).
 */
if (!tf.getGradient('MaxPoolGrad')) {
  tf.registerGradient({
    kernelName: 'MaxPoolGrad',
    inputsToSave: ['dy', 'input', 'output'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, input, output] = saved;
      const { filterSize, strides, pad } = attrs as unknown as { filterSize: [number, number]; strides: [number, number]; pad: Pad };
      return {
        dy: () => tf.tidy(() => {
          const { indexes } = tf.maxPoolWithArgmax(input as tf.Tensor4D, filterSize, strides, pad, true);
          return tf.reshape(tf.gather(tf.reshape(ddx as tf.Tensor, [-1]), tf.reshape(indexes, [-1])), dy.shape);
        }),
        input: () => tf.zerosLike(input),
        output: () => tf.zerosLike(output),
      };
    },
  });
}

/** Marker export: import this module for its registrations. */
export const secondOrderGradients = true;

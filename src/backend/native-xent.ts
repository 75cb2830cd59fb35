import * as tf from './tf.js';

/** Kernel names of the fused softmax cross-entropy (JS loops over the backend's own memory). */
const XENT = 'ClbenchSoftmaxXent';
const XENT_GRAD = 'ClbenchSoftmaxXentGrad';

/** Backends whose tensor memory these kernels can read: wasm's heap, cpu's typed arrays. */
interface Views {
  view(backend: unknown, t: tf.TensorInfo): Float32Array | Int32Array;
  output(backend: unknown, shape: number[]): { info: tf.TensorInfo; values: () => Float32Array };
}

const VIEWS: Record<string, Views> = {
  wasm: {
    view: (backend, t) => (backend as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array }).typedArrayFromHeap(t),
    output(backend, shape) {
      const b = backend as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
      const info = b.makeOutput(shape, 'float32');
      return { info, values: () => b.typedArrayFromHeap(info) };
    },
  },
  cpu: {
    view: (backend, t) => (backend as { data: { get(id: object): { values: Float32Array | Int32Array } } }).data.get(t.dataId).values,
    output(backend, shape) {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const info = (backend as { makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo }).makeTensorInfo(shape, 'float32', values);
      return { info, values: () => values };
    },
  },
};

/** log Σ_j exp(z_j) of row i, in float64, shifted by the row max for stability. */
function logSumExp(z: Float32Array | Int32Array, i: number, c: number): number {
  let max = -Infinity;
  for (let j = 0; j < c; j++) max = Math.max(max, z[i * c + j]);
  let sum = 0;
  for (let j = 0; j < c; j++) sum += Math.exp(z[i * c + j] - max);
  return max + Math.log(sum);
}

/**
 * Mean softmax cross-entropy of logits [n, c] against int32 class ids [n], and its gradient
 * (softmax − onehot)·dy/n, as one kernel each: tf.losses.softmaxCrossEntropy over a one-hot
 * runs about 45 kernels forward and backward. Registered for wasm and cpu (no addon needed).
 */
export function registerSoftmaxXentKernels(backendName: string): boolean {
  const views = VIEWS[backendName];
  if (!views) return false;
  for (const name of [XENT, XENT_GRAD]) if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
  tf.registerKernel({
    kernelName: XENT,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { logits, labels } = inputs as Record<string, tf.TensorInfo>;
      const [n, c] = logits.shape;
      const out = views.output(backend, []);
      const z = views.view(backend, logits);
      const y = views.view(backend, labels);
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < c)) throw new RangeError(`cross-entropy: label ${y[i]} of row ${i} is outside 0..${c - 1}`);
        total += logSumExp(z, i, c) - z[i * c + y[i]];
      }
      out.values()[0] = total / n;
      return out.info;
    },
  });
  tf.registerKernel({
    kernelName: XENT_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { logits, labels, dy } = inputs as Record<string, tf.TensorInfo>;
      const [n, c] = logits.shape;
      const out = views.output(backend, [n, c]);
      const z = views.view(backend, logits);
      const y = views.view(backend, labels);
      const scale = views.view(backend, dy)[0] / n;
      const g = out.values();
      for (let i = 0; i < n; i++) {
        const lse = logSumExp(z, i, c);
        for (let j = 0; j < c; j++) g[i * c + j] = scale * (Math.exp(z[i * c + j] - lse) - (j === y[i] ? 1 : 0));
      }
      return out.info;
    },
  });
  return true;
}

/**
 * Mean softmax cross-entropy of `logits` [n, c] against int32 class ids, as two kernels (forward,
 * backward) where they are registered and at most a first-order gradient is taped; undefined
 * otherwise, and the caller uses tfjs's composite op (whose backward is differentiable again,
 * as second-order MAML needs).
 */
export function fusedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar | undefined {
  const depth = tf.engine().state.gradientDepth;
  if (depth > 1 || logits.rank !== 2 || labels.rank !== 1 || labels.dtype !== 'int32' || logits.dtype !== 'float32') return undefined;
  if (tf.getKernel(XENT, tf.getBackend()) === undefined) return undefined;
  const engine = tf.engine();
  if (depth === 0) return engine.runKernel(XENT, { logits, labels }) as tf.Scalar;
  const op = tf.customGrad((z, save) => {
    // The labels are saved too: they may be an intermediate that the forward pass's tidy disposes.
    (save as tf.GradSaveFunc)([z as tf.Tensor, labels]);
    return {
      value: engine.runKernel(XENT, { logits: z as tf.Tensor, labels }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [savedLogits, savedLabels]: tf.Tensor[]) =>
        engine.runKernel(XENT_GRAD, { logits: savedLogits, labels: savedLabels, dy: dy as tf.Tensor }) as tf.Tensor,
    };
  });
  return op(logits) as tf.Scalar;
}

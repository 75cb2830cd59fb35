import * as tf from '../../backend/tf.js';
import { parameterGradients } from './flat-gradients.js';

/**
 * How the diagonal Fisher is estimated from a task's samples:
 * - `empirical`: the mean over examples of the squared per-example gradient of the negative
 *   log-likelihood at the true label (the empirical Fisher of EWC implementations);
 * - `batch`: the mean over chunks of `batchSize` examples of the squared gradient of the chunk's
 *   mean loss. With one chunk of all samples this is what the GEM code's EWC computes; with chunks of
 *   10 it is the A-GEM code's estimate. It is much smaller than the empirical Fisher, which is why
 *   those papers' strengths are large.
 */
export type FisherEstimate = 'empirical' | 'batch';

export interface FisherOptions {
  readonly estimate: FisherEstimate;
  /** `batch` estimate: examples per chunk (default: all of them in one chunk). */
  readonly batchSize?: number;
}

/**
 * The diagonal Fisher information of `params` on the examples (x, y), one tensor per parameter.
 * `loss(x, y)` must return the mean negative log-likelihood of the rows (the task's loss, with its
 * own head on multi-head models). Parameters the loss never reaches get zeros.
 */
export function diagonalFisher(
  params: readonly tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor,
  loss: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar,
  options: FisherOptions,
): tf.Tensor[] {
  const n = x.shape[0];
  const chunk = options.estimate === 'empirical' ? 1 : Math.max(1, Math.min(options.batchSize ?? n, n));
  let sums: tf.Tensor[] = params.map((p) => tf.zerosLike(p));
  let chunks = 0;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const next = tf.tidy(() => {
      const xs = tf.slice(x, start, size);
      const ys = tf.slice(y, start, size);
      const { value, grads } = parameterGradients(params, () => loss(xs, ys));
      value.dispose();
      return sums.map((s, i) => tf.add(s, tf.square(grads[i])));
    });
    tf.dispose(sums);
    sums = next;
    chunks++;
  }
  const fisher = sums.map((s) => tf.div(s, Math.max(1, chunks)));
  tf.dispose(sums);
  return fisher;
}

/**
 * Rescales a Fisher to [0, 1] by its global minimum and maximum over all parameters, as the
 * A-GEM/RWalk code does before using it in the EWC penalty. Disposes the input.
 */
export function normalizeFisher(fisher: tf.Tensor[]): tf.Tensor[] {
  const bounds = tf.tidy(() => tf.stack([tf.min(tf.stack(fisher.map((f) => tf.min(f)))), tf.max(tf.stack(fisher.map((f) => tf.max(f))))]));
  const [low, high] = bounds.dataSync();
  bounds.dispose();
  const scaled = fisher.map((f) => tf.tidy(() => tf.div(tf.sub(f, low), high - low + 1e-32)));
  tf.dispose(fisher);
  return scaled;
}

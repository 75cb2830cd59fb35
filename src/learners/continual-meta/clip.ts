import * as tf from '../../backend/tf.js';

/**
 * Rescales a list of gradients so that their joint L2 norm is at most `maxNorm`, as PyTorch's
 * clip_grad_norm_ does (factor maxNorm / (norm + 1e-6) when the norm exceeds it).
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const factor = tf.minimum(tf.scalar(1), tf.div(maxNorm, tf.add(norm, 1e-6)));
    return grads.map((g) => tf.mul(g, factor));
  });
}

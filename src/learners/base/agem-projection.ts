import * as tf from '../../backend/tf.js';

export interface AgemProjection {
  /** g when g·g_ref ≥ 0, else g − (g·g_ref / g_ref·g_ref) g_ref. */
  readonly gradient: tf.Tensor1D;
  readonly projected: boolean;
}

/**
 * A-GEM's projection (Chaudhry et al. 2019, eq. 11): when the update would increase the average
 * episodic-memory loss (g·g_ref < 0), remove its component along the reference gradient. One dot
 * product and one host read per step, instead of GEM's QP. The inputs stay owned by the caller.
 */
export function projectAgem(g: tf.Tensor1D, reference: tf.Tensor1D): AgemProjection {
  const products = tf.tidy(() => tf.stack([tf.sum(tf.mul(g, reference)), tf.sum(tf.mul(reference, reference))]));
  const [gDotRef, refDotRef] = products.dataSync();
  products.dispose();
  if (gDotRef >= 0 || refDotRef === 0) return { gradient: tf.clone(g), projected: false };
  const gradient = tf.tidy(() => tf.sub(g, tf.mul(reference, gDotRef / refDotRef)) as tf.Tensor1D);
  return { gradient, projected: true };
}

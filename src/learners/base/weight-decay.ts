import * as tf from '../../backend/tf.js';
import type { JsonSchema } from '../../util/registry.js';

/**
 * Weight decay as Mammoth's LwF and iCaRL add it to their loss (`wd_reg`): wd · Σ θ² over every
 * parameter, biases included, without the ½ of the usual L2 penalty (so its gradient is 2·wd·θ).
 */
export function weightDecayPenalty(params: readonly tf.Tensor[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => tf.mul(weightDecay, tf.addN(params.map((p) => tf.sum(tf.square(p))))) as tf.Scalar);
}

/** The `weightDecay` option of the learners that take one. */
export const weightDecaySchema: JsonSchema = {
  type: 'number',
  minimum: 0,
  default: 0,
  description: 'Weight decay wd: adds wd·Σθ² over every parameter to the loss (Mammoth’s wd_reg)',
};

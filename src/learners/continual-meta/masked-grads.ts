import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import { headMask } from '../meta/fast-weights.js';

/**
 * Value and gradient of f with respect to the parameters marked in `mask`, with zeros for the
 * others. On multi-head models a loss on some heads never reaches the other heads' parameters,
 * and tf.grads refuses to differentiate with respect to a tensor the result does not depend on.
 */
export function maskedValueAndGrads(
  f: (params: readonly tf.Tensor[]) => tf.Scalar, params: readonly tf.Tensor[], mask: readonly boolean[],
): { value: tf.Scalar; grads: tf.Tensor[] } {
  if (mask.every(Boolean)) return tf.valueAndGrads((...p: tf.Tensor[]) => f(p))([...params]);
  const moving = params.flatMap((_, i) => (mask[i] ? [i] : []));
  const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
    const all = [...params];
    moving.forEach((p, k) => (all[p] = values[k]));
    return f(all);
  })(moving.map((i) => params[i]));
  const out = params.map((p) => tf.zerosLike(p));
  moving.forEach((p, k) => {
    out[p].dispose();
    out[p] = grads[k];
  });
  return { value, grads: out };
}

/** The parameters a loss over examples of these heads can reach: the shared trunk and those heads. */
export function headsMask(model: FunctionalModel, heads: Iterable<number>): boolean[] {
  const masks = [...new Set(heads)].map((h) => headMask(model, h));
  return model.params.map((_, i) => masks.some((m) => m[i]));
}

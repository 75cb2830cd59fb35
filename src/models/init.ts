import * as tf from '../backend/tf.js';
import type { Rng } from '../util/rng.js';

/** Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), drawn from our seeded Rng. */
export function glorotUniform(shape: readonly number[], fanIn: number, fanOut: number, rng: Rng): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.uniform(-limit, limit);
  return tf.tensor(values, [...shape]);
}

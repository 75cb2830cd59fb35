import * as tf from '../backend/tf.js';
import type { Rng } from '../util/rng.js';

/** Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), drawn from our seeded Rng. */
export function glorotUniform(shape: readonly number[], fanIn: number, fanOut: number, rng: Rng): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return fromDraws(shape, () => rng.uniform(-limit, limit));
}

/** He (Kaiming) normal in fan-in mode: N(0, 2 / fanIn), PyTorch's `kaiming_normal_` default. */
export function kaimingNormal(shape: readonly number[], fanIn: number, rng: Rng): tf.Tensor {
  const std = Math.sqrt(2 / fanIn);
  return fromDraws(shape, () => std * rng.normal());
}

/** N(0, std²) redrawn until within two standard deviations, as TensorFlow's `truncated_normal`. */
export function truncatedNormal(shape: readonly number[], std: number, rng: Rng): tf.Tensor {
  return fromDraws(shape, () => {
    for (;;) {
      const z = rng.normal();
      if (Math.abs(z) <= 2) return std * z;
    }
  });
}

function fromDraws(shape: readonly number[], draw: () => number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = draw();
  return tf.tensor(values, [...shape]);
}

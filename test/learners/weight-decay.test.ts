import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { weightDecayPenalty } from '../../src/learners/base/weight-decay.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('weight decay', () => {
  it('is wd·Σθ² over every parameter, biases included, with gradient 2·wd·θ', () => {
    const w = tf.tensor2d([[1, -2], [0.5, 3]]);
    const b = tf.tensor1d([-1, 4]);
    const wd = 5e-4;
    const penalty = weightDecayPenalty([w, b], wd);
    // Σθ² = 1 + 4 + 0.25 + 9 + 1 + 16 = 31.25
    expect(penalty.dataSync()[0]).toBeCloseTo(wd * 31.25, 8);
    const grads = tf.grads((a: tf.Tensor, c: tf.Tensor) => weightDecayPenalty([a, c], wd))([w, b]);
    expect(Array.from(grads[0].dataSync())).toEqual([1, -2, 0.5, 3].map((v) => expect.closeTo(2 * wd * v, 8)));
    expect(Array.from(grads[1].dataSync())).toEqual([-1, 4].map((v) => expect.closeTo(2 * wd * v, 8)));
    tf.dispose([w, b, penalty, ...grads]);
  });
});

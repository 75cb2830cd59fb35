import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { gssScore } from '../../src/learners/gss.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('gss learner', () => {
  it('scores a gradient 1 + its largest cosine similarity with the stored ones', () => {
    const G = tf.tensor2d([[1, 0], [0, 2], [-3, 0]]);
    // g = (1, 1)/√2 direction: cosines 1/√2, 1/√2, −1/√2.
    const g = tf.tensor1d([2, 2]);
    expect(gssScore(g, G)).toBeCloseTo(1 + Math.SQRT1_2, 5);
    // Opposite to the first row, aligned with the third: cos = 1 with (−3, 0).
    const h = tf.tensor1d([-0.5, 0]);
    expect(gssScore(h, G)).toBeCloseTo(2, 5);
    // Orthogonal to the first and third, opposite to the second: max cos 0.
    const k = tf.tensor1d([0, -1]);
    expect(gssScore(k, G)).toBeCloseTo(1, 5);
    tf.dispose([G, g, h, k]);
  });

  it('learns the class-incremental split better than naive', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'gss', lr: 0.1, memorySize: 100, scoreBatch: 5 }], backend);
    expect(acc.gss).toBeGreaterThan(acc.naive + 0.2);
  });
});

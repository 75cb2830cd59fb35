import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { crossEntropy } from '../../src/models/losses.js';
import { aceMask, maskedCrossEntropy } from '../../src/learners/er-ace.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('er-ace learner', () => {
  it('masks every column but the present classes and those from the largest seen up', () => {
    expect(Array.from(aceMask([2, 3], 3, 6))).toEqual([0, 0, 1, 1, 1, 1]);
    expect(Array.from(aceMask([4], 5, 10))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    // Once the last class has been seen, only the present classes remain (Mammoth's condition).
    expect(Array.from(aceMask([8, 9], 9, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('asymmetric cross-entropy: the masked columns take no probability mass and no gradient', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, -1, 4]]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const mask = Float32Array.from([1, 1, 0]);
    // Row 1: −log(e¹/(e¹+e²)) = log(1+e); row 2: −log(e⁻¹/(e⁰+e⁻¹)) = log(1+e).
    const value = maskedCrossEntropy(logits, labels, mask, crossEntropy);
    expect(value.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.E), 5);
    const grad = tf.grad((z: tf.Tensor) => maskedCrossEntropy(z, labels, mask, crossEntropy))(logits);
    const g = grad.arraySync() as number[][];
    expect(g[0][2]).toBe(0);
    expect(g[1][2]).toBe(0);
    // Softmax minus one-hot over the two live columns, halved by the batch mean.
    const p = 1 / (1 + Math.E);
    expect(g[0][0]).toBeCloseTo((p - 1) / 2, 5);
    expect(g[0][1]).toBeCloseTo((1 - p) / 2, 5);
    tf.dispose([logits, labels, value, grad]);
  });

  it('learns the class-incremental split far better than naive', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'er-ace', lr: 0.1, memorySize: 200 }], backend);
    expect(acc['er-ace']).toBeGreaterThan(acc.naive + 0.35);
  });
});

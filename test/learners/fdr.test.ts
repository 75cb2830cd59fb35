import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { functionDistance } from '../../src/learners/fdr.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('fdr learner', () => {
  it('function distance: the mean over rows of ‖softmax(f(x)) − softmax(z)‖₂', () => {
    // Row 1: softmax (0, 0) = (½, ½), softmax (ln 3, 0) = (¾, ¼): distance ¼√2. Row 2: equal outputs, 0.
    const outputs = tf.tensor2d([[0, 0], [1, 2]]);
    const stored = tf.tensor2d([[Math.log(3), 0], [3, 4]]);
    const d = functionDistance(outputs, stored);
    expect(d.dataSync()[0]).toBeCloseTo((0.25 * Math.SQRT2) / 2, 6);
    tf.dispose([outputs, stored, d]);
  });

  it('forgets less than naive on the two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'fdr', lr: 0.1, memorySize: 200, replayBatch: 10 }], backend);
    expect(f.fdr.drop).toBeLessThan(f.naive.drop - 0.1);
    expect(f.fdr.learned).toBeGreaterThan(0.7);
  });
});

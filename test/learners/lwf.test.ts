import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { distillationLoss } from '../../src/learners/lwf.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const softmax = (z: number[]) => {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('distillation loss', () => {
  it('is the cross-entropy between the temperature-softened teacher and student outputs, batch-averaged', () => {
    const teacher = [[2, 0, -1], [0.5, 0.5, 3]];
    const student = [[1, 1, 0], [-1, 2, 0]];
    const T = 2;
    const expected = teacher.reduce((sum, row, n) => {
      const p = softmax(row.map((v) => v / T));
      const q = softmax(student[n].map((v) => v / T));
      return sum - p.reduce((s, pi, i) => s + pi * Math.log(q[i]), 0);
    }, 0) / teacher.length;
    const [t, s] = [tf.tensor2d(teacher), tf.tensor2d(student)];
    const loss = distillationLoss(t, s, T);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([t, s, loss]);
  });
});

describe('lwf learner', () => {
  it('forgets less than naive on a two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'lwf', lr: 0.1, alpha: 2, temperature: 2 }], backend);
    expect(f.lwf.drop).toBeLessThan(f.naive.drop - 0.05);
    expect(f.lwf.learned).toBeGreaterThan(0.7);
  });
});

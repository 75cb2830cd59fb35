import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { Lwf, distillationLoss, keepColumns } from '../../src/learners/lwf.js';
import { learnerContext } from './learner-context.js';
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

describe('lwf on a single-head class-incremental stream', () => {
  /** Exposes the parameters, which the tests compare before and after a step. */
  class ProbeLwf extends Lwf {
    get parameters(): tf.Variable[] {
      return this.params;
    }
  }
  const options = { lr: 0.5, alpha: 1, temperature: 2, warmup: true, weightDecay: 0 };
  const x = () => tf.tensor2d([[1, 0, 2], [0, 1, -1], [2, 2, 0], [-1, 0, 1]]);
  const task0 = { index: 0, id: 't0', classes: [0, 1] };
  const task1 = { index: 1, id: 't1', classes: [2, 3] };

  function trainedOnTask0(opts: typeof options): { lwf: ProbeLwf; x: tf.Tensor; y0: tf.Tensor; y1: tf.Tensor } {
    const lwf = new ProbeLwf(opts);
    lwf.setup(learnerContext({ inputSize: 3, outputSize: 6, hidden: [4] }));
    const [xs, y0, y1] = [x(), tf.tensor1d([0, 1, 0, 1], 'int32'), tf.tensor1d([2, 3, 3, 2], 'int32')];
    lwf.beginTask(task0, { x: xs, y: y0, size: 4, taskIndex: 0 });
    lwf.observe({ x: xs, y: y0, size: 4, taskIndex: 0 });
    return { lwf, x: xs, y0, y1 };
  }

  it('keepColumns restricts a softmax to the kept columns', () => {
    const logits = tf.tensor2d([[1, 5, -2, 0.5]]);
    const p = tf.softmax(keepColumns(logits, Float32Array.from([1, 0, 1, 1])));
    const expected = softmax([1, -2, 0.5]);
    expect(Array.from(p.dataSync())).toEqual([expected[0], 0, expected[1], expected[2]].map((v) => expect.closeTo(v, 6)));
    tf.dispose([logits, p]);
  });

  it('warms up the new classes’ outputs alone: the trunk and the old classes’ weights do not move', () => {
    const { lwf, x: xs, y0, y1 } = trainedOnTask0(options);
    const before = lwf.parameters.map((p) => Array.from(p.dataSync()));
    lwf.beginTask(task1, { x: xs, y: y1, size: 4, taskIndex: 1 });
    const [w1, b1, wOut, bOut] = lwf.parameters.map((p) => Array.from(p.dataSync()));
    // The trunk (one hidden layer of 4) is frozen.
    expect(w1).toEqual(before[0]);
    expect(b1).toEqual(before[1]);
    // The output kernel is [4, 6], class c's weights at r·6 + c; only classes 2 and 3 move.
    const moved = (c: number) => wOut.some((v, i) => i % 6 === c && v !== before[2][i]) || bOut[c] !== before[3][c];
    expect([0, 1, 2, 3, 4, 5].map(moved)).toEqual([false, false, true, true, false, false]);
    lwf.dispose();
    tf.dispose([xs, y0, y1]);
  });

  it('scores the task over the classes seen, distils over the old ones, and adds wd·Σθ²', () => {
    const wd = 1e-3;
    const T = options.temperature;
    const { lwf, x: xs, y0, y1 } = trainedOnTask0({ ...options, warmup: false, weightDecay: wd });
    lwf.beginTask(task1, { x: xs, y: y1, size: 4, taskIndex: 1 });
    // The teacher is the model itself at this point, so the distillation term is the entropy of its
    // softened old-class outputs.
    const z = (lwf.predict(xs) as tf.Tensor2D).arraySync();
    const sumSquares = lwf.parameters.reduce((s, p) => s + Array.from(p.dataSync()).reduce((a, v) => a + v * v, 0), 0);
    const labels = [2, 3, 3, 2];
    const taskLoss = z.reduce((s, row, n) => s - Math.log(softmax(row.slice(0, 4))[labels[n]]), 0) / z.length;
    const distill = z.reduce((s, row) => {
      const p = softmax(row.slice(0, 2).map((v) => v / T));
      return s - p.reduce((a, pi) => a + pi * Math.log(pi), 0);
    }, 0) / z.length;
    const loss = lwf.observe({ x: xs, y: y1, size: 4, taskIndex: 1 });
    expect(loss).toBeCloseTo(taskLoss + distill + wd * sumSquares, 5);
    lwf.dispose();
    tf.dispose([xs, y0, y1]);
  });
});

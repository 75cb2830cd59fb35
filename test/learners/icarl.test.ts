import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { Icarl, binaryCrossEntropy, herdingOrder, icarlTargets } from '../../src/learners/icarl.js';
import { learnerContext } from './learner-context.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('icarl learner', () => {
  it('herding picks, one at a time, the row that brings the running mean closest to the class mean', () => {
    // 1-D features 0, 10, 4, 6 (mean 5): 4 and 6 tie at distance 1 (the first wins), then 6 makes
    // the mean exactly 5, then 0 and 10 tie (mean 10/3 or 20/3), then 10.
    expect(herdingOrder(Float32Array.from([0, 10, 4, 6]), 4, 1, 4)).toEqual([2, 3, 0, 1]);
    // 2-D, mean (1, 1): (1, 1) itself; then (0, 0) (running mean 0.5, the closest); then (2.5, 2.5)
    // (running mean 7/6 against 4/3 for (3, 3) and −1/6 for (−1.5, −1.5)).
    const features = Float32Array.from([3, 3, 1, 1, 0, 0, 2.5, 2.5, -1.5, -1.5]);
    expect(herdingOrder(features, 5, 2, 3)).toEqual([1, 2, 3]);
  });

  it('binary cross-entropy with logits over the given columns only', () => {
    const logits = tf.tensor2d([[0, 2, -3]]);
    const targets = tf.tensor2d([[1, 0, 0.5]]);
    const both = binaryCrossEntropy(logits, targets, [0, 1]);
    expect(both.dataSync()[0]).toBeCloseTo((Math.log(2) + Math.log(1 + Math.exp(2))) / 2, 5);
    const one = binaryCrossEntropy(logits, targets, [1]);
    expect(one.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(2)), 5);
    tf.dispose([logits, targets, both, one]);
  });

  it('targets: one-hot on the new classes, the teacher’s sigmoid outputs on the old ones', () => {
    // Classes 0 and 1 are old; a new-class example (label 2) and an old-class exemplar (label 0).
    const y = tf.tensor1d([2, 0], 'int32');
    const teacher = tf.tensor2d([[0.9, 0.2, 0.4, 0.7], [0.6, 0.1, 0.3, 0.5]]);
    const targets = icarlTargets(y, 4, teacher, Float32Array.from([1, 1, 0, 0]));
    expect(targets.arraySync()).toEqual([[0.9, 0.2, 1, 0], [0.6, 0.1, 0, 0]].map((row) => row.map((v) => expect.closeTo(v, 6))));
    const first = icarlTargets(y, 4, null, Float32Array.from([0, 0, 0, 0]));
    expect(first.arraySync()).toEqual([[0, 0, 1, 0], [1, 0, 0, 0]]);
    tf.dispose([y, teacher, targets, first]);
  });

  it('learns the class-incremental split far better than naive', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'icarl', lr: 0.1, memorySize: 200 }], backend);
    expect(acc.icarl).toBeGreaterThan(acc.naive + 0.3);
  });

  it('learns a task on its examples merged with the exemplars: ⌈(n + m) / batch⌉ steps, or ⌈n / batch⌉ without them', () => {
    /** Counts the optimizer steps. */
    class StepCountingIcarl extends Icarl {
      steps = 0;
      protected override step(loss: () => tf.Scalar): number {
        this.steps++;
        return super.step(loss);
      }
    }
    const stepsPerTask = (trainOnExemplars: boolean) => {
      const icarl = new StepCountingIcarl({ lr: 0.1, memorySize: 4, trainOnExemplars, weightDecay: 0 });
      icarl.setup(learnerContext({ inputSize: 3, outputSize: 4, hidden: [4] })); // batch size 4
      const steps: number[] = [];
      for (const [t, classes] of [[0, [0, 1]], [1, [2, 3]]] as const) {
        const x = tf.randomNormal([8, 3], 0, 1, 'float32', t + 1);
        const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1].map((c) => c + 2 * t), 'int32');
        const task = { index: t, id: `t${t}`, classes };
        const split = { x, y, size: 8, taskIndex: t };
        const before = icarl.steps;
        icarl.beginTask(task, split);
        // The stream's batches, of the protocol's size.
        for (const [start, size] of [[0, 4], [4, 4]]) {
          const [bx, by] = [tf.slice(x, start, size), tf.slice(y, start, size)];
          icarl.observe({ x: bx, y: by, size, taskIndex: t });
          tf.dispose([bx, by]);
        }
        icarl.endTask(task, split);
        steps.push(icarl.steps - before);
        tf.dispose([x, y]);
      }
      icarl.dispose();
      return steps;
    };
    // Task 0 has no exemplars: its 8 examples in batches of 4. Task 1: 8 examples and 4 exemplars.
    expect(stepsPerTask(true)).toEqual([2, 3]);
    expect(stepsPerTask(false)).toEqual([2, 2]);
  });

  it('refuses a multi-head stream, naming the need for one shared head', async () => {
    const scenario = resolveScenario({
      name: 'multi-head',
      stream: { type: 'split-mnist', setting: 'task-incremental', trainPerTask: 20, testPerTask: 20 },
      model: { type: 'mlp', hidden: [8] },
      learners: [{ type: 'icarl', lr: 0.1 }],
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(result.runs[0].status).toBe('failed');
    expect(result.runs[0].error).toMatch(/icarl.*one shared classification head/);
  });
});

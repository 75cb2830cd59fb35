import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { mixedTaskForward } from '../../src/learners/base/mixed-task-loss.js';
import { ModelLearner } from '../../src/learners/base/model-learner.js';
import { mlp } from '../../src/models/mlp.js';
import { Rng } from '../../src/util/rng.js';
import type { Batch } from '../../src/learners/types.js';
import { learnerContext } from './learner-context.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** A ModelLearner whose protected steps the test calls directly. */
class Probe extends ModelLearner {
  observe(_batch: Batch): void {}
  plainStep(x: tf.Tensor, y: tf.Tensor): number {
    return this.step(() => this.batchLoss(x, y, 0));
  }
  stepKeepingLogits(x: tf.Tensor, y: tf.Tensor) {
    return this.stepWithOutputs(() => {
      const logits = this.ctx.model.forward(this.params, x, 0);
      return { loss: this.lossFn(logits, y), outputs: { logits } };
    });
  }
  grads(x: tf.Tensor, y: tf.Tensor, head: number) {
    return this.gradients(() => this.batchLoss(x, y, head));
  }
  get parameters(): tf.Variable[] {
    return this.params;
  }
  ctxModelParamNames(): string[] {
    return this.ctx.model.params.map((p) => p.name);
  }
}

const x = tf.tensor2d([[0.5, -1, 2], [1, 0, -0.5], [-1, 1, 1], [0, 2, -1]]);
const y = tf.tensor1d([0, 1, 1, 0], 'int32');

describe('ModelLearner', () => {
  it('stepWithOutputs takes the step `step` takes and hands back the forward pass’s outputs, owned by the caller', () => {
    const [a, b] = [new Probe({ lr: 0.5, optimizer: 'momentum' }), new Probe({ lr: 0.5, optimizer: 'momentum' })];
    a.setup(learnerContext({ inputSize: 3, outputSize: 2, seed: 3 }));
    b.setup(learnerContext({ inputSize: 3, outputSize: 2, seed: 3 }));
    const before = tf.tidy(() => a.predict(x)).arraySync();
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      const plain = a.plainStep(x, y);
      const { loss, outputs } = b.stepKeepingLogits(x, y);
      expect(loss).toBeCloseTo(plain, 6);
      if (s === 0) expect(outputs.logits.arraySync()).toEqual(before);
      tf.dispose(outputs.logits);
      counts.push(tf.memory().numTensors);
    }
    // The first step creates the momentum accumulators; after that nothing is left behind.
    expect(counts.slice(1)).toEqual([counts[0], counts[0]]);
    a.parameters.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(Array.from(b.parameters[i].dataSync())));
    a.dispose();
    b.dispose();
  });

  it('gradients: a parameter the loss does not reach (another head) gets zeros, never null', () => {
    const probe = new Probe({ lr: 0.1 });
    probe.setup(learnerContext({ inputSize: 3, outputSize: 2, heads: 2 }));
    const { value, grads } = probe.grads(x, y, 0);
    expect(grads).toHaveLength(probe.parameters.length);
    const names = probe.ctxModelParamNames();
    grads.forEach((g, i) => {
      expect(g.shape).toEqual(probe.parameters[i].shape);
      const norm = tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]);
      if (names[i].startsWith('head1')) expect(norm).toBe(0);
      else if (names[i].endsWith('kernel')) expect(norm).toBeGreaterThan(0);
    });
    tf.dispose([value, ...grads]);
    probe.dispose();
  });

  it('mixedTaskForward: each row through its own task’s head, in row order, differentiably', () => {
    const model = mlp({ inputSize: 3, hidden: [4], outputSize: 2, heads: 3 });
    const params = model.init(new Rng(1));
    const tasks = [2, 0, 2, 1];
    const mixed = mixedTaskForward(model, params, x, tasks, (t) => t);
    const rows = mixed.arraySync() as number[][];
    tasks.forEach((task, i) => {
      const own = tf.tidy(() => model.forward(params, x, task).arraySync() as number[][]);
      rows[i].forEach((v, j) => expect(v).toBeCloseTo(own[i][j], 5));
    });
    const g = tf.grad((w: tf.Tensor) => tf.sum(mixedTaskForward(model, [...params.slice(0, 4), w, ...params.slice(5)], x, tasks, (t) => t)))(params[4]);
    expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([mixed, g, ...params]);
  });
});

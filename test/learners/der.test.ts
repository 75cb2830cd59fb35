import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { learners } from '../../src/learners/registry.js';
import type { Batch } from '../../src/learners/types.js';
import { learnerContext } from './learner-context.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

function batchOf(x: number[][], y: number[]): Batch {
  return { x: tf.tensor2d(x), y: tf.tensor1d(y, 'int32'), size: y.length, taskIndex: 0 };
}

/** Mean over rows of −log softmax(z)[y]. */
function crossEntropy(logits: number[][], labels: number[]): number {
  return logits.reduce((s, z, i) => s + Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[labels[i]], 0) / logits.length;
}

function meanSquared(a: number[][], b: number[][]): number {
  return a.flat().reduce((s, v, i) => s + (v - b.flat()[i]) ** 2, 0) / a.flat().length;
}

const first = { x: [[1, 0, -1], [0.5, 2, 0], [-1, -1, 1], [2, 0.5, 0.5]], y: [0, 1, 2, 1] };
const second = { x: [[0, 1, 1], [1, 1, -2], [-0.5, 0, 0.5], [1, -1, 0]], y: [2, 0, 1, 2] };

describe('der and derpp learners', () => {
  it('forget less than naive on the two-task problem', async () => {
    const f = await forgettingOnTwoTasks([
      { type: 'der', lr: 0.1, memorySize: 200, replayBatch: 10 },
      { type: 'derpp', lr: 0.1, memorySize: 200, replayBatch: 10 },
    ], backend);
    for (const label of ['der', 'derpp']) {
      expect(f[label].drop, label).toBeLessThan(f.naive.drop - 0.1);
      expect(f[label].learned, label).toBeGreaterThan(0.7);
    }
  });

  // With a memory holding exactly the first batch and a draw as large as the memory, each draw
  // is the whole first batch (its order does not change a mean), so the loss is known in advance.
  it('DER: stores the pre-step logits, then minimises CE(f(x), y) + α·MSE(f(x′), z′)', () => {
    const der = learners.create('der', { lr: 0.2, memorySize: 4, replayBatch: 4, alpha: 0.7 });
    der.setup(learnerContext({ inputSize: 3, outputSize: 3 }));
    const a = batchOf(first.x, first.y);
    const stored = tf.tidy(() => der.predict(a.x, 0).arraySync() as number[][]);
    expect(der.observe(a)).toBeCloseTo(crossEntropy(stored, first.y), 5);
    const b = batchOf(second.x, second.y);
    const [onB, onA] = tf.tidy(() => [der.predict(b.x, 0).arraySync(), der.predict(a.x, 0).arraySync()] as number[][][]);
    expect(der.observe(b)).toBeCloseTo(crossEntropy(onB, second.y) + 0.7 * meanSquared(onA, stored), 5);
    tf.dispose([a.x, a.y, b.x, b.y]);
    der.dispose();
  });

  it('DER++: adds β·CE(f(x″), y″) on a second draw', () => {
    const derpp = learners.create('derpp', { lr: 0.2, memorySize: 4, replayBatch: 4, alpha: 0.7, beta: 0.4 });
    derpp.setup(learnerContext({ inputSize: 3, outputSize: 3 }));
    const a = batchOf(first.x, first.y);
    const stored = tf.tidy(() => derpp.predict(a.x, 0).arraySync() as number[][]);
    derpp.observe(a);
    const b = batchOf(second.x, second.y);
    const [onB, onA] = tf.tidy(() => [derpp.predict(b.x, 0).arraySync(), derpp.predict(a.x, 0).arraySync()] as number[][][]);
    const expected = crossEntropy(onB, second.y) + 0.7 * meanSquared(onA, stored) + 0.4 * crossEntropy(onA, first.y);
    expect(derpp.observe(b)).toBeCloseTo(expected, 5);
    tf.dispose([a.x, a.y, b.x, b.y]);
    derpp.dispose();
  });
});

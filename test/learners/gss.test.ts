import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { gssScore } from '../../src/learners/gss.js';
import { learners } from '../../src/learners/registry.js';
import type { Learner } from '../../src/learners/types.js';
import { Rng } from '../../src/util/rng.js';
import { learnerContext } from './learner-context.js';
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

  it('scores the same through per-example gradients and through their inner products (Gram route)', () => {
    // Two learners with the same seed see the same batches; one is forced onto explicit gradients.
    // Memory 6 of 4-example batches fills after two and then selects by score on every batch.
    const make = () => {
      const gss = learners.create('gss', { lr: 0.1, memorySize: 6, replayBatch: 2, scoreBatch: 3 });
      gss.setup(learnerContext({ inputSize: 5, outputSize: 3, hidden: [4, 4], seed: 1 }));
      return gss;
    };
    const internals = (l: Learner) => l as unknown as { gram: unknown; buffer: { gather(s: number[]): { x: Float32Array; fields?: Record<string, Float32Array> }; size: number } };
    const byGram = make();
    const byGradients = make();
    expect(internals(byGram).gram).toBeDefined();
    internals(byGradients).gram = undefined;
    const rng = new Rng(9);
    const inputs = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => rng.uniform(-1, 1)));
    for (let b = 0; b < 8; b++) {
      // The same inputs relabelled after two batches: gradients opposed to the stored ones, so the
      // batch scores below 1 and each example is scored on its own.
      const x = tf.tensor2d(inputs.map((row) => row.map((v) => v + rng.uniform(-0.1, 0.1))));
      const y = tf.tensor1d(Array.from({ length: 4 }, () => (b < 2 ? 0 : 2)), 'int32');
      const batch = { x, y, size: 4, taskIndex: 0 };
      expect(byGram.observe(batch)).toBeCloseTo(byGradients.observe(batch) as number, 5);
      tf.dispose([x, y]);
    }
    const stored = (l: Learner) => internals(l).buffer.gather([0, 1, 2, 3, 4, 5]);
    expect(Array.from(stored(byGram).x)).toEqual(Array.from(stored(byGradients).x));
    const [a, b] = [stored(byGram).fields!.score, stored(byGradients).fields!.score];
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
    // Examples scored on their own entered (distinct scores below 1): the per-example route ran.
    expect(new Set(Array.from(a).filter((v) => v < 1 && Math.abs(v - 0.1) > 1e-6)).size).toBeGreaterThan(1);
    byGram.dispose();
    byGradients.dispose();
  });

  it('learns the class-incremental split better than naive', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'gss', lr: 0.1, memorySize: 100, scoreBatch: 5 }], backend);
    expect(acc.gss).toBeGreaterThan(acc.naive + 0.2);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { ExampleGradientGram, disposeFactors } from '../../src/learners/base/example-gradient-gram.js';
import { flatGradient } from '../../src/learners/base/flat-gradients.js';
import { trainingLossFor } from '../../src/models/losses.js';
import { mlp } from '../../src/models/mlp.js';
import type { ProblemKind } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await useBackend('wasm');
});

const rng = new Rng(5);
const model = mlp({ inputSize: 6, hidden: [5, 4], outputSize: 3 });
const rows = (n: number, width: number, low = -1) => tf.tensor2d(Array.from({ length: n }, () => Array.from({ length: width }, () => rng.uniform(low, 1))));

/** Each row's own loss gradient by an ordinary backward pass, flattened: the reference. */
function explicitGradients(params: tf.Variable[], x: tf.Tensor2D, y: tf.Tensor, kind: ProblemKind): number[][] {
  const lossFn = trainingLossFor(kind);
  return Array.from({ length: x.shape[0] }, (_, i) => {
    const { value, grad } = flatGradient(params, () => lossFn(model.forward(params, tf.slice(x, i, 1)), tf.slice(y, i, 1)));
    const row = Array.from(grad.dataSync());
    tf.dispose([value, grad]);
    return row;
  });
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('ExampleGradientGram', () => {
  for (const kind of ['classification', 'regression'] as const) {
    it(`gives the inner products and norms of per-example gradients without forming them (${kind})`, () => {
      const params = model.init(rng).map((t) => tf.variable(t));
      const [xa, xb] = [rows(4, 6), rows(3, 6)];
      const label = (n: number) => (kind === 'classification' ? tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32') : rows(n, 3, 0));
      const [ya, yb] = [label(4), label(3)];
      const gram = ExampleGradientGram.for(model, 1, trainingLossFor(kind))!;
      const before = tf.memory().numTensors;
      const a = gram.factors(params, xa, ya);
      const b = gram.factors(params, xb, yb);
      const dots = gram.dots(a, b);
      const norms = gram.squaredNorms(a);
      const [ga, gb] = [explicitGradients(params, xa, ya, kind), explicitGradients(params, xb, yb, kind)];
      const got = dots.arraySync();
      ga.forEach((gi, i) => gb.forEach((gj, j) => expect(got[i][j]).toBeCloseTo(dot(gi, gj), 5)));
      Array.from(norms.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(dot(ga[i], ga[i]), 5));
      disposeFactors(a);
      disposeFactors(b);
      tf.dispose([dots, norms]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xa, xb, ya, yb, ...params]);
    });
  }

  it('declines models it cannot read as one single-head MLP', () => {
    const lossFn = trainingLossFor('classification');
    expect(ExampleGradientGram.for(mlp({ inputSize: 6, hidden: [5], outputSize: 3, heads: 2 }), 2, lossFn)).toBeUndefined();
    const lookalike = { ...model, forward: (p: readonly tf.Tensor[], x: tf.Tensor) => tf.tanh(model.forward(p, x)) };
    expect(ExampleGradientGram.for(lookalike, 1, lossFn)).toBeUndefined();
  });
});

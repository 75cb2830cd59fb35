import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { diagonalFisher, normalizeFisher } from '../../src/learners/base/fisher.js';
import { crossEntropy } from '../../src/models/losses.js';
import { QuadraticPenalty } from '../../src/learners/base/quadratic-penalty.js';
import type { Ewc } from '../../src/learners/ewc.js';
import { learners } from '../../src/learners/registry.js';
import type { FunctionalModel } from '../../src/models/types.js';
import type { StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

/**
 * A 2-parameter classifier: logits (0, w·x + b), so p(y = 1 | x) = σ(w·x + b) and the gradient of
 * −log p(y | x) is (σ(z) − y)·(x, 1).
 */
const W = 0.5;
const B = -0.25;
const twoParamModel: FunctionalModel = {
  params: [{ name: 'w', shape: [1, 1] }, { name: 'b', shape: [1] }],
  init: () => [tf.tensor2d([[W]]), tf.tensor1d([B])],
  forward: (params, x) => tf.tidy(() => {
    const z = tf.add(tf.matMul(x, params[0]), params[1]);
    return tf.concat([tf.zerosLike(z), z], 1);
  }),
};
const xs = [1, -2, 3];
const ys = [1, 0, 1];
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** r_i = σ(w·x_i + b) − y_i, the derivative of example i's loss with respect to its logit z_i. */
const residuals = xs.map((x, i) => sigmoid(W * x + B) - ys[i]);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

function fisherOf(estimate: 'empirical' | 'batch', batchSize?: number): number[] {
  const params = twoParamModel.init(new Rng(0)).map((t) => tf.variable(t));
  const x = tf.tensor2d(xs, [3, 1]);
  const y = tf.tensor1d(ys, 'int32');
  const fisher = diagonalFisher(params, x, y, (xb, yb) => crossEntropy(twoParamModel.forward(params, xb), yb), { estimate, batchSize });
  const values = fisher.map((f) => f.dataSync()[0]);
  tf.dispose([...params, x, y, ...fisher]);
  return values;
}

describe('diagonal Fisher of a 2-parameter model', () => {
  it('empirical: the mean squared per-example gradient, as computed by hand', () => {
    const [fw, fb] = fisherOf('empirical');
    expect(fw).toBeCloseTo(mean(residuals.map((r, i) => (r * xs[i]) ** 2)), 6);
    expect(fb).toBeCloseTo(mean(residuals.map((r) => r ** 2)), 6);
  });

  it('batch: the squared gradient of the mean loss (the GEM code), per chunk and averaged', () => {
    const [fw, fb] = fisherOf('batch');
    expect(fw).toBeCloseTo(mean(residuals.map((r, i) => r * xs[i])) ** 2, 6);
    expect(fb).toBeCloseTo(mean(residuals) ** 2, 6);
    // Chunks {0, 1} and {2}.
    const [cw, cb] = fisherOf('batch', 2);
    const chunkW = [(residuals[0] * xs[0] + residuals[1] * xs[1]) / 2, residuals[2] * xs[2]];
    const chunkB = [(residuals[0] + residuals[1]) / 2, residuals[2]];
    expect(cw).toBeCloseTo(mean(chunkW.map((g) => g ** 2)), 6);
    expect(cb).toBeCloseTo(mean(chunkB.map((g) => g ** 2)), 6);
  });

  it('is what the ewc learner consolidates at the end of a task', () => {
    const stream: StreamInfo = { type: 'toy', numTasks: 2, inputShape: [1], outputSize: 2, heads: 1, kind: 'classification', description: '' };
    // A step size this small leaves the parameters at (w, b) to float precision.
    const ewc = learners.create('ewc', { lr: 1e-30, fisherSamples: 10 }) as Ewc;
    ewc.setup({ stream, model: twoParamModel, rng: new Rng(1), batchSize: 3, epochs: 1, taskFree: false });
    ewc.beginTask({ index: 0, id: 't0' });
    const x = tf.tensor2d(xs, [3, 1]);
    const y = tf.tensor1d(ys, 'int32');
    ewc.observe({ x, y, size: 3, taskIndex: 0 });
    ewc.endTask({ index: 0, id: 't0' });
    const [fw, fb] = ewc.fisher!.map((f) => f.dataSync()[0]);
    expect(fw).toBeCloseTo(mean(residuals.map((r, i) => (r * xs[i]) ** 2)), 6);
    expect(fb).toBeCloseTo(mean(residuals.map((r) => r ** 2)), 6);
    tf.dispose([x, y]);
    ewc.dispose();
  });

  it('normalizeFisher rescales to [0, 1] over all parameters', () => {
    const scaled = normalizeFisher([tf.tensor1d([2, 4]), tf.tensor1d([6])]);
    expect(scaled.map((t) => Array.from(t.dataSync()))).toEqual([[0, 0.5], [1]]);
    tf.dispose(scaled);
  });
});

describe('QuadraticPenalty', () => {
  const thetaValues = [[0.3, -1, 2], [0.5]];
  const anchors = [
    { importance: [[1, 0, 2], [3]], center: [[0, 0, 1], [1]] },
    { importance: [[0, 0.5, 1], [1]], center: [[1, -2, 0], [-1]] },
    { importance: [[2, 1, 0], [0]], center: [[-1, 1, 3], [2]] },
  ];
  /** Σ_k Σ_i Ω_k,i (θ_i − c_k,i)², directly. */
  const direct = anchors.reduce((s, a) => s + a.importance.reduce((s2, imp, p) => {
    const th = thetaValues[p];
    return s2 + imp.reduce((s3, w, i) => s3 + w * (th[i] - a.center[p][i]) ** 2, 0);
  }, 0), 0);

  it('merged anchors give the same value and gradient as one penalty per anchor', () => {
    const theta = thetaValues.map((v) => tf.tensor1d(v));
    const penalty = new QuadraticPenalty();
    for (const a of anchors) penalty.addAnchor(a.importance.map((v) => tf.tensor1d(v)), a.center.map((v) => tf.tensor1d(v)));
    const value = penalty.value(theta);
    expect(value.dataSync()[0]).toBeCloseTo(direct, 4);
    const zeros = theta.map((t) => tf.zerosLike(t));
    const grad = penalty.addGradient(zeros, theta, 0.5); // ½·∇ = Σ_k Ω_k (θ − c_k)
    const expected = theta.map((t, p) => Array.from(t.dataSync()).map((th, i) => anchors.reduce((s, a) => s + a.importance[p][i] * (th - a.center[p][i]), 0)));
    grad.forEach((g, p) => Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[p][i], 5)));
    tf.dispose([value, ...zeros, ...grad, ...theta]);
    penalty.dispose();
  });

  it('replaceAnchor keeps a decayed running importance and only the newest centre (online EWC)', () => {
    const penalty = new QuadraticPenalty();
    penalty.replaceAnchor([tf.tensor1d([4])], [tf.tensor1d([1])], 0.5);
    penalty.replaceAnchor([tf.tensor1d([1])], [tf.tensor1d([3])], 0.5);
    expect(Array.from(penalty.totalImportance![0].dataSync())).toEqual([3]); // 0.5·4 + 1
    const value = penalty.value([tf.tensor1d([5])]);
    expect(value.dataSync()[0]).toBeCloseTo(3 * (5 - 3) ** 2, 5);
    tf.dispose(value);
    penalty.dispose();
  });
});

describe('ewc learner', () => {
  it('forgets less than naive on a two-task problem, as one penalty per task or online', async () => {
    const f = await forgettingOnTwoTasks([
      { type: 'ewc', lr: 0.1, lambda: 100 },
      { type: 'ewc', name: 'online', lr: 0.1, lambda: 100, online: true, gamma: 0.9 },
    ], backend);
    for (const label of ['ewc', 'online']) {
      expect(f[label].drop).toBeLessThan(f.naive.drop - 0.05);
      expect(f[label].learned).toBeGreaterThan(0.7);
    }
  });
});

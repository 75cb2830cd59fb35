import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { type ParamObjective, alignmentObjective } from '../../src/learners/continual-meta/gradalign.js';
import { twiceDifferentiableCrossEntropy } from '../../src/models/losses.js';
import { mlp } from '../../src/models/mlp.js';
import { Rng } from '../../src/util/rng.js';
import { tanhNet } from '../meta/helpers.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** ⟨∇f(θ), v⟩ by central differences along v. */
function directional(f: ParamObjective, theta: tf.Tensor[], v: tf.Tensor[], eps: number): number {
  const at = (sign: number) => tf.tidy(() => f(theta.map((p, i) => tf.add(p, tf.mul(v[i], sign * eps)))).dataSync()[0]);
  return (at(1) - at(-1)) / (2 * eps);
}

const dot = (a: tf.Tensor[], b: tf.Tensor[]) => tf.tidy(() => tf.addN(a.map((g, i) => tf.sum(tf.mul(g, b[i])))).dataSync()[0]);

describe('gradalign objective', () => {
  it('has the gradient finite differences give it, second-order alignment term included', () => {
    const rng = new Rng(3);
    const model = tanhNet(6, 3, 2);
    const theta = model.init(rng);
    const batch = (n: number, seed: number) => {
      const r = new Rng(seed);
      return { x: tf.tensor2d(Float32Array.from({ length: 3 * n }, () => r.uniform(-1, 1)), [n, 3]), y: tf.tensor1d(Int32Array.from({ length: n }, () => r.int(2)), 'int32') };
    };
    const cur = batch(4, 1);
    const mem = batch(5, 2);
    const current: ParamObjective = (p) => twiceDifferentiableCrossEntropy(model.forward(p, cur.x), cur.y);
    const memory: ParamObjective = (p) => twiceDifferentiableCrossEntropy(model.forward(p, mem.x), mem.y);
    const objective = alignmentObjective(current, memory, 5, 0.5);
    const grad = tf.grads((...p: tf.Tensor[]) => objective(p))(theta);
    const plain = tf.grads((...p: tf.Tensor[]) => tf.add(current(p), tf.mul(memory(p), 0.5)) as tf.Scalar)(theta);
    for (let k = 0; k < 3; k++) {
      const v = theta.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 10 * k + i));
      const numeric = directional(objective, theta, v, 1e-2);
      expect(Math.abs(dot(grad, v) - numeric)).toBeLessThan(2e-3 * (1 + Math.abs(numeric)));
      // The alignment term is really there: without it the directional derivative is different.
      expect(Math.abs(dot(plain, v) - numeric)).toBeGreaterThan(1e-2);
      tf.dispose(v);
    }
    tf.dispose([...theta, ...grad, ...plain, cur.x, cur.y, mem.x, mem.y]);
  });

  it('runs second order through the MLP the benchmarks use', () => {
    const model = mlp({ inputSize: 4, hidden: [5], outputSize: 3 });
    const theta = model.init(new Rng(1));
    const x = tf.tensor2d([[0.1, -0.4, 0.8, 0.3], [-0.9, 0.2, 0.5, -0.1]]);
    const y = tf.tensor1d([2, 0], 'int32');
    const f: ParamObjective = (p) => twiceDifferentiableCrossEntropy(model.forward(p, x), y);
    const g: ParamObjective = (p) => twiceDifferentiableCrossEntropy(model.forward(p, tf.reverse(x, 0)), tf.reverse(y, 0));
    const objective = alignmentObjective(f, g, 3, 0);
    const grad = tf.grads((...p: tf.Tensor[]) => objective(p))(theta);
    const v = theta.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', i));
    expect(Math.abs(dot(grad, v) - directional(objective, theta, v, 1e-3))).toBeLessThan(5e-3);
    tf.dispose([...theta, ...grad, ...v, x, y]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { toVariables } from '../../src/learners/base/model-learner.js';
import type { StoredExamples } from '../../src/learners/base/example-memory.js';
import { type InnerLoopEngine, makeEngine } from '../../src/learners/continual-meta/inner-loop-engine.js';
import { type Mer, type MerBatch, batchOrder, merStepCount, merUpdate } from '../../src/learners/continual-meta/mer.js';
import { learners } from '../../src/learners/registry.js';
import { mlp } from '../../src/models/mlp.js';
import type { StreamInfo } from '../../src/streams/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const stream: StreamInfo = { type: 'toy', numTasks: 2, inputShape: [6], outputSize: 3, heads: 1, kind: 'classification', description: '' };
const model = mlp({ inputSize: 6, hidden: [5, 4], outputSize: 3 });

/** Random examples; a third of the inputs are exactly 0, as MNIST's background is. */
function examples(n: number, seed: number): StoredExamples {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: n * 6 }, (_, i) => (i % 3 === 0 ? 0 : rng.uniform(-1, 1))),
    y: Float32Array.from({ length: n }, () => rng.int(3)),
    tasks: new Int32Array(n),
    n,
  };
}

function engines(seed = 0): { variables: tf.Variable[]; host: InnerLoopEngine; tfe: InnerLoopEngine } {
  const variables = toVariables(model.init(new Rng(seed)));
  const setup = { model, stream, variables, headOf: () => 0 };
  return { variables, host: makeEngine('host', setup, 'test'), tfe: makeEngine('tf', setup, 'test') };
}

/** The engine's θ, read back through a commit into fresh variables. */
function thetaOf(engine: InnerLoopEngine, like: tf.Variable[]): Float32Array[] {
  const vars = like.map((v) => tf.variable(tf.zerosLike(v)));
  engine.commit(vars);
  const out = vars.map((v) => Float32Array.from(v.dataSync()));
  tf.dispose(vars);
  return out;
}

function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((p, i) => p.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThan(tol)));
}

/** θ after plain SGD, one example at a time, through tfjs autodiff. */
function sequentialSgd(variables: tf.Variable[], data: StoredExamples, rows: readonly number[], lr: number): Float32Array[] {
  let theta = variables.map((v) => v.clone() as tf.Tensor);
  for (const r of rows) {
    const next = tf.tidy(() => {
      const x = tf.tensor2d(data.x.subarray(r * 6, (r + 1) * 6), [1, 6]);
      const y = tf.tensor1d([data.y[r]], 'int32');
      const grads = tf.grads((...p: tf.Tensor[]) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), model.forward(p, x)) as tf.Scalar)(theta);
      return theta.map((p, i) => tf.sub(p, tf.mul(grads[i], lr)));
    });
    tf.dispose(theta);
    theta = next;
  }
  const out = theta.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(theta);
  return out;
}

describe('MER inner loop', () => {
  it('takes the same single-example SGD steps on the host engine as tfjs autodiff does', () => {
    const { variables, host, tfe } = engines();
    expect(host.kind).toBe('host');
    const data = examples(8, 1);
    const rows = [3, 0, 7, 7, 2, 5];
    for (const engine of [host, tfe]) {
      engine.use(data);
      for (const r of rows) engine.step(r, 0.3);
    }
    const expected = sequentialSgd(variables, data, rows, 0.3);
    expectClose(thetaOf(host, variables), expected);
    expectClose(thetaOf(tfe, variables), expected);
    host.dispose();
    tfe.dispose();
    tf.dispose(variables);
  });

  it('with β = γ = 1 and one batch is plain sequential SGD over the batch order', () => {
    const { variables, host, tfe } = engines(2);
    const data = examples(5, 3);
    const batch: MerBatch = { examples: data, order: [2, 0, 4, 1, 3], current: 0 };
    for (const engine of [host, tfe]) merUpdate(engine, [batch], { lr: 0.2, beta: 1, gamma: 1, currentLossScale: 1 });
    const expected = sequentialSgd(variables, data, batch.order, 0.2);
    expectClose(thetaOf(host, variables), expected);
    expectClose(thetaOf(tfe, variables), expected);
    tf.dispose(variables);
  });

  it('interpolates within batches by β and across batches by γ', () => {
    const { variables, host } = engines(4);
    const data = examples(4, 5);
    const b1: MerBatch = { examples: data, order: [1, 0], current: 0 };
    const b2: MerBatch = { examples: data, order: [3, 2, 0], current: 0 };
    const [beta, gamma, lr] = [0.25, 0.5, 0.2];
    merUpdate(host, [b1, b2], { lr, beta, gamma, currentLossScale: 1 });
    // By hand: θ1 = θ0 + β(SGD(θ0; b1) − θ0); θ2 = θ1 + β(SGD(θ1; b2) − θ1); θ = θ0 + γ(θ2 − θ0).
    const theta0 = variables.map((v) => Float32Array.from(v.dataSync()));
    const mix = (from: Float32Array[], to: Float32Array[], rate: number) => from.map((f, i) => f.map((v, j) => v + rate * (to[i][j] - v)));
    const theta1 = mix(theta0, sequentialSgd(variables, data, b1.order, lr), beta);
    const vars1 = theta1.map((p, i) => tf.variable(tf.tensor(p, variables[i].shape)));
    const theta2 = mix(theta1, sequentialSgd(vars1, data, b2.order, lr), beta);
    expectClose(thetaOf(host, variables), mix(theta0, theta2, gamma));
    tf.dispose([...variables, ...vars1]);
  });

  it('scales only the incoming example’s step (Algorithm 7)', () => {
    const { variables, host } = engines(6);
    const data = examples(3, 7);
    merUpdate(host, [{ examples: data, order: [0, 1, 2], current: 0 }], { lr: 0.1, beta: 1, gamma: 1, currentLossScale: 3 });
    // A scaled loss is a scaled step: lr·3 on row 0, lr on the others.
    const afterFirst = sequentialSgd(variables, data, [0], 0.3);
    const vars = afterFirst.map((p, i) => tf.variable(tf.tensor(p, variables[i].shape)));
    expectClose(thetaOf(host, variables), sequentialSgd(vars, data, [1, 2], 0.1));
    tf.dispose([...variables, ...vars]);
  });

  it('orders a batch as asked', () => {
    const rng = new Rng(0);
    expect(batchOrder(4, 'first', rng)).toEqual([0, 1, 2, 3]);
    expect(batchOrder(4, 'last', rng)).toEqual([1, 2, 3, 0]);
    expect([...batchOrder(6, 'shuffled', rng)].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('mer learner', () => {
  const tiny = (learners: unknown[], protocol: Record<string, unknown> = {}) => resolveScenario({
    name: 'mer-tiny',
    stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 60, testPerTask: 100 },
    model: { type: 'mlp', hidden: [16] },
    protocol: { batchSize: 1, lcaBeta: 0, shuffle: false, ...protocol },
    learners,
    seeds: [0],
  });

  it('with β = γ = 1, s = 1 and no replay is naive SGD one example at a time', async () => {
    const result = await runScenario(tiny([
      { type: 'naive', lr: 0.05 },
      { type: 'mer', lr: 0.05, beta: 1, gamma: 1, steps: 1, replay: 0 },
      { type: 'mer', name: 'mer-tf', lr: 0.05, beta: 1, gamma: 1, steps: 1, replay: 0, engine: 'tf' },
    ]), { outDir: tempDir(), backend });
    const [naive, mer, merTf] = result.runs.map((r) => r.accuracyMatrix.flat() as number[]);
    mer.forEach((v, i) => expect(Math.abs(v - naive[i])).toBeLessThanOrEqual(0.011));
    merTf.forEach((v, i) => expect(Math.abs(v - naive[i])).toBeLessThanOrEqual(0.011));
  });

  it('takes the reference’s number of SGD steps, on either engine alike', async () => {
    const options = { lr: 0.05, beta: 0.1, gamma: 1, steps: 2, replay: 3, memorySize: 20 };
    const info: StreamInfo = { type: 'rotated-mnist', numTasks: 2, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: '' };
    const runs: { steps: number; out: Float32Array }[] = [];
    for (const engine of ['host', 'tf'] as const) {
      const learner = learners.create('mer', { ...options, engine }) as Mer;
      await learner.setup({ stream: info, model: mlp({ inputSize: 784, hidden: [8], outputSize: 10 }), rng: new Rng(1), batchSize: 5, epochs: 1, taskFree: true });
      expect(learner.engineKind).toBe(engine);
      const rng = new Rng(9);
      for (let b = 0; b < 6; b++) {
        const x = tf.tensor2d(Float32Array.from({ length: 5 * 784 }, () => (rng.next() < 0.7 ? 0 : rng.next())), [5, 784]);
        const y = tf.tensor1d(Int32Array.from({ length: 5 }, () => rng.int(10)), 'int32');
        learner.observe({ x, y, size: 5 });
        tf.dispose([x, y]);
      }
      const probe = tf.ones([1, 784]);
      const out = learner.predict(probe);
      runs.push({ steps: learner.sgdSteps, out: Float32Array.from(out.dataSync()) });
      tf.dispose([probe, out]);
      learner.dispose();
    }
    expect(runs[0].steps).toBe(merStepCount(30, options));
    expect(runs[1].steps).toBe(runs[0].steps);
    runs[0].out.forEach((v, j) => expect(Math.abs(v - runs[1].out[j])).toBeLessThan(1e-3));
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import type { StoredExamples } from '../../src/learners/base/example-memory.js';
import { crossEntropy } from '../../src/models/losses.js';
import { toVariables } from '../../src/learners/base/model-learner.js';
import { HostMlp } from '../../src/learners/continual-meta/host-mlp.js';
import { laMamlGlance } from '../../src/learners/continual-meta/lamaml.js';
import type { LookAheadEngine } from '../../src/learners/continual-meta/lamaml-engine.js';
import { HostLookAhead } from '../../src/learners/continual-meta/lamaml-host.js';
import { TfLookAhead } from '../../src/learners/continual-meta/lamaml-tf.js';
import { taskBatchedForward } from '../../src/learners/meta/task-batched.js';
import { learners } from '../../src/learners/registry.js';
import type { Learner } from '../../src/learners/types.js';
import { mlp } from '../../src/models/mlp.js';
import type { StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await useBackend('wasm');
});

const stream: StreamInfo = { type: 'toy', numTasks: 1, inputShape: [4], outputSize: 3, heads: 1, kind: 'classification', description: '' };
const model = mlp({ inputSize: 4, hidden: [5], outputSize: 3 });

function toyExamples(n: number, seed: number): StoredExamples {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: n * 4 }, () => rng.uniform(-1, 1)),
    y: Float32Array.from({ length: n }, () => rng.int(3)),
    tasks: new Int32Array(n),
    n,
  };
}

function toyBatch(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const e = toyExamples(n, seed);
  return { x: tf.tensor2d(e.x, [n, 4]), y: tf.tensor1d(Int32Array.from(e.y), 'int32') };
}

async function made(type: string, options: Record<string, unknown>): Promise<Learner> {
  const learner = learners.create(type, options);
  await learner.setup({ stream, model, rng: new Rng(3), batchSize: 4, epochs: 1, taskFree: false });
  return learner;
}

describe('La-MAML glance', () => {
  it('moves θ and α by autodiff of the unrolled first-order look-ahead objective, on every engine', () => {
    const rng = new Rng(1);
    const theta = model.init(rng);
    const alpha = theta.map((p, k) => tf.randomUniform(p.shape, k === 0 ? -0.05 : 0.01, 0.2, 'float32', 7 + k));
    const inner = toyExamples(3, 2);
    const meta = toyExamples(6, 4);
    const order = [2, 0, 1];
    const innerX = tf.tensor2d(inner.x, [3, 4]);
    const innerY = tf.tensor1d(Int32Array.from(inner.y), 'int32');
    const metaX = tf.tensor2d(meta.x, [6, 4]);
    const metaY = tf.tensor1d(Int32Array.from(meta.y), 'int32');
    const innerLoss = (p: readonly tf.Tensor[], i: number) => crossEntropy(model.forward(p, tf.slice(innerX, i, 1)), tf.slice(innerY, i, 1));
    const metaLoss = (p: readonly tf.Tensor[]) => crossEntropy(model.forward(p, metaX), metaY);

    // First order: the inner gradients are constants, computed beforehand along the same path.
    const constants: tf.Tensor[][] = [];
    let fast = [...theta];
    for (const i of order) {
      const g = tf.grads((...p: tf.Tensor[]) => innerLoss(p, i))(fast);
      constants.push(g);
      fast = fast.map((p, k) => tf.sub(p, tf.mul(tf.relu(alpha[k]), g[k])));
    }
    const objective = (...vars: tf.Tensor[]) => {
      const th = vars.slice(0, theta.length);
      const al = vars.slice(theta.length);
      let f = th;
      let total: tf.Tensor = tf.scalar(0);
      for (const g of constants) {
        f = f.map((p, k) => tf.sub(p, tf.mul(tf.relu(al[k]), g[k])));
        total = tf.add(total, metaLoss(f));
      }
      return tf.div(total, constants.length) as tf.Scalar;
    };
    const auto = tf.grads(objective)([...theta, ...alpha]).map((g) => g.dataSync());
    const value = objective(...theta, ...alpha).dataSync()[0];
    const before = [...theta, ...alpha].map((t) => Float32Array.from(t.dataSync()));

    // Unit step sizes and no clipping: θ and α each move by exactly minus their meta-gradient.
    const settings = { alphaLr: 1, lr: 1, clipNorm: 1e9 };
    const variables: tf.Variable[] = [];
    const engines: [string, () => { engine: LookAheadEngine; read: () => Float32Array[] }][] = [
      ['host', () => {
        const engine = new HostLookAhead(HostMlp.for(model, 'classification')!, before.slice(0, theta.length).map((p) => p.slice()), before.slice(theta.length).map((a) => a.slice()));
        return { engine, read: () => [...engine.theta, ...engine.alpha] };
      }],
      ...[undefined, taskBatchedForward(model)].map((stacked): [string, () => { engine: LookAheadEngine; read: () => Float32Array[] }] => [stacked ? 'tf stacked' : 'tf', () => {
        const vars = toVariables([...theta, ...alpha].map((t) => t.clone()));
        variables.push(...vars);
        const engine = new TfLookAhead({ model, stream, theta: vars.slice(0, theta.length), alpha: vars.slice(theta.length), headOf: () => 0, stacked });
        return { engine, read: () => vars.map((v) => Float32Array.from(v.dataSync())) };
      }]),
    ];
    for (const [label, build] of engines) {
      const { engine, read } = build();
      const loss = laMamlGlance(engine, inner, order, meta, 0, settings);
      expect(Math.abs(loss - value), label).toBeLessThan(1e-5);
      const after = read();
      after.forEach((values, k) => values.forEach((v, j) => expect(Math.abs(before[k][j] - v - auto[k][j]), `${label} ${k}`).toBeLessThan(1e-5)));
      // Entries of α at or below zero take no step and get no gradient (relu).
      const dead = before[theta.length].findIndex((v) => v <= 0);
      expect(dead).toBeGreaterThanOrEqual(0);
      expect(after[theta.length][dead], label).toBe(before[theta.length][dead]);
      engine.dispose();
    }
    tf.dispose([...variables, ...theta, ...alpha, innerX, innerY, metaX, metaY, ...constants.flat()]);
  });

  it('raises α where the look-ahead step also lowers the replayed loss', async () => {
    // Meta batch = the incoming example itself (no replay): a larger step on it lowers its own
    // loss, so ∂L/∂α = −∇L(θ₁)⊙g ≤ 0 everywhere and α can only grow.
    for (const engine of ['host', 'tf']) {
    const learner = await made('lamaml', { alphaInit: 0.05, alphaLr: 0.5, glances: 1, replayBatch: 0, engine });
    const before = learner as unknown as { stepSizes: readonly tf.Variable[] };
    const { x, y } = toyBatch(1, 9);
    learner.observe({ x, y, size: 1, taskIndex: 0 });
    let grew = 0;
    for (const a of before.stepSizes) {
      for (const v of a.dataSync()) {
        expect(v).toBeGreaterThanOrEqual(0.05 - 1e-7);
        if (v > 0.05 + 1e-6) grew++;
      }
    }
    expect(grew, engine).toBeGreaterThan(10);
    tf.dispose([x, y]);
    learner.dispose();
    }
  });

  it('keeps α fixed for cmaml and learns it for lamaml-sync', async () => {
    for (const [type, moves] of [['cmaml', false], ['lamaml-sync', true]] as const) {
      const learner = await made(type, { alphaInit: 0.1, glances: 2, replayBatch: 2 });
      const { x, y } = toyBatch(4, 11);
      learner.observe({ x, y, size: 4, taskIndex: 0 });
      learner.observe({ x, y, size: 4, taskIndex: 0 });
      const alpha = (learner as unknown as { stepSizes: readonly tf.Variable[] }).stepSizes.flatMap((a) => [...a.dataSync()]);
      expect(alpha.some((v) => Math.abs(v - 0.1) > 1e-6), type).toBe(moves);
      tf.dispose([x, y]);
      learner.dispose();
    }
  });
});

describe('La-MAML engines', () => {
  it('computes the same glances in host memory as through tfjs', async () => {
    for (const type of ['lamaml', 'lamaml-sync', 'cmaml']) {
      const thetas: Float32Array[][] = [];
      for (const engine of ['host', 'tf']) {
        const learner = await made(type, { alphaInit: 0.1, alphaLr: 0.2, glances: 2, replayBatch: 3, memorySize: 5, engine });
        expect((learner as unknown as { engineKind: string }).engineKind).toBe(engine);
        for (let b = 0; b < 4; b++) {
          const { x, y } = toyBatch(4, 20 + b);
          learner.observe({ x, y, size: 4, taskIndex: 0 });
          tf.dispose([x, y]);
        }
        const probe = tf.tensor2d([[0.3, -0.2, 0.9, 0.1]]);
        const out = learner.predict(probe);
        const alpha = (learner as unknown as { stepSizes: readonly tf.Variable[] }).stepSizes;
        thetas.push([Float32Array.from(out.dataSync()), ...alpha.map((a) => Float32Array.from(a.dataSync()))]);
        tf.dispose([probe, out]);
        learner.dispose();
      }
      thetas[0].forEach((values, k) => values.forEach((v, j) => expect(Math.abs(v - thetas[1][k][j]), `${type} ${k}`).toBeLessThan(1e-4)));
    }
  });
});

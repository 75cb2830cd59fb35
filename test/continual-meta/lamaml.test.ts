import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { crossEntropy } from '../../src/learners/base/losses.js';
import { laMamlMetaGradients } from '../../src/learners/continual-meta/lamaml.js';
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

function toyBatch(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  return {
    x: tf.tensor2d(Float32Array.from({ length: n * 4 }, () => rng.uniform(-1, 1)), [n, 4]),
    y: tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(3)), 'int32'),
  };
}

async function made(type: string, options: Record<string, unknown>): Promise<Learner> {
  const learner = learners.get(type).create(options as never);
  await learner.setup({ stream, model, rng: new Rng(3), batchSize: 4, epochs: 1, taskFree: false });
  return learner;
}

describe('La-MAML meta-gradient', () => {
  it('equals autodiff of the unrolled first-order look-ahead objective', () => {
    const rng = new Rng(1);
    const theta = model.init(rng);
    const alpha = theta.map((p, k) => tf.randomUniform(p.shape, k === 0 ? -0.05 : 0.01, 0.2, 'float32', 7 + k));
    const inner = toyBatch(3, 2);
    const meta = toyBatch(6, 4);
    const innerLoss = (p: readonly tf.Tensor[], i: number) => crossEntropy(model.forward(p, tf.slice(inner.x, i, 1)), tf.slice(inner.y, i, 1));
    const metaLoss = (p: readonly tf.Tensor[]) => crossEntropy(model.forward(p, meta.x), meta.y);
    const steps = [2, 0, 1];
    const closed = tf.tidy(() => laMamlMetaGradients(theta, alpha, innerLoss, steps, metaLoss));
    const forward = taskBatchedForward(model)!;
    const stackedLoss = (p: readonly tf.Tensor[]) =>
      tf.mul(crossEntropy(tf.reshape(forward(p, tf.tile(tf.expandDims(meta.x, 0), [3, 1, 1])), [18, 3]), tf.tile(meta.y, [3])), 3) as tf.Scalar;
    const batched = tf.tidy(() => laMamlMetaGradients(theta, alpha, innerLoss, steps, metaLoss, stackedLoss));

    // First order: the inner gradients are constants, computed beforehand along the same path.
    const constants: tf.Tensor[][] = [];
    let fast = [...theta];
    for (const i of steps) {
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
    const auto = tf.grads(objective)([...theta, ...alpha]);
    const close = (a: tf.Tensor, b: tf.Tensor) => {
      const [av, bv] = [a.dataSync(), b.dataSync()];
      av.forEach((v, j) => expect(Math.abs(v - bv[j])).toBeLessThan(1e-5));
    };
    for (const result of [closed, batched]) {
      result.theta.forEach((g, k) => close(g, auto[k]));
      result.alpha.forEach((g, k) => close(g, auto[theta.length + k]));
      expect(Math.abs(result.loss.dataSync()[0] - objective(...theta, ...alpha).dataSync()[0])).toBeLessThan(1e-5);
    }
    // Entries of α at or below zero take no step and get no gradient (relu).
    const dead = alpha[0].dataSync().findIndex((v) => v <= 0);
    expect(dead).toBeGreaterThanOrEqual(0);
    expect(closed.alpha[0].dataSync()[dead]).toBe(0);
    tf.dispose([...theta, ...alpha, inner.x, inner.y, meta.x, meta.y, ...closed.theta, ...closed.alpha, closed.loss, ...batched.theta, ...batched.alpha, batched.loss, ...auto, ...constants.flat()]);
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

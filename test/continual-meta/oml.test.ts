import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { meanSquaredError } from '../../src/models/losses.js';
import type { Oml } from '../../src/learners/continual-meta/oml.js';
import { type InnerSettings, type TrajectoryData, omlMetaLoss } from '../../src/learners/continual-meta/oml.js';
import { learners } from '../../src/learners/registry.js';
import { splitMlp } from '../../src/learners/continual-meta/split-mlp.js';
import { mlp } from '../../src/models/mlp.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { streams } from '../../src/streams/registry.js';
import type { StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const sineStream = { type: 'incremental-sine', tasks: 3, trainPerTask: 12, testPerTask: 12 };
const info: StreamInfo = streams.get('incremental-sine').create(sineStream, new Rng(0)).info;

function trajectory(seed: number): TrajectoryData {
  const rng = new Rng(seed);
  const rows = (n: number) => tf.tensor2d(Float32Array.from({ length: n * 4 }, (_, i) => (i % 4 === 0 ? rng.uniform(-5, 5) : rng.int(2))), [n, 4]);
  return {
    x: rows(6), y: tf.tensor2d(Float32Array.from({ length: 6 }, () => rng.uniform(-2, 2)), [6, 1]), steps: 3, batchSize: 2,
    rememberX: rows(5), rememberY: tf.tensor2d(Float32Array.from({ length: 5 }, () => rng.uniform(-2, 2)), [5, 1]),
  };
}

describe('OML meta-objective', () => {
  it('is differentiated through the inner loop: its gradient matches the unsplit network and finite differences', () => {
    const model = mlp({ inputSize: 4, hidden: [6, 5], outputSize: 1 });
    const split = splitMlp(model, 1);
    if (typeof split === 'string') throw new Error(split);
    const params = model.init(new Rng(4));
    const t = trajectory(5);
    const settings: InnerSettings = { innerLr: 0.05, clip: 100, lossOf: meanSquaredError };
    const f = (p: readonly tf.Tensor[]) => omlMetaLoss(split, p, t, settings);
    // The same objective without caching the representation: every step runs the whole network.
    const unsplit = (p: readonly tf.Tensor[]) => {
      let fast = p.slice(2);
      for (let k = 0; k < t.steps; k++) {
        const [x, y] = [tf.slice(t.x, 2 * k, 2), tf.slice(t.y, 2 * k, 2)];
        const g = tf.grads((...w: tf.Tensor[]) => meanSquaredError(model.forward([p[0], p[1], ...w], x), y))(fast);
        fast = fast.map((w, i) => tf.sub(w, tf.mul(g[i], settings.innerLr)));
      }
      return meanSquaredError(model.forward([p[0], p[1], ...fast], t.rememberX), t.rememberY);
    };
    const grads = tf.grads((...p: tf.Tensor[]) => f(p))(params);
    const reference = tf.grads((...p: tf.Tensor[]) => unsplit(p))(params);
    grads.forEach((g, i) => {
      const [a, b] = [g.dataSync(), reference[i].dataSync()];
      a.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThan(1e-4 * (1 + Math.abs(b[j]))));
    });
    for (let k = 0; k < 2; k++) {
      const v = params.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 31 * k + i));
      // A small step: ReLU kinks make wider central differences wrong, not the gradient.
      const at = (e: number) => tf.tidy(() => f(params.map((p, i) => tf.add(p, tf.mul(v[i], e)))).dataSync()[0]);
      const numeric = (at(1e-4) - at(-1e-4)) / 2e-4;
      const analytic = tf.tidy(() => tf.addN(grads.map((g, i) => tf.sum(tf.mul(g, v[i])))).dataSync()[0]);
      expect(Math.abs(analytic - numeric)).toBeLessThan(2e-2 * (1 + Math.abs(numeric)));
      tf.dispose(v);
    }
    // The representation layers get a gradient through the trajectory too, not only the remember set.
    expect(tf.tidy(() => tf.max(tf.abs(grads[0])).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([...params, ...grads, ...reference, t.x, t.y, t.rememberX, t.rememberY]);
  });
});

describe('oml learner', () => {
  const options = (iterations: number, extra: Record<string, unknown> = {}) => ({
    representationLayers: 1,
    metaTraining: { stream: { ...sineStream, pool: 50 }, iterations, batchSize: 4, stepsPerTask: 3, rememberPerTask: 6, innerLr: 0.03, metaLr: 0.003, ...extra },
  });

  async function made(iterations: number, extra: Record<string, unknown> = {}): Promise<Oml> {
    const learner = learners.create('oml', options(iterations, extra)) as Oml;
    await learner.setup({ stream: info, model: mlp({ inputSize: 4, hidden: [16, 16], outputSize: 1 }), rng: new Rng(7), batchSize: 4, epochs: 1, taskFree: true });
    return learner;
  }

  it('meta-trains at setup and then trains only the prediction network on the stream', async () => {
    const fresh = await made(0);
    const trained = await made(3);
    const snapshot = (l: Oml) => (l as unknown as { params: tf.Variable[] }).params.map((p) => Float32Array.from(p.dataSync()));
    const [before, after] = [snapshot(fresh), snapshot(trained)];
    expect(after[0].some((v, j) => v !== before[0][j])).toBe(true); // meta-training moved the representation
    const x = tf.tensor2d([[1.5, 1, 0, 0], [-2, 0, 1, 0], [0.3, 0, 0, 1], [4, 1, 0, 0]]);
    const y = tf.tensor2d([[1], [-1], [0.5], [2]]);
    trained.observe({ x, y, size: 4 });
    const online = snapshot(trained);
    // RLN = dense0 (parameters 0 and 1): frozen; PLN = dense1 and the output layer: moved.
    for (const i of [0, 1]) expect(online[i]).toEqual(after[i]);
    for (const i of [2, 3, 4]) expect(online[i].some((v, j) => v !== after[i][j]), `param ${i}`).toBe(true);
    tf.dispose([x, y]);
    fresh.dispose();
    trained.dispose();
  });

  it('meta-trains to the same start for the same setting and seed', async () => {
    const a = await made(2, { secondOrder: false });
    const b = await made(2, { secondOrder: false });
    const values = (l: Oml) => (l as unknown as { params: tf.Variable[] }).params.flatMap((p) => [...p.dataSync()]);
    expect(values(b)).toEqual(values(a));
    a.dispose();
    b.dispose();
  });

  it('names the option at fault', async () => {
    const bad = learners.create('oml', { metaTraining: { stream: { type: 'incremental-sine', tasks: 0 } } });
    await expect(bad.setup({ stream: info, model: mlp({ inputSize: 4, hidden: [8, 8], outputSize: 1 }), rng: new Rng(1), batchSize: 4, epochs: 1, taskFree: false }))
      .rejects.toThrow(/metaTraining\.stream\.tasks/);
    const mismatch = learners.create('oml', { metaTraining: { stream: { type: 'incremental-sine', tasks: 5 }, iterations: 1 } });
    await expect(mismatch.setup({ stream: info, model: mlp({ inputSize: 4, hidden: [8, 8], outputSize: 1 }), rng: new Rng(1), batchSize: 4, epochs: 1, taskFree: false }))
      .rejects.toThrow(/metaTraining\.stream .* does not match/);
  });
});

/** Meta-updates for the comparison: enough for the representation to matter, few enough for seconds. */
const META_ITERATIONS = 150;

describe('oml at meta-test', () => {
  it('leaves the representation as meta-trained through a whole stream', async () => {
    const learner = learners.create('oml', {
      representationLayers: 1,
      metaTraining: { stream: { ...sineStream, pool: 50 }, iterations: 2, batchSize: 4, stepsPerTask: 3, rememberPerTask: 6, innerLr: 0.03, metaLr: 0.003 },
    });
    await learner.setup({ stream: info, model: mlp({ inputSize: 4, hidden: [16, 16], outputSize: 1 }), rng: new Rng(3), batchSize: 4, epochs: 1, taskFree: true });
    const snapshot = () => (learner as unknown as { params: tf.Variable[] }).params.map((p) => Float32Array.from(p.dataSync()));
    const before = snapshot();
    const stream = streams.get('incremental-sine').create(sineStream, new Rng(11));
    const tasks = await lastValueFrom(stream.tasks().pipe(toArray()));
    for (const task of tasks) {
      const split = task.train();
      for (let start = 0; start < split.n; start += 4) {
        const size = Math.min(4, split.n - start);
        const x = tf.tensor2d(split.x.subarray(start * 4, (start + size) * 4), [size, 4]);
        const y = tf.tensor2d(split.y.subarray(start, start + size), [size, 1]);
        learner.observe({ x, y, size });
        tf.dispose([x, y]);
      }
    }
    const after = snapshot();
    for (const i of [0, 1]) expect(after[i], `RLN param ${i}`).toEqual(before[i]);
    for (const i of [2, 3, 4]) expect(after[i].some((v, j) => v !== before[i][j]), `PLN param ${i}`).toBe(true);
    learner.dispose();
  });

  it('reaches a lower error on new incremental-sine trajectories than the same network without meta-training', async () => {
    // Functions from a small pool, so that a few meta-updates can shape the representation; each run's
    // trajectory is its own draw (functions and their order), unseen as such in meta-training.
    const trajectory = { type: 'incremental-sine', tasks: 3, trainPerTask: 80, testPerTask: 50, pool: 6 };
    // First order keeps this to seconds; the second-order gradient is checked above.
    const metaTraining = { stream: trajectory, batchSize: 8, stepsPerTask: 10, rememberPerTask: 16, innerLr: 0.1, metaLr: 0.003, secondOrder: false };
    const scenario = resolveScenario({
      name: 'oml-sine',
      stream: trajectory,
      model: { type: 'mlp', hidden: [32, 32] },
      protocol: { batchSize: 8, lcaBeta: 0, shuffle: false },
      learners: [
        // The PLN is the output layer: online linear regression on the RLN's features.
        { type: 'oml', name: 'oml', representationLayers: 2, metaTraining: { ...metaTraining, iterations: META_ITERATIONS } },
        { type: 'oml', name: 'no-meta-training', representationLayers: 2, metaTraining: { ...metaTraining, iterations: 0 } },
      ],
      seeds: [0, 1, 2],
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    // MSE on every function after the whole trajectory (lower is better), per learner and seed.
    const final: Record<string, number[][]> = {};
    for (const run of result.runs) {
      expect(run.status, `${run.learner}: ${run.error ?? ''}`).toBe('completed');
      (final[run.learner] ??= []).push(run.accuracyMatrix.at(-1) as number[]);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const summary = JSON.stringify(final);
    const [oml, none] = [final.oml, final['no-meta-training']];
    oml.forEach((row, seed) => expect(mean(row), `seed ${seed}: ${summary}`).toBeLessThan(mean(none[seed])));
    expect(mean(oml.map(mean)), summary).toBeLessThan(0.75 * mean(none.map(mean)));
    // The first function, learned longest ago, is where forgetting shows.
    expect(mean(oml.map((row) => row[0])), summary).toBeLessThan(mean(none.map((row) => row[0])));
  });
});

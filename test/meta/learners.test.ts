import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { meanSquaredError } from '../../src/models/losses.js';
import { learners } from '../../src/learners/registry.js';
import { Reptile } from '../../src/learners/meta/reptile.js';
import type { Learner, LearnerSpec } from '../../src/learners/types.js';
import { mlp } from '../../src/models/mlp.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { learnerOptions } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';
import { tensorCountsAt } from '../helpers/tensor-counts.js';
import { maxRelativeError, metaBatchOf, paramValues, setUp, sineEpisodes } from './helpers.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const paramsOf = (learner: Learner) => (learner as unknown as { params: tf.Variable[] }).params;

const SIX: LearnerSpec[] = [
  { type: 'maml', innerLr: 0.01 },
  { type: 'fomaml', innerLr: 0.01 },
  { type: 'reptile', innerSteps: 2 },
  { type: 'metasgd', innerLr: 0.01 },
  { type: 'anil', innerLr: 0.05 },
  { type: 'pretrain' },
];

describe('Reptile', () => {
  it('with one inner step, meta-batch 1 and ε = 1 is one SGD step on the task (serial and vectorised)', async () => {
    const model = mlp({ inputSize: 1, hidden: [16], outputSize: 1 });
    const [episode] = sineEpisodes(1, 6, 4, 11);
    for (const vectorise of [false, true]) {
      const reptile = await setUp(learners.create('reptile', { innerSteps: 1, innerLr: 0.05, outerStepSize: 1, anneal: false, metaBatch: 1, vectorise }) as Reptile, model);
      const batch = metaBatchOf([episode]);
      // The expected step, by hand: θ − α ∇L(θ) on the episode's support and query together.
      const expected = tf.tidy(() => {
        const e = batch.episodes[0];
        const x = tf.concat([e.support.x, e.query.x]);
        const y = tf.concat([e.support.y, e.query.y]);
        const theta = paramsOf(reptile).map((p) => p.clone());
        const g = tf.grads((...p: tf.Tensor[]) => meanSquaredError(model.forward(p, x), y))(theta);
        return theta.map((p, i) => tf.sub(p, tf.mul(0.05, g[i])));
      });
      reptile.metaObserve(batch);
      expect(maxRelativeError(paramValues(paramsOf(reptile)), paramValues(expected))).toBeLessThan(1e-6);
      tf.dispose(expected);
      batch.dispose();
      reptile.dispose();
    }
  });

  it('anneals its outer step size linearly to 0 over the meta-training run', async () => {
    const model = mlp({ inputSize: 1, hidden: [8], outputSize: 1 });
    const reptile = await setUp(learners.create('reptile', { innerSteps: 1, metaBatch: 1 }) as Reptile, model, undefined, 0, 4);
    const episodes = sineEpisodes(5, 5, 5);
    const moves: number[] = [];
    for (const e of episodes) {
      const before = paramValues(paramsOf(reptile));
      const batch = metaBatchOf([e]);
      reptile.metaObserve(batch);
      batch.dispose();
      moves.push(maxRelativeError(paramValues(paramsOf(reptile)), before));
    }
    expect(moves[0]).toBeGreaterThan(0);
    expect(moves[4]).toBe(0); // iteration 4 of 4: ε = 0
    reptile.dispose();
  });
});

describe('every meta-learner', () => {
  it('adapts into fast weights without changing its own parameters', async () => {
    const model = mlp({ inputSize: 1, hidden: [20], outputSize: 1 });
    const episodes = sineEpisodes(4, 5, 5, 21);
    for (const spec of SIX) {
      const learner = await setUp(learners.get(spec.type).create(learnerOptions(spec) as never), model);
      const batch = metaBatchOf(episodes);
      await learner.metaObserve!(batch);
      const before = paramValues(paramsOf(learner));
      const { support, query } = batch.episodes[0];
      const base = learner.predict(query.x);
      const adapted = learner.adapt!(support, 3, { lr: 0.05 });
      adapted.step(2);
      const fast = adapted.predict(query.x);
      expect(maxRelativeError(paramValues([fast]), paramValues([base])), spec.type).toBeGreaterThan(1e-4);
      adapted.dispose();
      expect(paramValues(paramsOf(learner)), spec.type).toEqual(before);
      // Disposing the adaptation leaves the learner usable.
      const again = learner.predict(query.x);
      expect(paramValues([again])).toEqual(paramValues([base]));
      tf.dispose([base, fast, again]);
      batch.dispose();
      learner.dispose();
    }
  });

  it('keeps the tensor count flat over 100 meta-iterations, interim evaluations included', async () => {
    const scenario = resolveScenario({
      name: 'leak',
      stream: { type: 'sine', shots: 5, testQueries: 10 },
      model: { type: 'mlp', hidden: [16] },
      protocol: { kind: 'meta', metaIterations: 100, metaBatch: 3, evalEvery: 40, evalEpisodes: 3, interimEpisodes: 2, adaptSteps: 2 },
      learners: SIX,
      seeds: [0],
    });
    const counts = new Map<string, number[]>();
    const before = tf.memory().numTensors;
    await runScenario(scenario, {
      outDir: tempDir(),
      backend,
      onEvent: (e) => {
        if (e.type === 'meta-step' && (e.iteration === 10 || e.iteration === 100)) {
          counts.set(e.learner, [...(counts.get(e.learner) ?? []), tf.memory().numTensors]);
        }
      },
    });
    for (const spec of SIX) {
      const [at10, at100] = counts.get(spec.type) ?? [];
      expect(at10, spec.type).toBeDefined();
      expect(at100, spec.type).toBe(at10);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count flat on few-shot episodes with the Conv-4 (second order through conv, batch-norm and pooling)', async () => {
    const scenario = resolveScenario({
      name: 'leak-conv',
      stream: { type: 'few-shot', ways: 2, shots: 1, queries: 1, testQueries: 1 },
      model: { type: 'conv4', filters: 2 },
      protocol: { kind: 'meta', metaIterations: 20, metaBatch: 1, evalEpisodes: 2, adaptSteps: 1 },
      learners: [{ type: 'maml', innerLr: 0.1 }, { type: 'pretrain' }],
      seeds: [0],
    });
    const counts = await tensorCountsAt(scenario, backend, (e) => e.type === 'meta-step' && (e.iteration === 5 || e.iteration === 20));
    for (const [learner, [at5, at20]] of counts) expect(at20, learner).toBe(at5);
    expect(counts.size).toBe(2);
  });
});

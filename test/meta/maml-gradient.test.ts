import { learners } from '../../src/learners/registry.js';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { innerLoop } from '../../src/learners/meta/functional-sgd.js';
import { Maml } from '../../src/learners/meta/maml.js';
import { MetaSgd } from '../../src/learners/meta/metasgd.js';
import { mlp } from '../../src/models/mlp.js';
import type { FunctionalModel } from '../../src/models/types.js';
import type { Episode } from '../../src/streams/episodes.js';
import { type LossFn, meanSquaredError, twiceDifferentiableCrossEntropy } from '../../src/models/losses.js';
import type { ProblemKind } from '../../src/streams/types.js';
import { blobEpisodes, blobInfo, maxRelativeError, metaBatchOf, paramValues, setUp, sineEpisodes, tanhNet } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const paramsOf = (learner: object) => (learner as { params: tf.Variable[] }).params;

/** The MAML objective, computed forward only: mean over episodes of the query loss after `steps` SGD steps. */
function metaLoss(
  model: FunctionalModel, theta: readonly tf.Tensor[], episodes: readonly Episode[], lr: number | readonly tf.Tensor[], steps: number,
  kind: ProblemKind = 'regression',
): number {
  const loss: LossFn = kind === 'regression' ? meanSquaredError : twiceDifferentiableCrossEntropy;
  const batch = metaBatchOf(episodes, kind);
  try {
    return tf.tidy(() => {
      let total = 0;
      for (const e of batch.episodes) {
        const fast = innerLoop((p) => loss(model.forward(p, e.support.x), e.support.y), theta, { steps, lr });
        total += loss(model.forward(fast, e.query.x), e.query.y).dataSync()[0];
      }
      return total / episodes.length;
    });
  } finally {
    batch.dispose();
  }
}

/** Central differences of `f` with respect to every entry of `values`. In float32, h = 1e-3 balances truncation (O(h²)) against rounding (O(ε/h)). */
function centralDifferences(values: Float32Array[], shapes: number[][], f: (theta: tf.Tensor[]) => number, h = 1e-3): Float32Array[] {
  return values.map((v, i) => Float32Array.from(v, (_, j) => {
    const at = (delta: number) => {
      const theta = values.map((w, k) => {
        const copy = Float32Array.from(w);
        if (k === i) copy[j] += delta;
        return tf.tensor(copy, shapes[k]);
      });
      try {
        return f(theta);
      } finally {
        tf.dispose(theta);
      }
    };
    return (at(h) - at(-h)) / (2 * h);
  }));
}

describe('MAML meta-gradient', () => {
  const episodes = sineEpisodes(3, 5, 8);
  const innerLr = 0.3; // large enough that the second-order term is far from negligible
  const innerSteps = 2;

  it('matches central finite differences of the meta-objective (second order, two inner steps)', async () => {
    const model = tanhNet();
    const maml = await setUp(learners.create('maml', { innerLr, innerSteps }) as Maml, model);
    const batch = metaBatchOf(episodes);
    const { grads } = maml.metaGradient(batch);
    const analytic = paramValues(grads);
    const theta = paramValues(paramsOf(maml));
    const shapes = paramsOf(maml).map((p) => p.shape);
    const numeric = centralDifferences(theta, shapes, (t) => metaLoss(model, t, episodes, innerLr, innerSteps));
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(2e-2);

    // The check has teeth: dropping the second-order term misses the finite differences by far more.
    const fomaml = await setUp(learners.create('maml', { innerLr, innerSteps, firstOrder: true }) as Maml, model);
    const firstOrder = fomaml.metaGradient(batch);
    expect(maxRelativeError(paramValues(firstOrder.grads), numeric)).toBeGreaterThan(0.1);
    tf.dispose([...grads, ...firstOrder.grads]);
    batch.dispose();
    maml.dispose();
    fomaml.dispose();
  });

  it('matches central finite differences on few-shot classification (softmax cross-entropy)', async () => {
    const model = tanhNet(4, 2, 3);
    const eps = blobEpisodes(2, 3, 2, 4);
    const maml = await setUp(learners.create('maml', { innerLr: 0.5, innerSteps: 1 }) as Maml, model, blobInfo(3));
    const batch = metaBatchOf(eps, 'classification');
    const { grads } = maml.metaGradient(batch);
    const theta = paramValues(paramsOf(maml));
    const numeric = centralDifferences(theta, paramsOf(maml).map((p) => p.shape), (t) => metaLoss(model, t, eps, 0.5, 1, 'classification'));
    expect(maxRelativeError(paramValues(grads), numeric)).toBeLessThan(2e-2);
    tf.dispose(grads);
    batch.dispose();
    maml.dispose();
  });

  it('firstOrder gives the query gradient at the adapted weights θ′', async () => {
    const model = tanhNet();
    const fomaml = await setUp(learners.create('maml', { innerLr, innerSteps, firstOrder: true }) as Maml, model);
    const batch = metaBatchOf(episodes);
    const { grads } = fomaml.metaGradient(batch);
    // θ′ by plain SGD, then ∇L_query(θ′), averaged over the episodes.
    const expected = tf.tidy(() => {
      const sums = paramsOf(fomaml).map((p) => tf.zerosLike(p));
      for (const e of batch.episodes) {
        let theta: tf.Tensor[] = paramsOf(fomaml).map((p) => p.clone());
        for (let s = 0; s < innerSteps; s++) {
          const g = tf.grads((...p: tf.Tensor[]) => meanSquaredError(model.forward(p, e.support.x), e.support.y))(theta);
          theta = theta.map((p, i) => tf.sub(p, tf.mul(innerLr, g[i])));
        }
        const gq = tf.grads((...p: tf.Tensor[]) => meanSquaredError(model.forward(p, e.query.x), e.query.y))(theta);
        gq.forEach((g, i) => (sums[i] = tf.add(sums[i], tf.div(g, batch.size))));
      }
      return sums;
    });
    expect(maxRelativeError(paramValues(grads), paramValues(expected))).toBeLessThan(1e-4);
    tf.dispose([...grads, ...expected]);
    batch.dispose();
    fomaml.dispose();
  });

  it('Meta-SGD differentiates through its learned step sizes too', async () => {
    const model = tanhNet(3);
    const metasgd = await setUp(learners.create('metasgd', { innerLr: 0.2, innerSteps: 1 }) as MetaSgd, model);
    const batch = metaBatchOf(episodes);
    const { grads } = metasgd.metaGradient(batch);
    const n = model.params.length;
    const alphas = (metasgd as unknown as { alphas: tf.Variable[] }).alphas;
    const shapes = alphas.map((a) => a.shape);
    const theta = paramsOf(metasgd);
    const numeric = centralDifferences(paramValues(alphas), shapes, (lr) => metaLoss(model, theta, episodes, lr, 1));
    expect(maxRelativeError(paramValues(grads.slice(n)), numeric)).toBeLessThan(2e-2);
    tf.dispose(grads);
    batch.dispose();
    metasgd.dispose();
  });

  it('gives the same meta-gradient vectorised over tasks as task by task (MLP 1-40-40-1)', async () => {
    const model = mlp({ inputSize: 1, hidden: [40, 40], outputSize: 1 });
    const eps = sineEpisodes(4, 10, 10, 7);
    for (const firstOrder of [false, true]) {
      const batched = await setUp(learners.create('maml', { innerLr: 0.01, innerSteps: 2, firstOrder }) as Maml, model);
      const serial = await setUp(learners.create('maml', { innerLr: 0.01, innerSteps: 2, firstOrder, vectorise: false }) as Maml, model);
      expect((batched as unknown as { tasksForward?: unknown }).tasksForward).toBeDefined();
      expect((serial as unknown as { tasksForward?: unknown }).tasksForward).toBeUndefined();
      const batch = metaBatchOf(eps);
      const a = batched.metaGradient(batch);
      const b = serial.metaGradient(batch);
      expect(a.loss).toBeCloseTo(b.loss, 4);
      expect(maxRelativeError(paramValues(a.grads), paramValues(b.grads))).toBeLessThan(1e-3);
      tf.dispose([...a.grads, ...b.grads]);
      batch.dispose();
      batched.dispose();
      serial.dispose();
    }
  });
});

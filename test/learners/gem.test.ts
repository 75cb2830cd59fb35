import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { projectGem, solveGemDual } from '../../src/learners/base/gem-projection.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

/** Runs projectGem on plain arrays. */
function project(g: number[], G: number[][], margin = 0, eps = 0): { gradient: number[]; projected: boolean } {
  const gT = tf.tensor1d(g);
  const GT = tf.tensor2d(G);
  const result = projectGem(gT, GT, { margin, eps });
  const gradient = Array.from(result.gradient.dataSync());
  tf.dispose([gT, GT, result.gradient]);
  return { gradient, projected: result.projected };
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('GEM projection', () => {
  it('leaves a gradient alone when no constraint is violated', () => {
    const { gradient, projected } = project([1, 2], [[1, 0], [0, 1]]);
    expect(projected).toBe(false);
    expect(gradient).toEqual([1, 2]);
  });

  it('projects onto one half-space: g = (1, −1), g₁ = (0, 1) gives (1, 0)', () => {
    // min ½|z − g|² s.t. z·g₁ ≥ 0 is the projection onto the upper half-plane: (1, 0).
    // Dual: min ½v² − v over v ≥ 0, so v = 1 and z = g + v·g₁.
    const { gradient, projected } = project([1, -1], [[0, 1]]);
    expect(projected).toBe(true);
    expect(gradient[0]).toBeCloseTo(1, 6);
    expect(gradient[1]).toBeCloseTo(0, 6);
  });

  it('finds the QP optimum when only one of two violated constraints stays active', () => {
    // g = (−1, 0.5), g₁ = (1, 0), g₂ = (1, 1): both dot products are negative (−1, −0.5).
    // Projecting onto z₁ ≥ 0 gives (0, 0.5), which already satisfies z₁ + z₂ ≥ 0: that is the optimum,
    // with dual v = (1, 0).
    const v = solveGemDual([1, 1, 1, 2], [-1, -0.5], 2, { margin: 0, eps: 0 });
    expect(v[0]).toBeCloseTo(1, 9);
    expect(v[1]).toBeCloseTo(0, 9);
    const { gradient } = project([-1, 0.5], [[1, 0], [1, 1]]);
    expect(gradient[0]).toBeCloseTo(0, 6);
    expect(gradient[1]).toBeCloseTo(0.5, 6);
  });

  it('keeps every dual variable at or above the margin (the GEM code’s memory strength)', () => {
    // Same single constraint as above with margin 2: v = max(1, 2) = 2, so z = (1, −1) + 2·(0, 1).
    const { gradient } = project([1, -1], [[0, 1]], 2);
    expect(gradient[0]).toBeCloseTo(1, 6);
    expect(gradient[1]).toBeCloseTo(1, 6);
  });

  it('satisfies every constraint g̃·g_k ≥ −1e-5 on random problems, at the KKT point of the projection', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const p = 30;
      const t = 1 + rng.int(8);
      const G = Array.from({ length: t }, () => Array.from({ length: p }, () => rng.normal()));
      const g = Array.from({ length: p }, () => rng.normal());
      // Point g against the first memory so at least one constraint is violated.
      const d0 = dot(g, G[0]);
      if (d0 > 0) for (let i = 0; i < p; i++) g[i] -= (2 * d0 * G[0][i]) / dot(G[0], G[0]);
      const { gradient, projected } = project(g, G, 0, 0);
      expect(projected).toBe(true);
      for (const row of G) expect(dot(gradient, row)).toBeGreaterThanOrEqual(-1e-5);
      // min ½|z − g|² s.t. G·z ≥ 0 is convex, so KKT is optimality: z − g = Gᵀv with v ≥ 0, and
      // v_k > 0 only on constraints that hold with equality.
      const v = solveGemDual(G.flatMap((a) => G.map((b) => dot(a, b))), G.map((row) => dot(row, g)), t, { margin: 0, eps: 0 });
      G.forEach((row, k) => {
        expect(v[k]).toBeGreaterThanOrEqual(-1e-9);
        if (v[k] > 1e-6) expect(Math.abs(dot(gradient, row))).toBeLessThan(1e-3);
      });
      const fromDual = g.map((gi, i) => gi + G.reduce((s, row, k) => s + v[k] * row[i], 0));
      fromDual.forEach((zi, i) => expect(gradient[i]).toBeCloseTo(zi, 3));
    }
  });

  it('relaxes each constraint by at most ε·v_k with the ridge ε', () => {
    const rng = new Rng(11);
    const p = 20;
    const G = Array.from({ length: 4 }, () => Array.from({ length: p }, () => rng.normal()));
    const g = G[0].map((v, i) => -v - 0.3 * G[1][i]);
    const eps = 1e-3;
    const gram = G.flatMap((a) => G.map((b) => dot(a, b)));
    const v = solveGemDual(gram, G.map((row) => dot(row, g)), 4, { margin: 0, eps });
    const { gradient } = project(g, G, 0, eps);
    G.forEach((row, k) => expect(dot(gradient, row)).toBeGreaterThanOrEqual(-eps * v[k] - 1e-4));
  });
});

describe('gem learner', () => {
  it('forgets less than naive on a two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'gem', lr: 0.1, memoryPerTask: 256 }], backend);
    expect(f.gem.drop).toBeLessThan(f.naive.drop - 0.05);
    expect(f.gem.learned).toBeGreaterThan(0.7);
  });
});

describe('episodic-memory learners (gem, agem)', () => {
  it('train exactly as naive during the first task, and differently once a task has ended', async () => {
    const scenario = tinyScenario({
      stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 200, testPerTask: 200 },
      learners: [
        { type: 'naive', lr: 0.05 },
        { type: 'gem', lr: 0.05, memoryPerTask: 20 },
        { type: 'agem', lr: 0.05, memoryPerTask: 20, referenceBatch: 10 },
      ],
    });
    const [naive, ...constrained] = (await runScenario(scenario, { outDir: tempDir(), backend })).runs;
    for (const run of constrained) {
      expect(run.status, run.learner).toBe('completed');
      // Nothing to project against before the first task ends: the same steps as plain fine-tuning.
      expect(run.accuracyMatrix[0], run.learner).toEqual(naive.accuracyMatrix[0]);
      expect(run.accuracyMatrix[1], run.learner).not.toEqual(naive.accuracyMatrix[1]);
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { projectAgem } from '../../src/learners/base/agem-projection.js';
import { Rng } from '../../src/util/rng.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

function project(g: number[], ref: number[]): { gradient: number[]; projected: boolean } {
  const gT = tf.tensor1d(g);
  const refT = tf.tensor1d(ref);
  const result = projectAgem(gT, refT);
  const gradient = Array.from(result.gradient.dataSync());
  tf.dispose([gT, refT, result.gradient]);
  return { gradient, projected: result.projected };
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('A-GEM projection', () => {
  it('leaves g alone when g·g_ref ≥ 0', () => {
    expect(project([1, 2, 3], [0, 1, 0])).toEqual({ gradient: [1, 2, 3], projected: false });
    expect(project([1, 0], [0, 1])).toEqual({ gradient: [1, 0], projected: false }); // orthogonal: no conflict
  });

  it('matches g − (g·g_ref / g_ref·g_ref)·g_ref by hand: g = (1, −1), g_ref = (0, 2) gives (1, 0)', () => {
    const { gradient, projected } = project([1, -1], [0, 2]);
    expect(projected).toBe(true);
    expect(gradient[0]).toBeCloseTo(1, 6);
    expect(gradient[1]).toBeCloseTo(0, 6);
  });

  it('matches the closed form on random vectors and leaves the result orthogonal to g_ref', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const ref = Array.from({ length: 50 }, () => rng.normal());
      const g = Array.from({ length: 50 }, () => rng.normal());
      if (dot(g, ref) >= 0) for (let i = 0; i < g.length; i++) g[i] = -g[i];
      const scale = dot(g, ref) / dot(ref, ref);
      const expected = g.map((gi, i) => gi - scale * ref[i]);
      const { gradient, projected } = project(g, ref);
      expect(projected).toBe(true);
      gradient.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      expect(Math.abs(dot(gradient, ref))).toBeLessThan(1e-3);
    }
  });
});

describe('agem learner', () => {
  it('forgets less than naive on a two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'agem', lr: 0.1, memoryPerTask: 256, referenceBatch: 256 }], backend);
    expect(f.agem.drop).toBeLessThan(f.naive.drop - 0.05);
    expect(f.agem.learned).toBeGreaterThan(0.7);
  });
});

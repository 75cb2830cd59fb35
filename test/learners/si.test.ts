import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { PathIntegral } from '../../src/learners/base/path-integral.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const values = (ts: readonly tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('PathIntegral (SI importance)', () => {
  it('accumulates ω = −Σ g·Δθ and gives Ω = ω / (Δθ² + ξ), clipped at 0', () => {
    const path = new PathIntegral();
    const start = [tf.tensor1d([0, 1])];
    path.begin(start);
    // Two steps of parameter 0: 0 → −0.1 with g = 1, then −0.1 → 0.1 with g = −2: ω = 0.1 + 0.4 = 0.5.
    // Parameter 1 moves 1 → 1.2 with g = 1 (uphill): ω = −0.2, so its importance is clipped to 0.
    const steps = [
      { g: [1, 1], before: [0, 1], after: [-0.1, 1.1] },
      { g: [-2, 0], before: [-0.1, 1.1], after: [0.1, 1.2] },
    ];
    for (const s of steps) {
      const [g, before, after] = [[tf.tensor1d(s.g)], [tf.tensor1d(s.before)], [tf.tensor1d(s.after)]];
      path.accumulate(g, before, after);
      tf.dispose([...g, ...before, ...after]);
    }
    const end = [tf.tensor1d([0.1, 1.2])];
    const importance = path.importance(end, 0.01);
    const [[omega0, omega1]] = values(importance);
    expect(omega0).toBeCloseTo(0.5 / (0.1 ** 2 + 0.01), 4); // 25
    expect(omega1).toBe(0);
    tf.dispose([...start, ...end, ...importance]);
    path.dispose();
  });
});

describe('si learner', () => {
  it('forgets less than naive on a two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'si', lr: 0.1, c: 3, xi: 0.1 }], backend);
    expect(f.si.drop).toBeLessThan(f.naive.drop - 0.05);
    expect(f.si.learned).toBeGreaterThan(0.7);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend/select.js';
import { learners } from '../src/learners/registry.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from './helpers/scenario.js';

beforeAll(async () => {
  await import('../examples/custom-learner.js'); // registers 'l2-anchor', as --plugin would
});

describe('a learner registered from outside the package', () => {
  it('is validated by the scenario schema and runs like a built-in', async () => {
    expect(learners.has('l2-anchor')).toBe(true);
    expect(() => tinyScenario({ learners: [{ type: 'l2-anchor', lr: 0.05, strength: 'high' }] })).toThrow(/learners\[0\]\.strength: must be number/);
    const backend = await useBackend('wasm');
    const scenario = tinyScenario({
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'l2-anchor', lr: 0.05, strength: 10 }],
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    const [naive, anchored] = result.runs;
    expect(anchored.status).toBe('completed');
    // The pull towards old weights must show: it forgets less than plain fine-tuning.
    expect(anchored.metrics.forgetting!).toBeLessThan(naive.metrics.forgetting!);
  });
});

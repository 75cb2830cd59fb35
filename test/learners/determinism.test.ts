import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('determinism', () => {
  it('gives identical numbers for the same seed, and different ones for another seed', async () => {
    const scenario = (seed: number) => resolveScenario({
      name: 'determinism',
      stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 60, testPerTask: 50 },
      model: { type: 'mlp', hidden: [16] },
      protocol: { batchSize: 10, lcaBeta: 0 },
      learners: [
        { type: 'ewc', lr: 0.05, fisherSamples: 20 },
        { type: 'si', lr: 0.05 },
        { type: 'lwf', lr: 0.05 },
        { type: 'er', lr: 0.05, memorySize: 30 },
        { type: 'gem', lr: 0.05, memoryPerTask: 15 },
        { type: 'agem', lr: 0.05, memoryPerTask: 15, referenceBatch: 8 },
      ],
      seeds: [seed],
    });
    const a = await runScenario(scenario(0), { outDir: tempDir(), backend });
    const b = await runScenario(scenario(0), { outDir: tempDir(), backend });
    const c = await runScenario(scenario(1), { outDir: tempDir(), backend });
    a.runs.forEach((run, i) => {
      expect(run.status, run.learner).toBe('completed');
      expect(b.runs[i].accuracyMatrix, run.learner).toEqual(run.accuracyMatrix);
      expect(c.runs[i].accuracyMatrix, run.learner).not.toEqual(run.accuracyMatrix);
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('er learner', () => {
  it('forgets less than naive on a two-task problem, with every buffer policy', async () => {
    const f = await forgettingOnTwoTasks([
      { type: 'er', lr: 0.1, memorySize: 200 },
      { type: 'er', name: 'ring', lr: 0.1, memorySize: 200, buffer: 'ring-per-task' },
      { type: 'er', name: 'balanced', lr: 0.1, memorySize: 200, buffer: 'class-balanced' },
    ], backend);
    for (const label of ['er', 'ring', 'balanced']) {
      expect(f[label].drop).toBeLessThan(f.naive.drop - 0.05);
      expect(f[label].learned).toBeGreaterThan(0.7);
    }
  });

  it('rejects a per-task ring buffer on a task-free stream, naming the option', async () => {
    const scenario = resolveScenario({
      name: 'task-free',
      stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 20, testPerTask: 20 },
      model: { type: 'mlp', hidden: [8] },
      protocol: { taskFree: true },
      learners: [{ type: 'er', lr: 0.1, buffer: 'ring-per-task' }],
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(result.runs[0].status).toBe('failed');
    expect(result.runs[0].error).toMatch(/ring-per-task.*taskFree/);
  });

  it('is rejected by the scenario schema with an unknown buffer policy', () => {
    expect(() => resolveScenario({
      name: 'bad',
      stream: { type: 'rotated-mnist', tasks: 2 },
      learners: [{ type: 'er', lr: 0.1, buffer: 'fifo' }],
    })).toThrow(/learners\[0\]\.buffer.*reservoir/);
  });
});

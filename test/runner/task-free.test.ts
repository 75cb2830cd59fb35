import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { ModelLearner } from '../../src/learners/base/model-learner.js';
import { learners } from '../../src/learners/registry.js';
import type { Batch, LearnerEntry, TaskInfo } from '../../src/learners/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

/** Records everything task-related that reaches it. */
const seen = { batchTaskIds: new Set<number | undefined>(), predictTaskIds: new Set<number | undefined>(), boundaries: 0 };

class Spy extends ModelLearner {
  observe(batch: Batch): number {
    seen.batchTaskIds.add(batch.taskIndex);
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }
  override beginTask(_task: TaskInfo): void {
    seen.boundaries++;
  }
  override endTask(_task: TaskInfo): void {
    seen.boundaries++;
  }
  override predict(x: Parameters<ModelLearner['predict']>[0], taskIndex?: number) {
    seen.predictTaskIds.add(taskIndex);
    return super.predict(x, taskIndex);
  }
}

const spyEntry: LearnerEntry<{ lr: number }> = {
  type: 'task-spy',
  description: 'test learner that records task information',
  options: { type: 'object', properties: { lr: { type: 'number' } }, required: ['lr'] },
  create: (options) => new Spy(options),
};

beforeAll(async () => {
  await useBackend('wasm');
  if (!learners.has('task-spy')) learners.register(spyEntry as LearnerEntry);
});

describe('task-free protocol', () => {
  it('never shows the learner a task id or boundary, while the runner still scores per task', async () => {
    const backend = await useBackend('wasm');
    const scenario = tinyScenario({ protocol: { taskFree: true, lcaBeta: 2 }, learners: [{ type: 'task-spy', lr: 0.05 }] });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    expect([...seen.batchTaskIds]).toEqual([undefined]);
    expect([...seen.predictTaskIds]).toEqual([undefined]);
    expect(seen.boundaries).toBe(0);
    expect(result.runs[0].accuracyMatrix.flat().every((v) => v !== null)).toBe(true);
  });

  it('shows task ids and boundaries when the protocol is task-aware', async () => {
    seen.batchTaskIds.clear();
    seen.boundaries = 0;
    const backend = await useBackend('wasm');
    await runScenario(tinyScenario({ learners: [{ type: 'task-spy', lr: 0.05 }] }), { outDir: tempDir(), backend });
    expect([...seen.batchTaskIds].sort()).toEqual([0, 1, 2]);
    expect(seen.boundaries).toBe(6);
  });

  it('refuses learners that need task ids on a task-free scenario', () => {
    expect(() =>
      resolveScenario({
        name: 'x', stream: { type: 'rotated-mnist', tasks: 2 }, protocol: { taskFree: true },
        learners: [{ type: 'naive', lr: 0.1 }, { type: 'independent', lr: 0.1 }],
      }),
    ).toThrow(/learners\[1\]\.type: 'independent' needs task ids and boundaries/);
  });
});

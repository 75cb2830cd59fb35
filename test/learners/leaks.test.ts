import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { LearnerSpec } from '../../src/learners/types.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { atTaskEnds, tensorCountsAt } from '../helpers/tensor-counts.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const learners: LearnerSpec[] = [
  { type: 'ewc', lr: 0.05, fisherSamples: 20 },
  { type: 'ewc', name: 'ewc-online', lr: 0.05, online: true, gamma: 0.9, fisher: 'batch', fisherBatch: 5, normalizeFisher: true },
  { type: 'si', lr: 0.05 },
  { type: 'lwf', lr: 0.05 },
  { type: 'er', lr: 0.05, memorySize: 30 },
  { type: 'er', name: 'er-ring', lr: 0.05, memorySize: 30, buffer: 'ring-per-task' },
  { type: 'er', name: 'er-balanced', lr: 0.05, memorySize: 30, buffer: 'class-balanced' },
  { type: 'gem', lr: 0.05, memoryPerTask: 10 },
  { type: 'agem', lr: 0.05, memoryPerTask: 10, referenceBatch: 16 },
  { type: 'der', lr: 0.05, memorySize: 30, replayBatch: 8 },
  { type: 'derpp', lr: 0.05, memorySize: 30, replayBatch: 8 },
  { type: 'er-ace', lr: 0.05, memorySize: 30 },
  { type: 'mir', lr: 0.05, memorySize: 30, candidates: 12, replayBatch: 4 },
  { type: 'mas', lr: 0.05, importanceSamples: 10, importanceBatch: 2 },
  { type: 'gdumb', memorySize: 30, epochs: 2 },
  { type: 'gss', lr: 0.05, memorySize: 30, scoreBatch: 4 },
  { type: 'fdr', lr: 0.05, memorySize: 30, replayBatch: 8 },
  { type: 'hal', lr: 0.05, memorySize: 30, replayBatch: 8, anchorSteps: 3 },
];

/** Learners that need one shared head (class-incremental): left out on the multi-head stream. */
const singleHeadOnly: LearnerSpec[] = [
  { type: 'icarl', lr: 0.05, memorySize: 30, weightDecay: 1e-4 },
  { type: 'icarl', name: 'icarl-no-rehearsal', lr: 0.05, memorySize: 30, trainOnExemplars: false },
];

/** Learners with a path of their own on class-incremental streams (LwF: class columns, warm-up, weight decay). */
const classIncrementalPaths: LearnerSpec[] = [{ type: 'lwf', name: 'lwf-classes', lr: 0.05, weightDecay: 5e-4 }];

/** Runs the learners over five tasks; tf.memory().numTensors at each task end, per learner. */
async function tensorCounts(stream: Record<string, unknown>, specs: readonly LearnerSpec[]): Promise<Map<string, number[]>> {
  const scenario = resolveScenario({
    name: 'leaks',
    stream,
    model: { type: 'mlp', hidden: [16] },
    protocol: { batchSize: 10, lcaBeta: 2 },
    learners: specs,
    seeds: [0],
  });
  return tensorCountsAt(scenario, backend, atTaskEnds);
}

describe('tensor leaks', () => {
  // From the second task on, every learner holds the same state (penalty, teacher, memory snapshot)
  // whatever the number of tasks seen: the count at each task end must not move.
  it('keeps the tensor count flat from task to task on a single-head stream', async () => {
    const counts = await tensorCounts({ type: 'rotated-mnist', tasks: 5, trainPerTask: 40, testPerTask: 20 }, learners);
    for (const spec of learners) {
      const label = spec.name ?? spec.type;
      const c = counts.get(label)!;
      expect(c, label).toHaveLength(5);
      expect(c.slice(1), label).toEqual(c.slice(1).map(() => c[1]));
    }
  });

  it('keeps the tensor count flat from task to task on a multi-head stream', async () => {
    const counts = await tensorCounts({ type: 'split-mnist', setting: 'task-incremental', trainPerTask: 40, testPerTask: 20 }, learners);
    for (const spec of learners) {
      const label = spec.name ?? spec.type;
      const c = counts.get(label)!;
      expect(c, label).toHaveLength(5);
      expect(c.slice(1), label).toEqual(c.slice(1).map(() => c[1]));
    }
  });

  it('keeps the tensor count flat from task to task on a class-incremental stream (one shared head)', async () => {
    const specs = [...singleHeadOnly, ...classIncrementalPaths, ...learners.filter((l) => ['der', 'derpp', 'er-ace', 'mir', 'gdumb'].includes(l.type))];
    const counts = await tensorCounts({ type: 'split-mnist', setting: 'class-incremental', trainPerTask: 40, testPerTask: 20 }, specs);
    for (const spec of specs) {
      const label = spec.name ?? spec.type;
      const c = counts.get(label)!;
      expect(c, label).toHaveLength(5);
      expect(c.slice(1), label).toEqual(c.slice(1).map(() => c[1]));
    }
  });
});

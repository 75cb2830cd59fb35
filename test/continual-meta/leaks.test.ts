import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { LearnerSpec } from '../../src/learners/types.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { atTaskEnds, tensorCountsAt } from '../helpers/tensor-counts.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const memory = { memorySize: 20 };
const learners: LearnerSpec[] = [
  { type: 'mer', lr: 0.05, steps: 2, replay: 3, ...memory },
  { type: 'mer', name: 'mer-tf', lr: 0.05, steps: 2, replay: 3, engine: 'tf', ...memory },
  { type: 'gradalign', lr: 0.05, replayBatch: 4, replayWeight: 1, ...memory },
  { type: 'cmaml', lr: 0.05, glances: 2, replayBatch: 4, ...memory },
  { type: 'lamaml-sync', glances: 2, replayBatch: 4, ...memory },
  { type: 'lamaml', glances: 2, replayBatch: 4, useOldTaskMemory: true, ...memory },
  { type: 'lamaml', name: 'lamaml-tf', glances: 2, replayBatch: 4, engine: 'tf', ...memory },
];

/** Runs the learners over five tasks; tf.memory().numTensors at each task end, per learner. */
async function tensorCounts(stream: Record<string, unknown>, list: readonly LearnerSpec[]): Promise<Map<string, number[]>> {
  const scenario = resolveScenario({
    name: 'leaks', stream, model: { type: 'mlp', hidden: [16] }, protocol: { batchSize: 5, lcaBeta: 2, evalEvery: 3 }, learners: list, seeds: [0],
  });
  return tensorCountsAt(scenario, backend, atTaskEnds);
}

function expectFlat(counts: Map<string, number[]>, list: readonly LearnerSpec[]): void {
  for (const spec of list) {
    const label = spec.name ?? spec.type;
    const c = counts.get(label)!;
    expect(c, label).toHaveLength(5);
    expect(c.slice(1), label).toEqual(c.slice(1).map(() => c[1]));
  }
}

describe('meta-continual learners hold no growing tensor state', () => {
  it('on a single-head stream (host and tf engines, OML included)', async () => {
    const oml: LearnerSpec = {
      type: 'oml', representationLayers: 1,
      metaTraining: { stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 8, testPerTask: 4 }, iterations: 2, batchSize: 4, stepsPerTask: 2, rememberPerTask: 4 },
    };
    const list = [...learners, oml];
    expectFlat(await tensorCounts({ type: 'rotated-mnist', tasks: 5, trainPerTask: 20, testPerTask: 10 }, list), list);
  });

  it('on a multi-head stream, each replayed example scored by its own head', async () => {
    const list = learners.filter((l) => l.type !== 'oml');
    expectFlat(await tensorCounts({ type: 'split-mnist', setting: 'task-incremental', trainPerTask: 20, testPerTask: 10 }, list), list);
  });
});

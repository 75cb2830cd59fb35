import type { BackendInfo } from '../../src/backend/select.js';
import type { LearnerSpec } from '../../src/learners/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';

/**
 * The tiny two-task problem every learner must forget less on than plain fine-tuning: two rotated
 * MNIST tasks (angles drawn from [0°, 90°) and [90°, 180°)) of 1000 images, an MLP 784-100-10, SGD
 * at lr 0.1. Fine-tuning on the second task loses about half of its accuracy on the first.
 */
export function twoTaskScenario(learners: readonly LearnerSpec[]): Scenario {
  return resolveScenario({
    name: 'two-task',
    stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 1000, testPerTask: 1000 },
    model: { type: 'mlp', hidden: [100] },
    protocol: { batchSize: 10, lcaBeta: 0 },
    learners,
    seeds: [0],
  });
}

export interface Forgetting {
  /** Accuracy on task 0 right after learning it. */
  readonly before: number;
  /** Accuracy on task 0 after learning task 1. */
  readonly after: number;
  /** before − after. */
  readonly drop: number;
  /** Accuracy on task 1 after learning it. */
  readonly learned: number;
}

/** Runs naive and the given learners on the two-task problem; forgetting on task 0 per label. */
export async function forgettingOnTwoTasks(learners: readonly LearnerSpec[], backend: BackendInfo): Promise<Record<string, Forgetting>> {
  const scenario = twoTaskScenario([{ type: 'naive', lr: 0.1 }, ...learners]);
  const result = await runScenario(scenario, { outDir: tempDir(), backend });
  const out: Record<string, Forgetting> = {};
  for (const run of result.runs) {
    if (run.status !== 'completed') throw new Error(`${run.learner} ${run.status}: ${run.error ?? ''}`);
    const R = run.accuracyMatrix as number[][];
    out[run.learner] = { before: R[0][0], after: R[1][0], drop: R[0][0] - R[1][0], learned: R[1][1] };
  }
  return out;
}

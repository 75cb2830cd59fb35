import * as tf from '../../backend/tf.js';
import type { LearnerSpec } from '../../learners/types.js';
import type { RunEvent } from '../../events/run-events.js';
import { registries as productRegistries } from '../../scenario/registries.js';
import { runAndCollect } from '../../runner/run-plan.js';
import { resolveScenario } from '../../scenario/load.js';
import type { Protocol } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';
import { withPreparedStream } from '../prepared-stream.js';
import type { WorkloadResult } from '../types.js';

/** The reference's rotations stream: 20 MNIST rotations, 1000 train and 1000 test images per task. */
export const ROTATIONS_STREAM = { type: 'rotated-mnist', dataset: 'mnist', tasks: 20, trainPerTask: 1000, testPerTask: 1000 };

/**
 * The reference's protocol: batch 10, one pass in stream order, evaluation on every test set
 * after each task only (no learning-curve or LCA evaluations, which the reference does not do).
 */
export const REFERENCE_PROTOCOL: Partial<Protocol> = { batchSize: 10, epochs: 1, evalEvery: 0, lcaBeta: 0, shuffle: false, evalBatchSize: 1000 };

export interface ContinualRun {
  readonly learner: LearnerSpec;
  readonly seed: number;
  readonly stream?: Record<string, unknown>;
  /** Default: the reference's MLP 784-100-100-10. */
  readonly model?: Record<string, unknown>;
  readonly protocol?: Partial<Protocol>;
}

/** The metrics a continual workload reports, where its run has them (ACC-taskIL: class-incremental streams). */
const QUALITY_METRICS = ['ACC', 'ACC-taskIL', 'BWT', 'LA'];

/**
 * One run of a continual workload through the product path (scenario validation, runAndCollect:
 * the continual driver and the RxJS metric operators). The clock covers what the reference times: from the
 * first task's start to the last task's evaluation. The untrained-model evaluation and the test
 * set upload before it are setup, which the reference does not have.
 */
export async function runContinual(run: ContinualRun): Promise<WorkloadResult> {
  const scenario = resolveScenario({
    name: 'bench',
    stream: run.stream ?? ROTATIONS_STREAM,
    model: run.model ?? { type: 'mlp', hidden: [100, 100] },
    protocol: { ...REFERENCE_PROTOCOL, ...run.protocol },
    learners: [run.learner],
    seeds: [run.seed],
  }, { source: 'bench workload' }, productRegistries);
  const prepared = await withPreparedStream(scenario, run.seed, productRegistries);
  let started: number | undefined;
  let finished = NaN;
  let cpuAtStart = process.cpuUsage();
  let cpu = process.cpuUsage(cpuAtStart);
  const tensorsAtTaskEnd: number[] = [];
  const clock = (e: RunEvent) => {
    if (e.type === 'task-start' && started === undefined) {
      started = performance.now();
      cpuAtStart = process.cpuUsage();
    }
    if (e.type === 'task-end') {
      finished = performance.now();
      cpu = process.cpuUsage(cpuAtStart);
      tensorsAtTaskEnd.push(tf.memory().numTensors);
    }
  };
  const record = await runAndCollect({ scenario, learner: run.learner, seed: run.seed }, { registries: prepared, onEvent: clock });
  if (record.status !== 'completed' || started === undefined) {
    throw new ClbenchError(`bench run of '${run.learner.type}' ended ${record.status}${record.error ? `: ${record.error}` : ''}`);
  }
  const quality: Record<string, number> = {};
  for (const name of QUALITY_METRICS) {
    const value = record.metrics[name];
    if (typeof value === 'number') quality[name] = value;
  }
  return {
    wallSeconds: (finished - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    quality,
    tensorGrowth: tensorsAtTaskEnd[tensorsAtTaskEnd.length - 1] - tensorsAtTaskEnd[0],
  };
}

import { merStepCount } from '../../learners/continual-meta/mer.js';
import { ROTATIONS_STREAM, runContinual } from './continual.js';

/** MER's 500-memory setting on rotations (the reference's `rotations-mer`): lr .1, β .01, γ 1, k−1 = 10, s = 10. */
export const MER_500_ROTATIONS = { type: 'mer', lr: 0.1, beta: 0.01, gamma: 1, replay: 10, steps: 10, memorySize: 500 } as const;

export interface RotationsMerOptions {
  /** Examples per task (a short measurement); undefined: all 1000. */
  readonly limit?: number;
  readonly seed: number;
}

export interface RotationsMerResult {
  readonly wall_s: number;
  readonly cpu_s?: number;
  readonly ACC: number;
  readonly BWT: number;
  readonly LA: number;
  readonly sgd_steps: number;
  /** sgd_steps / wall_s: the sequential step rate to compare with the reference's. */
  readonly steps_per_s: number;
}

/**
 * The work of `torch_reference.py rotations-mer [--limit N]` through clbench's product path: 20
 * rotations of 1000 (or `limit`) training and 1000 test images, MER Algorithm 1 one example at a
 * time in stream order, all 20 test sets scored after each task. The clock covers training and
 * evaluation only (data preparation excluded, as in the reference).
 */
export async function runRotationsMerWorkload({ limit, seed }: RotationsMerOptions): Promise<RotationsMerResult> {
  const perTask = limit ?? ROTATIONS_STREAM.trainPerTask;
  const result = await runContinual({
    learner: { ...MER_500_ROTATIONS },
    seed,
    protocol: { batchSize: 1 },
    stream: { ...ROTATIONS_STREAM, trainPerTask: perTask },
  });
  // The count is exact: MER's schedule fixes it (see merStepCount), as the reference counts it.
  const sgdSteps = merStepCount(ROTATIONS_STREAM.tasks * perTask, MER_500_ROTATIONS);
  return {
    wall_s: result.wallSeconds,
    ...(result.cpuSeconds !== undefined ? { cpu_s: result.cpuSeconds } : {}),
    ACC: result.quality.ACC,
    BWT: result.quality.BWT,
    LA: result.quality.LA,
    sgd_steps: sgdSteps,
    steps_per_s: sgdSteps / result.wallSeconds,
  };
}

import { summarizeRuns } from '../../src/runner/summarize.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import type { Score } from '../../src/metrics/types.js';
import { defaultProtocol } from '../../src/scenario/types.js';

/** The label with a pipe in it: tables must escape it. */
export const PIPE_LEARNER = 'ewc | strong';

function run(
  learner: string,
  seed: number,
  R: Score[][],
  baseline: Score[],
  metrics: Record<string, Score>,
  wallSeconds: number,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return {
    learner,
    learnerType: learner === PIPE_LEARNER ? 'ewc' : learner,
    options: {},
    seed,
    status: 'completed',
    wallSeconds,
    accuracyMatrix: R,
    baseline,
    lcaCurve: [],
    curves: [],
    // Deliberately not in registry order (forgetting before ACC): reports must reorder.
    metrics,
    ...extra,
  };
}

/**
 * 2 learners × 2 seeds, 3 tasks. Per-seed values (hand-computed summaries in the tests):
 *
 *   naive  seed 1: ACC 0.70, BWT −0.30, LA 0.90, forgetting 0.30, wall 10
 *   naive  seed 2: ACC 0.58, BWT −0.45, LA 0.80, forgetting 0.45, wall 12
 *   ewc|…  seed 1: ACC 0.80, BWT −0.10, LA 0.84, forgetting 0.10, wall 20
 *   ewc|…  seed 2: diverged at task 1, step 57 (loss NaN), no metrics, wall 5
 */
export function fixtureRuns(): RunRecord[] {
  return [
    run(
      'naive',
      1,
      [
        [0.9, 0.2, 0.1],
        [0.7, 0.8, 0.3],
        [0.5, 0.6, 0.95],
      ],
      [0.1, 0.15, 0.05],
      { forgetting: 0.3, ACC: 0.7, BWT: -0.3, LA: 0.9 },
      10,
    ),
    run(
      'naive',
      2,
      [
        [0.8, 0.2, 0.1],
        [0.6, 0.9, 0.2],
        [0.4, 0.5, 0.85],
      ],
      [0.1, 0.05, 0.15],
      { forgetting: 0.45, ACC: 0.58, BWT: -0.45, LA: 0.8 },
      12,
    ),
    run(
      PIPE_LEARNER,
      1,
      [
        [0.9, 0.1, 0.1],
        [0.85, 0.88, 0.2],
        [0.8, 0.8, 0.8],
      ],
      [0.1, 0.1, 0.1],
      { forgetting: 0.1, ACC: 0.8, BWT: -0.1, LA: 0.84 },
      20,
    ),
    run(
      PIPE_LEARNER,
      2,
      [
        [0.7, 0.1, 0.2],
        [null, null, null],
        [null, null, null],
      ],
      [0.1, 0.2, 0.1],
      { forgetting: null, ACC: null, BWT: null, LA: null },
      5,
      { status: 'diverged', diverged: { task: 1, step: 57, loss: NaN } },
    ),
  ];
}

export function fixtureResult(overrides: Partial<RunResult> = {}): RunResult {
  const runs = fixtureRuns();
  return {
    clbench: '0.1.0',
    createdAt: '2025-01-02T03:04:05.000Z',
    complete: true,
    backend: 'cpu',
    versions: { '@tensorflow/tfjs-core': '4.22.0', node: 'v20.11.0' },
    scenario: {
      name: 'fixture-gem',
      description: 'A tiny hand-made result for report tests.',
      stream: { type: 'permuted-mnist', numTasks: 3 },
      model: { type: 'mlp', hidden: [100, 100] },
      protocol: defaultProtocol,
      learners: [{ type: 'naive' }, { type: 'ewc', name: PIPE_LEARNER, lambda: 1 }],
      seeds: [1, 2],
      metrics: { normalization: 'T-1', lcaRule: 'mean' },
      reference: {
        source: 'Lopez-Paz & Ranzato 2017 (GEM), Table 1',
        note: 'Numbers read off the figure.',
        values: {
          naive: { ACC: 0.62, BWT: -0.3, forgetting: 0.4, RA: 0.5 },
          [PIPE_LEARNER]: { ACC: 0.85 },
          gem: { ACC: 0.89 },
        },
      },
    },
    stream: {
      type: 'permuted-mnist',
      numTasks: 3,
      inputShape: [784],
      outputSize: 10,
      heads: 1,
      kind: 'classification',
      description: 'Permuted MNIST, 3 tasks of 1000 examples',
    },
    taskIds: ['perm-0', 'perm-1', 'perm-2'],
    metricOptions: { normalization: 'T-1', lcaBeta: 10, lcaRule: 'mean' },
    runs,
    summary: summarizeRuns(runs),
    ...overrides,
  };
}

/** One learner, one seed, T tasks with R[i][j] = i + j/1000 (easy to recognise) and b[j] = j/1000. */
export function wideResult(T: number): RunResult {
  const R = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => i + j / 1000));
  const b = Array.from({ length: T }, (_, j) => j / 1000);
  const runs = [run('naive', 1, R, b, { ACC: 0.5 }, 1)];
  const base = fixtureResult();
  return {
    ...base,
    scenario: { ...base.scenario, reference: undefined },
    stream: { ...base.stream, numTasks: T },
    taskIds: Array.from({ length: T }, (_, j) => `task-${j}`),
    runs,
    summary: summarizeRuns(runs),
  };
}

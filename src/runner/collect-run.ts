import { type Observable, connectable, filter, forkJoin, last, map, Subject, toArray } from 'rxjs';
import { averageLcaCurve } from '../metrics/lca.js';
import { type AdaptationResult, toAdaptationResult } from '../metrics/operators/to-adaptation-result.js';
import { toLearningCurves } from '../metrics/operators/to-learning-curves.js';
import { toRunMatrices } from '../metrics/operators/to-run-matrices.js';
import { computeMetrics } from '../metrics/registry.js';
import { evalPoints } from '../metrics/eval-points.js';
import { stabilityGaps } from '../metrics/stability-gap.js';
import type { MetricOptions, MetricValues, RunMatrices } from '../metrics/types.js';
import type { DivergedEvent, RunEndEvent, RunEvent, RunStartEvent, TaskStartEvent } from '../events/run-events.js';
import type { RunRecord } from './result.js';
import { jsonSafeLoss } from './json-safe-loss.js';

export interface RunIdentity {
  readonly learner: string;
  readonly learnerType: string;
  readonly options: Record<string, unknown>;
  readonly seed: number;
  readonly numTasks: number;
  /** Score used for the matrices: accuracy (classification) or loss (regression). */
  readonly score: 'accuracy' | 'loss';
}

/**
 * Runs a run's event stream once, sharing it between `tap` (sinks: log, progress) and the
 * metric operators, and folds it into the run's record.
 */
export async function collectRun(
  events: Observable<RunEvent>,
  id: RunIdentity,
  options: MetricOptions,
  tap: (e: RunEvent) => void = () => {},
): Promise<RunRecord> {
  const shared = connectable(events, { connector: () => new Subject<RunEvent>(), resetOnDisconnect: false });
  shared.subscribe({ next: tap, error: () => {} });
  const empty: RunMatrices = { R: [], b: [], Z: [] };
  const done = forkJoin({
    matrices: shared.pipe(toRunMatrices(id.numTasks, options.lcaBeta, (e) => e[id.score]), last(undefined, empty)),
    taskILMatrices: shared.pipe(toRunMatrices(id.numTasks, options.lcaBeta, (e) => e.accuracyTaskIL ?? null), last(undefined, empty)),
    curves: shared.pipe(toLearningCurves()),
    end: shared.pipe(filter((e): e is RunEndEvent => e.type === 'run-end'), last()),
    start: shared.pipe(filter((e): e is RunStartEvent => e.type === 'run-start'), last(undefined, null)),
    diverged: shared.pipe(filter((e): e is DivergedEvent => e.type === 'diverged'), last(undefined, null)),
    adaptation: shared.pipe(toAdaptationResult()),
    taskIds: shared.pipe(filter((e): e is TaskStartEvent => e.type === 'task-start'), map((e) => e.taskId), toArray()),
  });
  const result = new Promise<RunRecord>((resolve, reject) => {
    done.subscribe({
      next: ({ matrices: classIL, taskILMatrices, curves, end, start, diverged, adaptation, taskIds }) => {
        const { learner, learnerType, options: learnerOptions, seed } = id;
        const taskILR = hasScores(taskILMatrices.R) ? taskILMatrices.R.map((row) => [...row]) : undefined;
        const matrices: RunMatrices = taskILR ? { ...classIL, taskIL: { R: taskILR } } : classIL;
        resolve({
          learner, learnerType, options: learnerOptions, seed,
          status: end.status,
          ...(end.error ? { error: end.error } : {}),
          ...(diverged ? { diverged: { task: diverged.task, step: diverged.step, loss: jsonSafeLoss(diverged.loss) } } : {}),
          ...(taskIds.length > 0 ? { taskIds } : {}),
          wallSeconds: end.wallSeconds,
          ...(end.peakRssBytes !== undefined ? { peakRssBytes: end.peakRssBytes } : {}),
          ...(end.peakTensorBytes !== undefined ? { peakTensorBytes: end.peakTensorBytes } : {}),
          accuracyMatrix: matrices.R.map((row) => [...row]),
          ...(taskILR ? { taskILAccuracyMatrix: taskILR } : {}),
          baseline: [...matrices.b],
          lcaCurve: averageLcaCurve(matrices.Z, options.lcaBeta),
          curves,
          ...(start?.evalSubset ? { evalSubset: start.evalSubset } : {}),
          ...gapsOf(curves, id.numTasks),
          metrics: adaptation ? adaptationMetricValues(adaptation) : computeMetrics({ ...matrices, trace: curves }, options),
        });
      },
      error: reject,
    });
  });
  shared.connect();
  return result;
}

function hasScores(R: RunMatrices['R']): boolean {
  return R.some((row) => row.some((v) => v !== null));
}

/**
 * A meta-learning run's metrics: the scalar adaptation metrics, plus its curves as lists under
 * `adaptationCurve` and `metaCurve` (where result.json readers look for them; not Scores).
 */
function adaptationMetricValues(adaptation: AdaptationResult): MetricValues {
  const { metrics, curve, metaCurve } = adaptation;
  return { ...metrics, adaptationCurve: curve, metaCurve } as unknown as MetricValues;
}

/** The stability gap of every task switch, when the curves measured at least one. */
function gapsOf(curves: RunRecord['curves'], numTasks: number): Pick<RunRecord, 'stabilityGaps'> {
  const gaps = stabilityGaps(evalPoints(curves), numTasks);
  return gaps.some((g) => g !== null) ? { stabilityGaps: gaps } : {};
}

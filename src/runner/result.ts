import type { CurvePoint } from '../metrics/operators/to-learning-curves.js';
import type { StabilityGap } from '../metrics/stability-gap.js';
import type { MetricOptions, MetricValues, Score } from '../metrics/types.js';
import type { Scenario } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';
import type { EvalSubsetRecord, RunStatus } from '../events/run-events.js';
import type { NonFiniteLoss } from './json-safe-loss.js';

/** Everything one (learner, seed) run produced. */
export interface RunRecord {
  readonly learner: string;
  readonly learnerType: string;
  readonly options: Record<string, unknown>;
  readonly seed: number;
  readonly status: RunStatus;
  readonly error?: string;
  /** Where the loss stopped being finite; `loss` is the text "NaN", "Infinity" or "-Infinity" (null in older results). */
  readonly diverged?: { readonly task: number; readonly step: number; readonly loss: number | NonFiniteLoss | null };
  /** The ids of the tasks this run saw, in order (each seed may draw its own; absent in older results). */
  readonly taskIds?: string[];
  readonly wallSeconds: number;
  /** Process RSS high-water mark during the run, bytes (absent in results from before it was recorded). */
  readonly peakRssBytes?: number;
  /** tf.memory().numBytes high-water mark during the run, bytes (absent in older results). */
  readonly peakTensorBytes?: number;
  /** R[i][j]: score on task j after training on tasks 0..i (null: not reached). */
  readonly accuracyMatrix: Score[][];
  /** The same run's R scored task-IL (argmax over each task's own outputs); class-incremental streams only. */
  readonly taskILAccuracyMatrix?: Score[][];
  /** b[j]: the untrained model's score on task j. */
  readonly baseline: Score[];
  /** Z_b for b = 0..β, averaged over tasks (the LCA curve). */
  readonly lcaCurve: Score[];
  readonly curves: CurvePoint[];
  /** With protocol.evalSubset: the test rows the dense ('curve') evaluations scored, per task. */
  readonly evalSubset?: EvalSubsetRecord;
  /** The stability gap of each task switch (index s: the switch to task s+1; null: not measured), when any was measured. */
  readonly stabilityGaps?: (StabilityGap | null)[];
  readonly metrics: MetricValues;
}

export interface SummaryCell {
  readonly mean: number | null;
  readonly std: number | null;
  /** Runs that had a value for this metric. */
  readonly n: number;
}

/** The content of result.json. Later versions add keys; none renames these. */
export interface RunResult {
  readonly clbench: string;
  readonly createdAt: string;
  /** The command line that produced this result, so a report can say how to rerun it. */
  readonly command?: string;
  /** The command line's --set overrides (PATH=VALUE), already applied to `scenario`. */
  readonly overrides?: readonly string[];
  /** False while the run is still going (or if it was interrupted): runs[] holds what finished. */
  readonly complete: boolean;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly scenario: Scenario;
  readonly stream: StreamInfo;
  /** Task labels valid for every run: the stream's ids when all runs saw the same tasks, else "task 0", "task 1", ... */
  readonly taskIds: string[];
  readonly metricOptions: MetricOptions;
  readonly runs: RunRecord[];
  readonly summary: Record<string, Record<string, SummaryCell>>;
}

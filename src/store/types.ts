import type { LearnerSpec } from '../learners/types.js';
import type { MetricOptions, MetricValues } from '../metrics/types.js';
import type { RunRecord } from '../runner/result.js';
import type { Scenario } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';

/** A run's lifecycle in the store: finished runs (the last three) are skipped when a sweep resumes. */
export const RUN_STATUSES = ['pending', 'queued', 'running', 'completed', 'diverged', 'failed'] as const;
export type StoredStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_STATUSES: readonly StoredStatus[] = ['completed', 'diverged', 'failed'];

export function isStoredStatus(s: string): s is StoredStatus {
  return (RUN_STATUSES as readonly string[]).includes(s);
}

/** What the store keeps about a scenario's settings (shared by all its runs). */
export interface ScenarioEntry {
  /** scenarioHash() of the scenario. */
  readonly hash: string;
  readonly scenario: Scenario;
  readonly stream: StreamInfo;
  /**
   * Task labels of stores written before runs recorded their own task ids (RunRecord.taskIds);
   * new entries leave it out, and results take the labels from their runs.
   */
  readonly taskIds?: readonly string[];
  readonly metricOptions: MetricOptions;
  readonly command?: string;
}

/** A run as planned: what identifies it, before anything has run. */
export interface PlannedRunRow {
  readonly id: string;
  readonly scenarioHash: string;
  readonly scenario: string;
  readonly learner: LearnerSpec;
  readonly label: string;
  readonly seed: number;
  readonly backend: string;
}

/** What executing a run gives back, wherever it ran. */
export interface RunOutcome {
  readonly id: string;
  readonly record: RunRecord;
  readonly backend: string;
  readonly versions: Record<string, string>;
  /** host:pid of the process that ran it. */
  readonly worker: string;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** One row of `clbench runs`. */
export interface RunSummary {
  readonly id: string;
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly learner: string;
  readonly learnerType: string;
  readonly learnerSpec: LearnerSpec;
  readonly seed: number;
  readonly backend: string;
  readonly status: StoredStatus;
  readonly attempts: number;
  readonly worker: string | null;
  readonly versions: Record<string, string> | null;
  readonly error: string | null;
  readonly diverged: RunRecord['diverged'] | null;
  readonly wallSeconds: number | null;
  /** As in the run's record: numbers (null: undefined for this run), or lists for meta-learning curves. */
  readonly metrics: MetricValues;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface RunFilter {
  readonly scenario?: string;
  readonly status?: readonly StoredStatus[];
  readonly ids?: readonly string[];
}

import type { RegistryEntry } from '../util/registry.js';

/** A score that was not measured (or is undefined for this run, e.g. BWT with one task). */
export type Score = number | null;

/**
 * Everything the continual-learning metrics are computed from (GEM's conventions, 0-based here):
 * R[i][j] is the score on task j after training on tasks 0..i, b[j] the untrained model's score
 * on task j, and Z[k][β'] the score on task k after β' minibatches of task k.
 */
export interface RunMatrices {
  readonly R: readonly (readonly Score[])[];
  readonly b: readonly Score[];
  /** Z[k][β'] for β' = 0..lcaBeta (β' = 0: before training on task k). */
  readonly Z: readonly (readonly Score[])[];
  /**
   * The task-IL view of a class-incremental run: R scored from the same predictions with the
   * argmax restricted to each task's own outputs. Absent when the stream has no such view.
   */
  readonly taskIL?: { readonly R: readonly (readonly Score[])[] };
  /**
   * Every score along the stream (the run's learning curves): the continual-evaluation metrics
   * (min-ACC, WC-ACC, stability gap, ...) read it. Absent: those metrics are null.
   */
  readonly trace?: readonly TracePoint[];
}

/** The score on `evalTask` while training on `afterTask`, after `batchInTask` of its batches (`step` batches in all). */
export interface TracePoint {
  readonly step: number;
  readonly afterTask: number;
  readonly batchInTask: number;
  readonly evalTask: number;
  readonly accuracy: number;
  readonly loss: number;
}

/** How BWT and FWT are averaged: the paper's 1/(T-1), or 1/T as the GEM and MER code do. */
export type Normalization = 'T-1' | 'T';
/** How LCA integrates Z: A-GEM's paper mean over β+1 points, or its notebook's trapezoid rule. */
export type LcaRule = 'mean' | 'trapezoid';

export interface MetricOptions {
  readonly normalization: Normalization;
  readonly lcaBeta: number;
  readonly lcaRule: LcaRule;
}

export const defaultMetricOptions: MetricOptions = { normalization: 'T-1', lcaBeta: 10, lcaRule: 'mean' };

export interface MetricEntry extends RegistryEntry {
  /** Short formula for docs and `clbench list`. */
  readonly formula: string;
  /** Whether larger is better (for highlighting the best learner in reports). */
  readonly higherIsBetter: boolean;
  compute(run: RunMatrices, options: MetricOptions): Score;
  /** Whether the metric exists for this run (default: always); runs it does not apply to omit it. */
  appliesTo?(run: RunMatrices): boolean;
}

export type MetricValues = Record<string, Score>;

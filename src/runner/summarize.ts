import type { RunRecord, SummaryCell } from './result.js';
import { known } from '../metrics/matrix-helpers.js';

/** Mean and sample standard deviation (n−1; 0 for a single value) of the known values. */
export function meanStd(values: readonly (number | null | undefined)[]): SummaryCell {
  const xs = values.filter(known);
  if (xs.length === 0) return { mean: null, std: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), n: xs.length };
}

/** summary[learner][metric] over seeds, learners and metrics in first-seen order. */
export function summarizeRuns(runs: readonly RunRecord[]): Record<string, Record<string, SummaryCell>> {
  const byLearner = new Map<string, RunRecord[]>();
  for (const run of runs) byLearner.set(run.learner, [...(byLearner.get(run.learner) ?? []), run]);
  const summary: Record<string, Record<string, SummaryCell>> = {};
  for (const [learner, group] of byLearner) {
    const names = [...new Set(group.flatMap((r) => Object.keys(r.metrics)))];
    summary[learner] = Object.fromEntries(names.map((m) => [m, meanStd(group.map((r) => r.metrics[m]))]));
    summary[learner].wallSeconds = meanStd(group.map((r) => r.wallSeconds));
  }
  return summary;
}

/** Element-wise mean of equally shaped matrices, ignoring unknown entries. */
export function meanMatrix(matrices: readonly (readonly (number | null)[])[][]): (number | null)[][] {
  if (matrices.length === 0) return [];
  return matrices[0].map((row, i) => row.map((_, j) => meanStd(matrices.map((m) => m[i]?.[j])).mean));
}

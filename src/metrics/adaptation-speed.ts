import { type EvalPoint, completePoints, endPoint } from './eval-points.js';
import { known, meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** The share of its own task-end accuracy a task must reach. */
export const ADAPTATION_TARGET = 0.9;

/**
 * Batches of task t until its accuracy first reaches 90% of its accuracy at the task's end, read
 * at the evaluation points of task t (so in steps of protocol.evalEvery; 0 when the point before
 * its first batch already reaches it), or null if task t was scored at fewer than two points while
 * training on it (its end alone says nothing about speed).
 */
export function stepsToAdapt(points: readonly EvalPoint[], t: number): number | null {
  const own = points.filter((p) => p.afterTask === t && known(p.accuracy.get(t)));
  if (own.length < 2) return null;
  const final = endPoint(points, t)?.accuracy.get(t);
  if (!known(final)) return null;
  const target = ADAPTATION_TARGET * final;
  const hit = own.find((p) => p.accuracy.get(t)! >= target);
  return hit ? hit.batchInTask : null;
}

export const adaptationSpeedEntry: MetricEntry = {
  type: 'stepsTo90',
  description: 'Adaptation speed: batches of a new task until its accuracy reaches 90% of its own accuracy at the task’s end, mean over tasks (resolution: protocol.evalEvery)',
  formula: 'stepsTo90 = (1/T) Σ_t min { b : a_t(t, b) ≥ 0.9 · a_t(end of t) }',
  higherIsBetter: false,
  options: {},
  compute({ R, trace }) {
    const T = R.length;
    const points = completePoints(trace, T);
    if (!points) return null;
    return meanIfAllKnown(Array.from({ length: T }, (_, t) => stepsToAdapt(points, t)));
  },
};

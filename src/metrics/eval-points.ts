import { known } from './matrix-helpers.js';
import type { TracePoint } from './types.js';

/**
 * The trace grouped by moment: one evaluation point per (afterTask, batchInTask), holding the
 * accuracy of every task scored then. The continual-evaluation metrics (De Lange et al., ICLR 2023)
 * are all read off these points.
 */
export interface EvalPoint {
  readonly afterTask: number;
  /** Batches of `afterTask` done; 0 is the moment before its first batch. */
  readonly batchInTask: number;
  readonly step: number;
  /** Accuracy per scored task. */
  readonly accuracy: ReadonlyMap<number, number>;
}

/** The points in stream order (by task, then batch), each with the tasks scored at it. */
export function evalPoints(trace: readonly TracePoint[]): EvalPoint[] {
  const byMoment = new Map<string, { afterTask: number; batchInTask: number; step: number; accuracy: Map<number, number> }>();
  for (const p of trace) {
    const key = `${p.afterTask}:${p.batchInTask}`;
    let point = byMoment.get(key);
    if (!point) {
      point = { afterTask: p.afterTask, batchInTask: p.batchInTask, step: p.step, accuracy: new Map() };
      byMoment.set(key, point);
    }
    point.accuracy.set(p.evalTask, p.accuracy);
  }
  return [...byMoment.values()].sort((a, b) => a.afterTask - b.afterTask || a.batchInTask - b.batchInTask);
}

/** The points taken after at least one batch of task t (its training points, its end included). */
export function trainingPoints(points: readonly EvalPoint[], t: number): EvalPoint[] {
  return points.filter((p) => p.afterTask === t && p.batchInTask > 0);
}

/** Task t's last point: the model it hands to task t+1. */
export function endPoint(points: readonly EvalPoint[], t: number): EvalPoint | undefined {
  const own = trainingPoints(points, t);
  return own[own.length - 1];
}

/** Mean accuracy over the given tasks at a point, or null if any of them was not scored there. */
export function meanAccuracy(point: EvalPoint, tasks: readonly number[]): number | null {
  if (tasks.length === 0) return null;
  let sum = 0;
  for (const t of tasks) {
    const a = point.accuracy.get(t);
    if (!known(a)) return null;
    sum += a;
  }
  return sum / tasks.length;
}

/** Tasks 0..n-1. */
export function firstTasks(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The points of a finished run with T tasks, or null if the trace stops before the last task's end
 * (a diverged run): the continual-evaluation metrics, like the others, never average over part of a run.
 */
export function completePoints(trace: readonly TracePoint[] | undefined, T: number): EvalPoint[] | null {
  if (!trace || T === 0) return null;
  const points = evalPoints(trace);
  const last = endPoint(points, T - 1);
  return last && meanAccuracy(last, firstTasks(T)) !== null ? points : null;
}

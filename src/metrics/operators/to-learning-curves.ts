import { type OperatorFunction, filter, map, toArray } from 'rxjs';
import type { EvalEvent, RunEvent } from '../../runner/events.js';
import type { TracePoint } from '../types.js';

/** One point of a learning curve: the score on `evalTask` at global step `step`. */
export type CurvePoint = TracePoint;

/**
 * Collects the points that trace every task's score along the stream: the periodic 'curve'
 * evaluations plus each task-end row, so the curve also has a point at every task boundary.
 * Where a 'curve' evaluation scored the same task at the same moment as a 'task-end' one (runs
 * with protocol.evalSubset score the subset at task ends too), the curve's point is kept, so a
 * trace is scored on one set throughout. Emits once, when the run's events complete.
 */
export function toLearningCurves(): OperatorFunction<RunEvent, CurvePoint[]> {
  return (events) =>
    events.pipe(
      filter((e): e is EvalEvent => e.type === 'eval' && (e.phase === 'curve' || e.phase === 'task-end')),
      toArray(),
      map((evals) => {
        const key = (e: EvalEvent) => `${e.afterTask}:${e.batchInTask}:${e.evalTask}`;
        const fromCurve = new Set(evals.filter((e) => e.phase === 'curve').map(key));
        return evals
          .filter((e) => e.phase === 'curve' || !fromCurve.has(key(e)))
          .map(({ step, afterTask, batchInTask, evalTask, accuracy, loss }): CurvePoint => ({
            step, afterTask, batchInTask, evalTask, accuracy, loss,
          }));
      }),
    );
}

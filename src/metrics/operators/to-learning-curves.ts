import { type OperatorFunction, filter, map, toArray } from 'rxjs';
import type { EvalEvent, RunEvent } from '../../events/run-events.js';

/** One point of a learning curve: the score on `evalTask` at global step `step`. */
export interface CurvePoint {
  readonly step: number;
  readonly afterTask: number;
  readonly batchInTask: number;
  readonly evalTask: number;
  readonly accuracy: number;
  readonly loss: number;
}

/**
 * Collects the points that trace every task's score along the stream: the periodic 'curve'
 * evaluations plus each task-end row, so the curve also has a point at every task boundary.
 * Emits once, when the run's events complete.
 */
export function toLearningCurves(): OperatorFunction<RunEvent, CurvePoint[]> {
  return (events) =>
    events.pipe(
      filter((e): e is EvalEvent => e.type === 'eval' && (e.phase === 'curve' || e.phase === 'task-end')),
      map(({ step, afterTask, batchInTask, evalTask, accuracy, loss }): CurvePoint => ({
        step, afterTask, batchInTask, evalTask, accuracy, loss,
      })),
      toArray(),
    );
}

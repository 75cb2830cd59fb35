import { type OperatorFunction, filter, scan } from 'rxjs';
import type { EvalEvent, RunEvent } from '../../events/run-events.js';
import type { RunMatrices, Score } from '../types.js';

function emptyMatrices(numTasks: number, lcaBeta: number): RunMatrices {
  const row = (n: number): Score[] => new Array<Score>(n).fill(null);
  return {
    R: Array.from({ length: numTasks }, () => row(numTasks)),
    b: row(numTasks),
    Z: Array.from({ length: numTasks }, () => row(lcaBeta + 1)),
  };
}

/** Copy-on-write update, so every emitted value is a consistent snapshot. */
function withScore(m: RunMatrices, e: EvalEvent, score: Score, lcaBeta: number): RunMatrices {
  switch (e.phase) {
    case 'baseline': {
      const b = [...m.b];
      b[e.evalTask] = score;
      return { ...m, b };
    }
    case 'task-end': {
      const R = [...m.R];
      const row = [...R[e.afterTask]];
      row[e.evalTask] = score;
      R[e.afterTask] = row;
      return { ...m, R };
    }
    case 'lca': {
      if (e.batchInTask > lcaBeta || e.evalTask !== e.afterTask) return m;
      const Z = [...m.Z];
      const row = [...Z[e.evalTask]];
      row[e.batchInTask] = score;
      Z[e.evalTask] = row;
      return { ...m, Z };
    }
    default:
      return m;
  }
}

/**
 * Folds a run's eval events into the accuracy matrix R, the untrained row b and the LCA points Z,
 * emitting the matrices after each eval. `score` picks the field (accuracy for classification,
 * loss for regression).
 */
export function toRunMatrices(
  numTasks: number,
  lcaBeta: number,
  score: (e: EvalEvent) => Score = (e) => e.accuracy,
): OperatorFunction<RunEvent, RunMatrices> {
  return (events) =>
    events.pipe(
      filter((e): e is EvalEvent => e.type === 'eval'),
      scan((m, e) => withScore(m, e, score(e), lcaBeta), emptyMatrices(numTasks, lcaBeta)),
    );
}

import type { RunRecord } from './result.js';

/**
 * The task labels that hold for every run of a result, taken from the runs' own records
 * (RunRecord.taskIds, the ids of the tasks each run started): those ids when every run saw the
 * same tasks, else positions ("task 0", "task 1", ...) as wide as the widest run. Streams are
 * seeded per run, so on rotated MNIST each seed draws its own angles, and naming the columns of a
 * seed-averaged matrix after one seed's angles would be wrong. A run cut short (cancelled, failed,
 * diverged) saw fewer tasks than its matrix has columns, so it too gives positions.
 * `stored`: the labels of a result whose runs carry no ids (stores written before they did).
 */
export function sharedTaskIds(runs: readonly RunRecord[], stored: readonly string[] = []): string[] {
  const lists = runs.flatMap((run) => (run.taskIds ? [run.taskIds] : []));
  if (lists.length === 0) return [...stored];
  const width = Math.max(...lists.map((ids) => ids.length), ...runs.map((run) => run.accuracyMatrix[0]?.length ?? 0));
  const [first] = lists;
  const same = lists.every((ids) => ids.length === width && ids.every((id, j) => id === first[j]));
  return same ? [...first] : Array.from({ length: width }, (_, j) => `task ${j}`);
}

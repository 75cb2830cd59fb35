import type { RunRecord } from './result.js';

/**
 * The task labels that hold for every run of a result: the stream's ids when every run saw the
 * same tasks, else positions ("task 0", "task 1", ...). Streams are seeded per run, so on rotated
 * MNIST each seed draws its own angles, and naming the columns of a seed-averaged matrix after
 * one seed's angles would be wrong. Each run keeps its own ids (RunRecord.taskIds).
 */
export function sharedTaskIds(previewIds: readonly string[], runs: readonly RunRecord[]): string[] {
  const same = runs.every((run) => !run.taskIds || (run.taskIds.length === previewIds.length && run.taskIds.every((id, j) => id === previewIds[j])));
  return same ? [...previewIds] : previewIds.map((_, j) => `task ${j}`);
}

import { acc } from './acc.js';
import type { MetricEntry } from './types.js';

/**
 * ACC of the task-IL view of a class-incremental run (Mammoth's "Task-IL" column): the same run,
 * each task's test split scored with the argmax over that task's own outputs only.
 */
export const accTaskIL: MetricEntry = {
  type: 'ACC-taskIL',
  description: "ACC of the same class-incremental run scored task-IL: argmax over each task's own outputs (Mammoth's Task-IL)",
  formula: 'ACC-taskIL = (1/T) Σ_j R_taskIL[T][j]',
  higherIsBetter: true,
  options: {},
  appliesTo: (run) => run.taskIL !== undefined,
  compute(run, options) {
    return run.taskIL ? acc.compute({ ...run, R: run.taskIL.R }, options) : null;
  },
};

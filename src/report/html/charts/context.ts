import { meanStd } from '../../../metrics/summarize.js';
import type { RunRecord, RunResult } from '../../../runner/result.js';
import { runsByLearner } from '../../format.js';
import { learnerScale } from '../theme.js';

/** What every chart of one result needs: learners in report order, their runs, the score's name. */
export interface ChartContext {
  readonly result: RunResult;
  readonly learners: readonly string[];
  /** Runs to plot per learner: the completed ones, or all of them when none completed (partial data beats none). */
  readonly usable: ReadonlyMap<string, readonly RunRecord[]>;
  /** Regression streams score by test loss (lower is better) instead of accuracy. */
  readonly regression: boolean;
  /** "accuracy" or "test loss". */
  readonly scoreTitle: string;
  readonly colors: { domain: string[]; range: string[] };
}

export function isCompleted(run: RunRecord): boolean {
  return run.status === 'completed' && !run.diverged;
}

export function chartContext(result: RunResult): ChartContext {
  const groups = runsByLearner(result);
  const learners = [...groups.keys()];
  const usable = new Map<string, RunRecord[]>();
  for (const [learner, runs] of groups) {
    const completed = runs.filter(isCompleted);
    usable.set(learner, completed.length ? completed : runs);
  }
  const regression = result.stream.kind === 'regression';
  return { result, learners, usable, regression, scoreTitle: regression ? 'test loss' : 'accuracy', colors: learnerScale(learners) };
}

/** Mean, and mean ± std when more than one value is known (null when none is). */
export function spread(values: readonly (number | null | undefined)[]): { mean: number; lo: number; hi: number; n: number } | null {
  const { mean, std, n } = meanStd(values);
  if (mean === null) return null;
  const s = n > 1 && std !== null ? std : 0;
  return { mean, lo: mean - s, hi: mean + s, n };
}

/** "T3": the short name of task j on axes (ids go into captions). */
export function taskName(j: number): string {
  return `T${j}`;
}

/** The layout of a chart with one panel per learner: two to a row, or one wide panel for a single learner. */
export function learnerPanels(ctx: ChartContext) {
  const single = ctx.learners.length === 1;
  return {
    facet: { field: 'learner', type: 'nominal' as const, sort: [...ctx.learners], header: { title: null, labelAnchor: 'start' as const } },
    columns: single ? 1 : 2,
    spacing: { row: 20, column: 28 },
    width: single ? 620 : 340,
  };
}

import type { TopLevelSpec } from 'vega-lite';
import { meanStd } from '../../../runner/summarize.js';
import { INK } from '../theme.js';
import { type ChartContext, taskName } from './context.js';

export const UNTRAINED = 'untrained';

export interface MatrixCell {
  readonly learner: string;
  /** 'untrained' (the b row) or the task trained last, "T0".. */
  readonly after: string;
  readonly on: string;
  readonly value: number;
  readonly label: string;
  readonly diagonal: boolean;
  /** Dark cell: its label is drawn in white. */
  readonly dark: boolean;
}

/** Above this many tasks, cells average blocks of tasks: the SVG stays small and quick to draw. */
export const MAX_CELLS_PER_SIDE = 50;

/** Cell side in pixels: big enough for a two-digit label up to 10 tasks, then shrinking. */
function cellSize(side: number): number {
  if (side <= 6) return 40;
  if (side <= 10) return 32;
  return Math.max(7, Math.floor(360 / side));
}

/** Tasks per cell side: 1, or enough to keep at most MAX_CELLS_PER_SIDE cells a side. */
export function blockSize(T: number): number {
  return T > MAX_CELLS_PER_SIDE ? Math.ceil(T / MAX_CELLS_PER_SIDE) : 1;
}

/** Which matrix a heatmap shows: R (with its b row), or a class-incremental run's task-IL view of it. */
export type MatrixView = 'class-il' | 'task-il';

/**
 * Each learner's accuracy matrix averaged over its seeds (unknown entries skipped), with the
 * untrained row b on top (class-IL view only). With `block` > 1 a cell is the mean over a
 * block × block square of tasks, named after its first task. Cells never measured are left out.
 */
export function matrixCells(ctx: ChartContext, T: number, block = 1, view: MatrixView = 'class-il'): MatrixCell[] {
  const cells: Omit<MatrixCell, 'dark'>[] = [];
  const side = Math.ceil(T / block);
  const span = (k: number) => Array.from({ length: Math.min(block, T - k * block) }, (_, d) => k * block + d);
  for (const learner of ctx.learners) {
    const runs = ctx.usable.get(learner) ?? [];
    for (let r = 0; r <= side; r++) {
      for (let c = 0; c < side; c++) {
        const matrix = (run: (typeof runs)[number]) => (view === 'task-il' ? run.taskILAccuracyMatrix : run.accuracyMatrix);
        const values =
          r === 0
            ? view === 'task-il' ? [] : runs.flatMap((run) => span(c).map((j) => run.baseline[j]))
            : runs.flatMap((run) => span(r - 1).flatMap((i) => span(c).map((j) => matrix(run)?.[i]?.[j])));
        const { mean: value } = meanStd(values);
        if (value === null) continue;
        cells.push({
          learner,
          after: r === 0 ? UNTRAINED : taskName((r - 1) * block),
          on: taskName(c * block),
          value,
          label: ctx.regression ? value.toPrecision(2) : value.toFixed(2),
          diagonal: r - 1 === c,
        });
      }
    }
  }
  const values = cells.map((c) => c.value);
  const [lo, hi] = ctx.regression ? [Math.min(...values), Math.max(...values)] : [0, 1];
  // Dark end of the scale: high accuracy, or low loss.
  const darkness = (v: number) => (hi === lo ? 0.5 : (v - lo) / (hi - lo));
  return cells.map((c) => ({ ...c, dark: ctx.regression ? darkness(c.value) < 0.4 : darkness(c.value) > 0.6 }));
}

/** One heatmap per learner, side by side on one colour scale; the diagonal (just trained) outlined. */
export function accuracyMatrixChart(ctx: ChartContext, view: MatrixView = 'class-il'): TopLevelSpec | null {
  const T = ctx.result.taskIds.length || Math.max(0, ...ctx.result.runs.map((r) => r.accuracyMatrix.length));
  if (T === 0) return null;
  const block = blockSize(T);
  const cells = matrixCells(ctx, T, block, view);
  if (cells.length === 0) return null;
  const side = Math.ceil(T / block);
  const size = cellSize(side);
  const tasks = Array.from({ length: side }, (_, k) => taskName(k * block));
  const labelEvery = Math.ceil(side / 20);
  const shownTasks = tasks.filter((_, j) => j % labelEvery === 0);
  // The task-IL view has no untrained row (b is a class-IL quantity here).
  const rowsAbove = view === 'task-il' ? [] : [UNTRAINED];
  const x = {
    field: 'on',
    type: 'ordinal' as const,
    sort: tasks,
    axis: { title: 'evaluated on task', labelAngle: 0, values: shownTasks, domain: false, ticks: false },
  };
  const y = {
    field: 'after',
    type: 'ordinal' as const,
    sort: [...rowsAbove, ...tasks],
    axis: { title: 'after training on', values: [...rowsAbove, ...shownTasks], domain: false, ticks: false },
  };
  const spec: TopLevelSpec = {
    data: { values: cells },
    facet: { field: 'learner', type: 'nominal', sort: [...ctx.learners], header: { title: null, labelAnchor: 'start', labelPadding: 6 } },
    columns: Math.min(ctx.learners.length, T <= 6 ? 3 : 2),
    spacing: { row: 24, column: 36 },
    spec: {
      width: size * side,
      height: size * (side + rowsAbove.length),
      layer: [
        {
          // No per-cell aria labels: thousands of them would dominate the page (the caption describes the chart).
          mark: { type: 'rect', stroke: 'white', strokeWidth: side > 30 ? 0 : 1, aria: false },
          encoding: {
            x,
            y,
            color: {
              field: 'value',
              type: 'quantitative',
              scale: ctx.regression ? { scheme: 'blues', reverse: true, zero: false } : { scheme: 'blues', domain: [0, 1] },
              legend: { title: ctx.scoreTitle, orient: 'right', gradientLength: Math.max(80, size * (side + 1) - 20) },
            },
          },
        },
        {
          transform: [{ filter: { field: 'diagonal', equal: true } }],
          mark: { type: 'rect', fill: null, stroke: INK, strokeWidth: side > 30 ? 0.75 : 1.5, aria: false },
          encoding: { x, y },
        },
        ...(side <= 10
          ? [
              {
                mark: { type: 'text' as const, fontSize: 10, aria: false },
                encoding: {
                  x,
                  y,
                  text: { field: 'label' },
                  color: { condition: { test: { field: 'dark', equal: true }, value: 'white' }, value: INK },
                },
              },
            ]
          : []),
      ],
    },
    resolve: { scale: { color: 'shared' } },
  };
  return spec;
}

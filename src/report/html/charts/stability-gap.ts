import type { TopLevelSpec } from 'vega-lite';
import { evalPoints, endPoint } from '../../../metrics/eval-points.js';
import type { RunRecord } from '../../../runner/result.js';
import { type ChartContext, learnerPanels, spread, taskName } from './context.js';

/** Batches shown before each switch, and at most after it. */
const BEFORE = 10;
const AFTER = 100;
/** Beyond this many tasks, each switch shows the earlier tasks' mean instead of every task. */
const MAX_TASK_LINES = 6;

export interface GapDatum {
  readonly learner: string;
  /** "→T2": the switch to task 2. */
  readonly switchTo: string;
  readonly series: string;
  /** Batches since the switch (≤ 0: the previous task's last batches). */
  readonly offset: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/** One run's old-task accuracies around each switch: key (switch, series, offset) → accuracy. */
function aroundSwitches(run: RunRecord, T: number, meanOnly: boolean): Map<string, number> {
  const points = evalPoints(run.curves);
  const out = new Map<string, number>();
  for (let t = 1; t < T; t++) {
    const switchStep = endPoint(points, t - 1)?.step;
    if (switchStep === undefined) continue;
    for (const p of points) {
      const offset = p.step - switchStep;
      const inWindow = (p.afterTask === t - 1 && offset >= -BEFORE) || (p.afterTask === t && p.batchInTask > 0 && offset <= AFTER);
      if (!inWindow) continue;
      const old = Array.from({ length: t }, (_, i) => p.accuracy.get(i));
      if (meanOnly) {
        if (old.every((a) => typeof a === 'number')) out.set(`${t}|mean|${offset}`, (old as number[]).reduce((a, b) => a + b, 0) / t);
      } else {
        old.forEach((a, i) => typeof a === 'number' && out.set(`${t}|${taskName(i)}|${offset}`, a));
      }
    }
  }
  return out;
}

/** Mean ± std over seeds of every old task's accuracy around every switch, per learner. */
export function stabilityGapData(ctx: ChartContext): GapDatum[] {
  const T = ctx.result.taskIds.length;
  if (ctx.regression || T < 2) return [];
  const meanOnly = T > MAX_TASK_LINES;
  const data: GapDatum[] = [];
  for (const learner of ctx.learners) {
    const perRun = (ctx.usable.get(learner) ?? []).map((run) => aroundSwitches(run, T, meanOnly));
    const keys = new Set(perRun.flatMap((m) => [...m.keys()]));
    for (const key of keys) {
      const s = spread(perRun.map((m) => m.get(key)));
      if (!s) continue;
      const [t, series, offset] = key.split('|');
      data.push({ learner, switchTo: `→${taskName(Number(t))}`, series: series === 'mean' ? 'earlier tasks’ mean' : series, offset: Number(offset), mean: s.mean, lo: s.lo, hi: s.hi });
    }
  }
  return data.sort((a, b) => a.switchTo.localeCompare(b.switchTo) || a.series.localeCompare(b.series) || a.offset - b.offset);
}

/**
 * The stability gap (De Lange et al., ICLR 2023): earlier tasks' accuracy around each task switch,
 * aligned at it, one panel per learner. Null unless some task was scored at several points after
 * a switch (dense evaluation: protocol.evalEvery, ideally with evalSubset).
 */
export function stabilityGapChart(ctx: ChartContext): TopLevelSpec | null {
  const data = stabilityGapData(ctx);
  const afterSwitch = new Set(data.filter((d) => d.offset > 0).map((d) => d.offset));
  if (afterSwitch.size < 2) return null;
  const panels = learnerPanels(ctx);
  const x = { field: 'offset', type: 'quantitative' as const, title: 'batches since the task switch', scale: { nice: false } };
  const color = { field: 'series', type: 'nominal' as const, title: 'earlier task', scale: { scheme: 'dark2' } };
  const strokeDash = { field: 'switchTo', type: 'nominal' as const, title: 'switch' };
  return {
    data: { values: data },
    facet: panels.facet,
    columns: panels.columns,
    spacing: panels.spacing,
    spec: {
      width: panels.width,
      height: 200,
      layer: [
        {
          mark: { type: 'area', opacity: 0.15 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', title: ctx.scoreTitle }, y2: { field: 'hi' }, color, detail: { field: 'switchTo' } },
        },
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: { x, y: { field: 'mean', type: 'quantitative', title: ctx.scoreTitle, scale: { zero: false } }, color, strokeDash },
        },
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#94a3b8', strokeWidth: 1 },
          encoding: { x: { datum: 0, type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { color: 'shared', x: 'shared', y: 'shared' } },
  };
}

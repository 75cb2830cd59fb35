import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from '../../../metrics/operators/to-learning-curves.js';
import { meanStd } from '../../../metrics/summarize.js';
import type { RunRecord } from '../../../runner/result.js';
import { type ChartContext, learnerPanels, taskName } from './context.js';

export interface CurveDatum {
  readonly kind: 'point';
  readonly learner: string;
  readonly step: number;
  readonly task: string;
  readonly taskIndex: number;
  readonly value: number;
}

export interface BoundaryDatum {
  readonly kind: 'boundary';
  readonly learner: string;
  readonly step: number;
}

function score(point: CurvePoint, regression: boolean): number | null {
  const v = regression ? point.loss : point.accuracy;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Steps at which a task ended (all but the last), read off the task-end evaluations. */
export function taskBoundaries(runs: readonly RunRecord[]): number[] {
  const ends = new Map<number, number>();
  for (const run of runs) {
    for (const p of run.curves) ends.set(p.afterTask, Math.max(ends.get(p.afterTask) ?? 0, p.step));
  }
  const sorted = [...ends.entries()].sort((a, b) => a[0] - b[0]).map(([, step]) => step);
  return sorted.slice(0, -1);
}

/**
 * Each task's score along the stream, averaged over seeds at each evaluation step, from the
 * moment the task has been trained on (the points before that are the untrained score, which the
 * matrix shows).
 */
export function curveData(ctx: ChartContext): { points: CurveDatum[]; boundaries: BoundaryDatum[] } {
  const points: CurveDatum[] = [];
  const boundaries: BoundaryDatum[] = [];
  for (const learner of ctx.learners) {
    const runs = ctx.usable.get(learner) ?? [];
    const byKey = new Map<string, { step: number; task: number; values: (number | null)[] }>();
    for (const run of runs) {
      for (const p of run.curves) {
        if (p.evalTask > p.afterTask) continue;
        const key = `${p.step}:${p.evalTask}`;
        const entry = byKey.get(key) ?? { step: p.step, task: p.evalTask, values: [] };
        entry.values.push(score(p, ctx.regression));
        byKey.set(key, entry);
      }
    }
    for (const { step, task, values } of byKey.values()) {
      const { mean } = meanStd(values);
      if (mean !== null) points.push({ kind: 'point', learner, step, task: taskName(task), taskIndex: task, value: mean });
    }
    for (const step of taskBoundaries(runs)) boundaries.push({ kind: 'boundary', learner, step });
  }
  points.sort((a, b) => a.taskIndex - b.taskIndex || a.step - b.step);
  return { points, boundaries };
}

/** Per-task score along the stream, one panel per learner, task boundaries dashed. */
export function learningCurvesChart(ctx: ChartContext): TopLevelSpec | null {
  const { points, boundaries } = curveData(ctx);
  if (points.length === 0) return null;
  const T = Math.max(...points.map((p) => p.taskIndex)) + 1;
  const tasks = Array.from({ length: T }, (_, j) => taskName(j));
  const maxStep = Math.max(...points.map((p) => p.step));
  const manyTasks = T > 10;
  const color = manyTasks
    ? {
        field: 'taskIndex',
        type: 'quantitative' as const,
        scale: { scheme: 'viridis', domain: [0, T - 1] },
        legend: { title: 'task', tickCount: Math.min(T, 5), format: 'd' },
      }
    : {
        field: 'task',
        type: 'nominal' as const,
        sort: tasks,
        // Up to 8 tasks: distinct hues (not the learner palette, to avoid reading a task as a learner).
        scale: T <= 8 ? { scheme: 'dark2', domain: tasks } : { scheme: { name: 'viridis', extent: [0, 0.85] }, domain: tasks },
        legend: { title: 'task' },
      };
  const panels = learnerPanels(ctx);
  return {
    data: { values: [...points, ...boundaries] },
    facet: panels.facet,
    columns: panels.columns,
    spacing: panels.spacing,
    spec: {
      width: panels.width,
      height: 190,
      layer: [
        {
          transform: [{ filter: { field: 'kind', equal: 'boundary' } }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#94a3b8', strokeWidth: 1 },
          encoding: { x: { field: 'step', type: 'quantitative' } },
        },
        {
          transform: [{ filter: { field: 'kind', equal: 'point' } }],
          mark: { type: 'line', strokeWidth: manyTasks ? 1.2 : 1.8, interpolate: 'linear' },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'training batches (dashed: task boundaries)', scale: { domain: [0, maxStep], nice: false } },
            y: {
              field: 'value',
              type: 'quantitative',
              title: ctx.scoreTitle,
              scale: ctx.regression ? { zero: false } : { domain: [0, 1] },
            },
            color,
            detail: { field: 'task' },
          },
        },
      ],
    },
    resolve: { scale: { color: 'shared', x: 'shared', y: 'shared' } },
  };
}

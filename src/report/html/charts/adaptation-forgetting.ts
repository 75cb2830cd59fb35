import type { TopLevelSpec } from 'vega-lite';
import type { RunRecord } from '../../../runner/result.js';
import { INK, MUTED } from '../theme.js';
import { type ChartContext, spread } from './context.js';

/** The axes of the trade-off view, chosen by what the runs measured. */
export interface TradeoffAxes {
  /** 'LCA' (how fast a new task is picked up) when measured, else 'LA'. */
  readonly x: 'LCA' | 'LA';
  /**
   * 'gapDepth' (the stability gap's depth, lower is better) when the runs evaluated densely, else
   * 'forgetting' (lower is better), else 'BWT' (higher is better). docs/reports.md says why.
   */
  readonly y: 'gapDepth' | 'forgetting' | 'BWT';
}

export interface TradeoffSeed {
  readonly learner: string;
  readonly seed: number;
  readonly x: number;
  readonly y: number;
}

export interface TradeoffMean {
  readonly learner: string;
  readonly x: number;
  readonly y: number;
  readonly xLo: number;
  readonly xHi: number;
  readonly yLo: number;
  readonly yHi: number;
  readonly n: number;
}

function value(run: RunRecord, metric: string): number | null {
  const v = run.metrics[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function measured(ctx: ChartContext, metric: string): boolean {
  return ctx.learners.some((l) => (ctx.usable.get(l) ?? []).some((r) => value(r, metric) !== null));
}

export function tradeoffAxes(ctx: ChartContext): TradeoffAxes | null {
  const x = measured(ctx, 'LCA') ? 'LCA' : measured(ctx, 'LA') ? 'LA' : null;
  const y = measured(ctx, 'gapDepth') ? 'gapDepth' : measured(ctx, 'forgetting') ? 'forgetting' : measured(ctx, 'BWT') ? 'BWT' : null;
  return x && y ? { x, y } : null;
}

/** Seeds with both values, and each learner's mean ± std over them. */
export function tradeoffData(ctx: ChartContext, axes: TradeoffAxes): { seeds: TradeoffSeed[]; means: TradeoffMean[] } {
  const seeds: TradeoffSeed[] = [];
  const means: TradeoffMean[] = [];
  for (const learner of ctx.learners) {
    const mine: TradeoffSeed[] = [];
    for (const run of ctx.usable.get(learner) ?? []) {
      const x = value(run, axes.x);
      const y = value(run, axes.y);
      if (x !== null && y !== null) mine.push({ learner, seed: run.seed, x, y });
    }
    const sx = spread(mine.map((s) => s.x));
    const sy = spread(mine.map((s) => s.y));
    if (!sx || !sy) continue;
    seeds.push(...mine);
    means.push({ learner, x: sx.mean, y: sy.mean, xLo: sx.lo, xHi: sx.hi, yLo: sy.lo, yHi: sy.hi, n: mine.length });
  }
  return { seeds, means };
}

export function axisTitle(metric: string, beta: number): string {
  switch (metric) {
    case 'LCA':
      return `adaptation speed: LCA${beta === 10 ? '₁₀' : ` (β = ${beta})`}, higher = faster`;
    case 'LA':
      return 'adaptation: learning accuracy LA, higher = better';
    case 'forgetting':
      return 'forgetting F, lower = better';
    case 'gapDepth':
      return 'stability gap depth, lower = better';
    default:
      return 'backward transfer BWT, higher = better';
  }
}

/**
 * The trade-off the benchmark is about: one point per learner, adaptation across, forgetting up.
 * Bars are ±1 std over seeds; small dots are the seeds. The better corner is labelled.
 */
export function adaptationForgettingChart(ctx: ChartContext): TopLevelSpec | null {
  const axes = tradeoffAxes(ctx);
  if (!axes) return null;
  const { seeds, means } = tradeoffData(ctx, axes);
  if (means.length === 0) return null;
  const all = [...seeds, ...means.flatMap((m) => [{ x: m.xLo, y: m.yLo }, { x: m.xHi, y: m.yHi }])];
  const pad = (lo: number, hi: number) => {
    const span = Math.max(hi - lo, 0.02);
    return [lo - span * 0.15, hi + span * 0.15];
  };
  const xDomain = pad(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x)));
  const yDomain = pad(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)));
  const lowerIsBetterY = axes.y !== 'BWT';
  const beta = ctx.result.metricOptions.lcaBeta;
  const x = { field: 'x', type: 'quantitative' as const, title: axisTitle(axes.x, beta), scale: { domain: xDomain, nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: axisTitle(axes.y, beta), scale: { domain: yDomain, nice: false } };
  const color = { field: 'learner', type: 'nominal' as const, scale: ctx.colors, legend: null };
  const spreadMeans = means.filter((m) => m.n > 1);
  return {
    width: 420,
    height: 300,
    layer: [
      {
        data: { values: [{ text: lowerIsBetterY ? 'better ↘' : 'better ↗' }] },
        mark: {
          type: 'text',
          align: 'right',
          baseline: lowerIsBetterY ? 'bottom' : 'top',
          dx: -6,
          dy: lowerIsBetterY ? -6 : 6,
          color: MUTED,
          fontSize: 12,
          fontStyle: 'italic',
        },
        encoding: { x: { value: 'width' }, y: { value: lowerIsBetterY ? 'height' : 0 }, text: { field: 'text' } },
      },
      ...(spreadMeans.length
        ? [
            {
              data: { values: spreadMeans },
              mark: { type: 'rule' as const, strokeWidth: 1.5, opacity: 0.7 },
              encoding: { x: { ...x, field: 'xLo' }, x2: { field: 'xHi' }, y, color },
            },
            {
              data: { values: spreadMeans },
              mark: { type: 'rule' as const, strokeWidth: 1.5, opacity: 0.7 },
              encoding: { x, y: { ...y, field: 'yLo' }, y2: { field: 'yHi' }, color },
            },
          ]
        : []),
      ...(seeds.length > means.length
        ? [
            {
              data: { values: seeds },
              mark: { type: 'point' as const, filled: true, size: 28, opacity: 0.45 },
              encoding: { x, y, color },
            },
          ]
        : []),
      {
        data: { values: means },
        mark: { type: 'point', filled: true, size: 150, opacity: 1, stroke: 'white', strokeWidth: 1.5 },
        encoding: { x, y, color },
      },
      {
        data: { values: means },
        mark: { type: 'text', align: 'left', dx: 10, dy: -8, fontSize: 12, fontWeight: 600, color: INK },
        encoding: { x, y, text: { field: 'learner' } },
      },
    ],
  };
}

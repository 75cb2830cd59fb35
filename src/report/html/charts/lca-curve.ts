import type { TopLevelSpec } from 'vega-lite';
import { type ChartContext, spread } from './context.js';

export interface BandDatum {
  readonly learner: string;
  readonly x: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/** Z_b averaged over seeds (each run's lcaCurve is already the mean over tasks), ± std. */
export function lcaCurveData(ctx: ChartContext): BandDatum[] {
  const data: BandDatum[] = [];
  for (const learner of ctx.learners) {
    const runs = ctx.usable.get(learner) ?? [];
    const length = Math.max(0, ...runs.map((r) => r.lcaCurve.length));
    for (let b = 0; b < length; b++) {
      const s = spread(runs.map((r) => r.lcaCurve[b]));
      if (s) data.push({ learner, x: b, mean: s.mean, lo: s.lo, hi: s.hi });
    }
  }
  return data;
}

/** Lines with a shaded band, one per learner: shared by the LCA and few-shot adaptation curves. */
export function bandLines(
  ctx: ChartContext,
  data: readonly BandDatum[],
  titles: { x: string; y: string },
  options: { width?: number; yDomain?: number[] } = {},
): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative' as const, title: titles.x, axis: { tickMinStep: 1, format: 'd' } };
  const color = { field: 'learner', type: 'nominal' as const, scale: ctx.colors, legend: { title: null, orient: 'bottom' as const, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 } };
  const y = {
    field: 'mean',
    type: 'quantitative' as const,
    title: titles.y,
    scale: options.yDomain ? { domain: options.yDomain } : { zero: false },
  };
  const banded = data.some((d) => d.hi > d.lo);
  return {
    width: options.width ?? 340,
    height: 280,
    data: { values: [...data] },
    layer: [
      ...(banded
        ? [{ mark: { type: 'area' as const, opacity: 0.16 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } }]
        : []),
      { mark: { type: 'line', point: { size: 24 } }, encoding: { x, y, color } },
    ],
  };
}

/** How fast a new task is picked up: the mean score after b batches of it, b = 0..β. */
export function lcaCurveChart(ctx: ChartContext): TopLevelSpec | null {
  const data = lcaCurveData(ctx);
  if (data.length === 0) return null;
  return bandLines(ctx, data, { x: 'batches of the new task seen (b)', y: `mean ${ctx.scoreTitle} on the new task (Z_b)` }, { width: 300 });
}

import type { TopLevelSpec } from 'vega-lite';
import { MUTED } from '../theme.js';
import { type ChartContext, spread } from './context.js';

export const MEASURES = {
  wall: 'wall time (s)',
  rss: 'peak process memory, RSS (MB)',
  tensors: 'peak tensor memory (MB)',
} as const;

export interface CostDatum {
  readonly learner: string;
  readonly measure: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly label: string;
}

const MB = 1024 * 1024;

/** Wall time and memory per learner over all its runs (a failed run's time counts too). */
export function costData(ctx: ChartContext): CostDatum[] {
  const data: CostDatum[] = [];
  for (const learner of ctx.learners) {
    const runs = ctx.result.runs.filter((r) => r.learner === learner);
    const rows: [string, (number | undefined)[], number][] = [
      [MEASURES.wall, runs.map((r) => r.wallSeconds), 1],
      [MEASURES.rss, runs.map((r) => r.peakRssBytes), MB],
      [MEASURES.tensors, runs.map((r) => r.peakTensorBytes), MB],
    ];
    for (const [measure, values, unit] of rows) {
      const s = spread(values.map((v) => (typeof v === 'number' ? v / unit : null)));
      if (!s) continue;
      const digits = s.mean >= 100 ? 0 : 1;
      data.push({ learner, measure, mean: s.mean, lo: Math.max(0, s.lo), hi: s.hi, label: s.mean.toFixed(digits) });
    }
  }
  return data;
}

/** Horizontal bars per learner for each measure present, each panel on its own scale. */
export function costChart(ctx: ChartContext): TopLevelSpec | null {
  const data = costData(ctx);
  if (data.length === 0) return null;
  const measures = Object.values(MEASURES).filter((m) => data.some((d) => d.measure === m));
  const y = { field: 'learner', type: 'nominal' as const, sort: [...ctx.learners], title: null };
  const x = { field: 'mean', type: 'quantitative' as const, title: null, axis: { tickCount: 4, grid: true } };
  return {
    data: { values: data },
    facet: { field: 'measure', type: 'nominal', sort: measures, header: { title: null, labelAnchor: 'start', labelFontWeight: 600 } },
    columns: measures.length,
    spacing: 28,
    spec: {
      width: 200,
      height: { step: 22 },
      layer: [
        { mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.7 } }, encoding: { y, x, color: { field: 'learner', type: 'nominal', scale: ctx.colors, legend: null } } },
        { mark: { type: 'rule', color: MUTED }, encoding: { y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: MUTED }, encoding: { y, x: { field: 'hi', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

import type { TopLevelSpec } from 'vega-lite';
import type { RunRecord } from '../../../runner/result.js';
import { type ChartContext } from './context.js';
import { type BandDatum, bandLines } from './lca-curve.js';

/** One point of a few-shot adaptation curve (a run's `metrics.adaptationCurve`, from meta-learning scenarios). */
export interface AdaptationPoint {
  readonly steps: number;
  readonly mean: number;
  readonly ci95: number;
}

function isPoint(value: unknown): value is AdaptationPoint {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p.steps === 'number' && typeof p.mean === 'number' && Number.isFinite(p.mean) && typeof p.ci95 === 'number';
}

/** The run's few-shot adaptation curve, or null when it has none (most continual-learning runs). */
export function adaptationCurveOf(run: RunRecord): AdaptationPoint[] | null {
  const curve = (run.metrics as Record<string, unknown>).adaptationCurve;
  if (!Array.isArray(curve)) return null;
  const points = curve.filter(isPoint);
  return points.length ? points : null;
}

/**
 * Query score after k adaptation steps, averaged over seeds; the band is mean ± the 95% CI over
 * meta-test episodes (averaged over seeds).
 */
export function adaptationCurveData(ctx: ChartContext): BandDatum[] {
  const data: BandDatum[] = [];
  for (const learner of ctx.learners) {
    const byStep = new Map<number, { means: number[]; cis: number[] }>();
    for (const run of ctx.usable.get(learner) ?? []) {
      for (const p of adaptationCurveOf(run) ?? []) {
        const entry = byStep.get(p.steps) ?? { means: [], cis: [] };
        entry.means.push(p.mean);
        if (Number.isFinite(p.ci95)) entry.cis.push(p.ci95);
        byStep.set(p.steps, entry);
      }
    }
    for (const [steps, { means, cis }] of [...byStep.entries()].sort((a, b) => a[0] - b[0])) {
      const mean = means.reduce((a, b) => a + b, 0) / means.length;
      const ci = cis.length ? cis.reduce((a, b) => a + b, 0) / cis.length : 0;
      data.push({ learner, x: steps, mean, lo: mean - ci, hi: mean + ci });
    }
  }
  return data;
}

export function adaptationCurvesChart(ctx: ChartContext): TopLevelSpec | null {
  const data = adaptationCurveData(ctx);
  if (data.length === 0) return null;
  const y = ctx.regression ? 'query MSE (lower = better)' : 'query accuracy';
  return bandLines(ctx, data, { x: 'adaptation steps on the support set', y }, { width: 520 });
}

import { describe, expect, it } from 'vitest';
import type { TracePoint } from '../../src/metrics/types.js';
import { tradeoffAxes } from '../../src/report/html/charts/adaptation-forgetting.js';
import { chartContext } from '../../src/report/html/charts/context.js';
import { stabilityGapChart, stabilityGapData } from '../../src/report/html/charts/stability-gap.js';
import { planCharts } from '../../src/report/html/render-html.js';
import type { RunResult } from '../../src/runner/result.js';
import { richResult } from './html-fixture.js';

/** Two tasks of 3 batches, every seen task scored after every batch; task 0 dips by `dip` right after the switch. */
function denseCurves(dip: number): TracePoint[] {
  const point = (afterTask: number, batchInTask: number, evalTask: number, accuracy: number): TracePoint => ({
    step: 3 * afterTask + batchInTask, afterTask, batchInTask, evalTask, accuracy, loss: 0,
  });
  return [
    point(0, 1, 0, 0.5), point(0, 2, 0, 0.8), point(0, 3, 0, 0.9),
    point(1, 0, 1, 0.2), point(1, 1, 0, 0.9 - dip), point(1, 1, 1, 0.6), point(1, 2, 0, 0.85), point(1, 2, 1, 0.8),
    point(1, 3, 0, 0.9), point(1, 3, 1, 0.9),
  ];
}

/** The fixture's learners, each with two seeds of the dense two-task trace (dips 0.2 and 0.4). */
function denseResult(): RunResult {
  const base = richResult();
  const learners = [...new Set(base.runs.map((r) => r.learner))];
  const runs = learners.flatMap((learner) => {
    const template = base.runs.find((r) => r.learner === learner)!;
    return [0.2, 0.4].map((dip, seed) => ({ ...template, seed, status: 'completed' as const, diverged: undefined, curves: denseCurves(dip), metrics: { ...template.metrics, gapDepth: dip } }));
  });
  return { ...base, taskIds: ['a', 'b'], runs };
}

describe('stability-gap chart', () => {
  it('aligns the earlier tasks at each switch and averages over seeds with ±1 std', () => {
    const ctx = chartContext(denseResult());
    const data = stabilityGapData(ctx).filter((d) => d.learner === ctx.learners[0]);
    expect(data.map((d) => d.offset)).toEqual([-2, -1, 0, 1, 2, 3]);
    const dip = data.find((d) => d.offset === 1)!;
    // seeds 0.9 − 0.2 and 0.9 − 0.4: mean 0.6, sample std √0.02
    expect(dip).toMatchObject({ switchTo: '→T1', series: 'T0' });
    expect(dip.mean).toBeCloseTo(0.6, 10);
    expect(dip.hi - dip.mean).toBeCloseTo(Math.sqrt(0.02), 10);
    expect(stabilityGapChart(ctx)).not.toBeNull();
    expect(planCharts(denseResult()).map((p) => p.id)).toContain('stability-gap');
  });

  it('is left out with task-end evaluation only, and the trade-off chart then keeps forgetting as its axis', () => {
    const dense = denseResult();
    const taskEnds = { ...dense, runs: dense.runs.map((r) => ({ ...r, curves: r.curves.filter((p) => p.batchInTask === 3), metrics: { ...r.metrics, gapDepth: null } })) };
    expect(stabilityGapChart(chartContext(taskEnds))).toBeNull();
    expect(tradeoffAxes(chartContext(taskEnds))?.y).toBe('forgetting');
    expect(tradeoffAxes(chartContext(denseResult()))?.y).toBe('gapDepth');
  });
});

import { describe, expect, it } from 'vitest';
import { UNTRAINED, blockSize, matrixCells } from '../../src/report/html/charts/accuracy-matrix.js';
import { adaptationCurveData, adaptationCurveOf } from '../../src/report/html/charts/adaptation-curves.js';
import { tradeoffAxes, tradeoffData } from '../../src/report/html/charts/adaptation-forgetting.js';
import { chartContext } from '../../src/report/html/charts/context.js';
import { MEASURES, costData } from '../../src/report/html/charts/cost.js';
import { lcaCurveData } from '../../src/report/html/charts/lca-curve.js';
import { curveData } from '../../src/report/html/charts/learning-curves.js';
import { PIPE_LEARNER, wideResult } from './fixture.js';
import { richResult } from './html-fixture.js';

/*
 * richResult(): naive seeds 1, 2 and ewc seeds 1 (completed), 2 (diverged). Run i (0..3) has
 * LCA 0.3 + 0.05·i, RSS (200 + 10·i) MB, tensors (5 + i) MB; the adaptation curve of run i starts
 * at 0.2 + 0.1·i and rises 0.05 a step with CI 0.02.
 */
const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 10);

describe('chart data', () => {
  const ctx = chartContext(richResult({ fewShot: true }));

  it('plots completed runs only, unless none completed', () => {
    expect(ctx.usable.get('naive')?.map((r) => r.seed)).toEqual([1, 2]);
    expect(ctx.usable.get(PIPE_LEARNER)?.map((r) => r.seed)).toEqual([1]);
  });

  it('averages accuracy matrices over seeds, untrained row first, diagonal marked', () => {
    const cells = matrixCells(ctx, 3);
    const at = (learner: string, after: string, on: string) => cells.find((c) => c.learner === learner && c.after === after && c.on === on);
    close(at('naive', 'T0', 'T0')!.value, (0.9 + 0.8) / 2);
    close(at('naive', UNTRAINED, 'T1')!.value, (0.15 + 0.05) / 2);
    close(at('naive', 'T2', 'T1')!.value, (0.6 + 0.5) / 2);
    expect(at('naive', 'T0', 'T0')!.diagonal).toBe(true);
    expect(at('naive', 'T1', 'T0')!.diagonal).toBe(false);
    expect(at('naive', 'T0', 'T0')!.label).toBe('0.85');
    // ewc: only its completed seed (1) counts, so the diverged seed's 0.7 is not averaged in.
    close(at(PIPE_LEARNER, 'T0', 'T0')!.value, 0.9);
    close(at(PIPE_LEARNER, 'T2', 'T2')!.value, 0.8);
    expect(cells).toHaveLength(2 * 4 * 3);
  });

  it('the task-IL view averages the runs’ task-IL matrices, has no untrained row, and is absent without them', () => {
    expect(matrixCells(ctx, 3, 1, 'task-il')).toEqual([]);
    const base = richResult();
    const withTaskIL = chartContext({
      ...base,
      runs: base.runs.map((run) => ({ ...run, taskILAccuracyMatrix: run.accuracyMatrix.map((row) => row.map((v) => (v === null ? null : (1 + v) / 2))) })),
    });
    const cells = matrixCells(withTaskIL, 3, 1, 'task-il');
    const at = (after: string, on: string) => cells.find((c) => c.learner === 'naive' && c.after === after && c.on === on);
    close(at('T2', 'T1')!.value, ((1 + 0.6) / 2 + (1 + 0.5) / 2) / 2);
    expect(cells.some((c) => c.after === UNTRAINED)).toBe(false);
    expect(cells).toHaveLength(2 * 3 * 3);
  });

    it('averages blocks of tasks on long streams, so the chart stays small', () => {
    expect([blockSize(50), blockSize(51), blockSize(100), blockSize(101)]).toEqual([1, 2, 2, 3]);
    const wide = chartContext(wideResult(60)); // R[i][j] = i + j/1000, b[j] = j/1000
    const cells = matrixCells(wide, 60, 2);
    expect(cells).toHaveLength(31 * 30);
    const first = cells.find((c) => c.after === 'T0' && c.on === 'T0')!;
    close(first.value, (0 + 0.001 + 1 + 1.001) / 4);
    expect(first.diagonal).toBe(true);
    close(cells.find((c) => c.after === UNTRAINED && c.on === 'T58')!.value, (0.058 + 0.059) / 2);
    close(cells.find((c) => c.after === 'T58' && c.on === 'T2')!.value, (58 + 59) / 2 + (0.002 + 0.003) / 2);
  });

  it('places each learner by LCA and forgetting, with the spread over seeds', () => {
    expect(tradeoffAxes(ctx)).toEqual({ x: 'LCA', y: 'forgetting' });
    const { seeds, means } = tradeoffData(ctx, { x: 'LCA', y: 'forgetting' });
    expect(seeds.map((s) => [s.learner, s.seed])).toEqual([['naive', 1], ['naive', 2], [PIPE_LEARNER, 1]]);
    const naive = means.find((m) => m.learner === 'naive')!;
    close(naive.x, 0.325);
    close(naive.y, 0.375);
    const sdY = Math.sqrt(((0.3 - 0.375) ** 2 + (0.45 - 0.375) ** 2) / 1);
    close(naive.yHi - naive.y, sdY);
    close(naive.x - naive.xLo, Math.sqrt(((0.3 - 0.325) ** 2 + (0.35 - 0.325) ** 2) / 1));
    const ewc = means.find((m) => m.learner === PIPE_LEARNER)!;
    expect([ewc.x, ewc.y, ewc.n, ewc.xLo, ewc.xHi]).toEqual([0.4, 0.1, 1, 0.4, 0.4]);
  });

  it('falls back to LA and BWT when LCA and forgetting were not measured', () => {
    const base = richResult();
    const runs = base.runs.map((r) => ({ ...r, metrics: { ACC: r.metrics.ACC, LA: r.metrics.LA, BWT: r.metrics.BWT } }));
    expect(tradeoffAxes(chartContext({ ...base, runs }))).toEqual({ x: 'LA', y: 'BWT' });
    const none = base.runs.map((r) => ({ ...r, metrics: { ACC: r.metrics.ACC } }));
    expect(tradeoffAxes(chartContext({ ...base, runs: none }))).toBeNull();
  });

  it('traces each task from its own training on, averaged over seeds, with task boundaries', () => {
    const { points, boundaries } = curveData(ctx);
    const naive = points.filter((p) => p.learner === 'naive');
    // Task 0 from step 5, task 1 from step 15, task 2 from step 25: 2 + 4 + 6 points.
    expect(naive).toHaveLength(12);
    expect(naive.filter((p) => p.task === 'T2').map((p) => p.step)).toEqual([25, 30]);
    close(naive.find((p) => p.step === 5 && p.task === 'T0')!.value, 0.5 - 0.05);
    close(naive.find((p) => p.step === 30 && p.task === 'T1')!.value, 0.5 + 0.1 - 0.3);
    expect(boundaries.filter((b) => b.learner === 'naive').map((b) => b.step)).toEqual([10, 20]);
  });

  it('averages the LCA curve over seeds', () => {
    const data = lcaCurveData(ctx).filter((d) => d.learner === 'naive');
    expect(data.map((d) => d.x)).toEqual([0, 1, 2, 3]);
    expect(data.map((d) => d.mean)).toEqual([0.1, 0.3, 0.4, 0.45]);
    expect(data.every((d) => d.lo === d.mean && d.hi === d.mean)).toBe(true); // equal seeds: no spread
  });

  it('reads few-shot adaptation curves and averages them over seeds, band = mean CI', () => {
    expect(adaptationCurveOf(ctx.result.runs[0])).toHaveLength(6);
    expect(adaptationCurveOf({ ...ctx.result.runs[0], metrics: { ACC: 0.5 } })).toBeNull();
    const naive = adaptationCurveData(ctx).filter((d) => d.learner === 'naive');
    expect(naive.map((d) => d.x)).toEqual([0, 1, 2, 3, 4, 5]);
    close(naive[0].mean, 0.25); // seeds start at 0.2 and 0.3
    close(naive[0].hi - naive[0].mean, 0.02);
    close(naive[5].mean, 0.5);
    const ewc = adaptationCurveData(ctx).filter((d) => d.learner === PIPE_LEARNER);
    close(ewc[0].mean, 0.4); // the completed seed only
  });

  it('reports wall time over all runs and memory peaks in MB', () => {
    const data = costData(ctx);
    const get = (learner: string, measure: string) => data.find((d) => d.learner === learner && d.measure === measure)!;
    close(get('naive', MEASURES.wall).mean, 11);
    close(get('naive', MEASURES.rss).mean, 205);
    close(get('naive', MEASURES.tensors).mean, 5.5);
    close(get(PIPE_LEARNER, MEASURES.wall).mean, 12.5); // the diverged run's time counts too
    expect(get('naive', MEASURES.rss).label).toBe('205');
    const old = chartContext({ ...ctx.result, runs: ctx.result.runs.map(({ peakRssBytes: _r, peakTensorBytes: _t, ...r }) => r) });
    expect(new Set(costData(old).map((d) => d.measure))).toEqual(new Set([MEASURES.wall]));
  });
});

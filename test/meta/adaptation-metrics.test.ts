import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { adaptationAuc, adaptationCurve, adaptationMetrics, defaultReportSteps, meanCi95, stepsToTarget } from '../../src/metrics/adaptation.js';
import { toAdaptationResult } from '../../src/metrics/operators/to-adaptation-result.js';
import type { RunEvent } from '../../src/events/run-events.js';

const point = (steps: number, mean: number) => ({ steps, mean, ci95: 0, n: 1 });

describe('adaptation metrics', () => {
  it('gives the mean and the 95% confidence half-width 1.96·s/√n', () => {
    const { mean, ci95, n } = meanCi95([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(ci95).toBeCloseTo((1.96 * Math.sqrt(5 / 3)) / 2, 12); // s² = (2.25 + 0.25 + 0.25 + 2.25) / 3
    expect(n).toBe(4);
    expect(meanCi95([7])).toEqual({ mean: 7, ci95: 0, n: 1 });
    expect(meanCi95([NaN, 2])).toEqual({ mean: 2, ci95: 0, n: 1 });
  });

  it('builds the curve by step and integrates it by the trapezoid rule over its width', () => {
    const curve = adaptationCurve(new Map([[2, [1, 1]], [0, [4, 4]], [1, [1, 3]]]));
    expect(curve.map((p) => [p.steps, p.mean])).toEqual([[0, 4], [1, 2], [2, 1]]);
    expect(adaptationAuc(curve)).toBe(((4 + 2) / 2 + (2 + 1) / 2) / 2);
    expect(adaptationAuc([point(0, 0.3)])).toBe(0.3);
    expect(adaptationAuc([point(0, 1), point(1, NaN)])).toBeNull();
  });

  it('counts steps to a target, lower-is-better for losses and higher-is-better for accuracy', () => {
    const mse = [point(0, 3), point(1, 0.9), point(2, 0.4), point(3, 0.45)];
    expect(stepsToTarget(mse, 0.5, false)).toBe(2);
    expect(stepsToTarget(mse, 0.1, false)).toBeNull();
    const acc = [point(0, 0.2), point(1, 0.6), point(2, 0.8)];
    expect(stepsToTarget(acc, 0.6, true)).toBe(1);
    expect(stepsToTarget(acc, 0.2, true)).toBe(0);
  });

  it('reports adapt@k at 0, 1, 5, 10 within K (and K), adaptAUC, and stepsToTarget when a target is set', () => {
    expect(defaultReportSteps(10)).toEqual([0, 1, 5, 10]);
    expect(defaultReportSteps(3)).toEqual([0, 1, 3]);
    expect(defaultReportSteps(0)).toEqual([0]);
    const curve = [point(0, 3), point(1, 1), point(2, 0.5)];
    expect(adaptationMetrics(curve, { reportSteps: [1, 2], higherIsBetter: false })).toEqual({ 'adapt@1': 1, 'adapt@2': 0.5, adaptAUC: 1.375 });
    expect(adaptationMetrics(curve, { reportSteps: [5], target: 1, higherIsBetter: false })).toEqual({ 'adapt@5': null, adaptAUC: 1.375, stepsToTarget: 1 });
  });

  it('folds a run’s adapt-eval events into curves and metrics (RxJS operator)', async () => {
    const key = { learner: 'maml', seed: 0 };
    const events: RunEvent[] = [
      { ...key, type: 'meta-start', metaIterations: 10, metaBatch: 2, adaptSteps: 1, evalEpisodes: 2, score: 'accuracy', reportSteps: [0, 1], adaptTarget: 0.7 },
      ...[0, 1].flatMap((episode) => [0, 1].map((steps): RunEvent => ({
        ...key, type: 'adapt-eval', phase: 'interim', iteration: 0, episode, steps, accuracy: 0.2 + 0.1 * steps, loss: 1,
      }))),
      { ...key, type: 'meta-step', iteration: 10, iterations: 10, loss: 0.5 },
      ...[0, 1].flatMap((episode) => [0, 1].map((steps): RunEvent => ({
        ...key, type: 'adapt-eval', phase: 'final', iteration: 10, episode, steps, accuracy: steps === 0 ? 0.2 : 0.6 + 0.2 * episode, loss: 1,
      }))),
    ];
    const result = await lastValueFrom(from(events).pipe(toAdaptationResult()));
    expect(result!.curve.map((p) => [p.steps, p.n])).toEqual([[0, 2], [1, 2]]);
    expect(result!.curve[0].mean).toBeCloseTo(0.2, 12);
    expect(result!.curve[1].mean).toBeCloseTo(0.7, 12);
    expect(result!.curve[1].ci95).toBeCloseTo((1.96 * Math.sqrt(0.02)) / Math.sqrt(2), 12);
    const { metrics } = result!;
    expect(Object.keys(metrics)).toEqual(['adapt@0', 'adapt@1', 'adaptAUC', 'stepsToTarget']);
    expect(metrics['adapt@1']).toBeCloseTo(0.7, 12);
    expect(metrics.adaptAUC).toBeCloseTo(0.45, 12);
    expect(metrics.stepsToTarget).toBe(1); // 0.7 reached after one step
    expect(result!.metaCurve.map((p) => [p.iteration, p.steps, Number(p.mean.toFixed(12))])).toEqual([[0, 0, 0.2], [0, 1, 0.3]]);
    expect(await lastValueFrom(from(events.slice(1)).pipe(toAdaptationResult()))).toBeNull();
  });
});

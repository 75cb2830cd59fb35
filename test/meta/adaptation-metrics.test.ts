import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adaptationAuc, adaptationCurve, adaptationMetrics, defaultReportSteps, divergedEpisodes, isDivergedEpisode, meanCi95, stepsToTarget,
} from '../../src/metrics/adaptation.js';
import { toAdaptationResult } from '../../src/metrics/operators/to-adaptation-result.js';
import type { RunEvent } from '../../src/events/run-events.js';

const point = (steps: number, mean: number) => ({ steps, mean, ci95: 0, n: 1 });

describe('adaptation metrics', () => {
  it('gives the mean and the 95% confidence half-width 1.96·s/√n', () => {
    const { mean, ci95, n } = meanCi95([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(ci95).toBeCloseTo((1.96 * Math.sqrt(5 / 3)) / 2, 12); // s² = (2.25 + 0.25 + 0.25 + 2.25) / 3
    expect(n).toBe(4);
    expect(meanCi95([7])).toEqual({ mean: 7, ci95: 0, n: 1, nonFinite: 0 });
    expect(meanCi95([NaN, 2, Infinity])).toEqual({ mean: 2, ci95: 0, n: 1, nonFinite: 2 });
    expect(meanCi95([NaN])).toEqual({ mean: NaN, ci95: NaN, n: 0, nonFinite: 1 });
  });

  it('counts non-finite episodes on the curve and leaves the steps they hit out of adapt@k, adaptAUC and stepsToTarget', () => {
    // Two episodes: the second one blows up after 2 steps.
    const curve = adaptationCurve(new Map([[0, [3, 5]], [1, [1, 2]], [2, [0.5, NaN]]]));
    expect(curve.map(({ steps, mean, n, nonFinite }) => ({ steps, mean, n, nonFinite }))).toEqual([
      { steps: 0, mean: 4, n: 2, nonFinite: 0 },
      { steps: 1, mean: 1.5, n: 2, nonFinite: 0 },
      { steps: 2, mean: 0.5, n: 1, nonFinite: 1 }, // the mean of the finite episode alone
    ]);
    expect(curve[0].ci95).toBeCloseTo(1.96, 12); // s = √2, so 1.96·√2/√2
    const metrics = adaptationMetrics(curve, { reportSteps: [0, 1, 2], target: 0.6, higherIsBetter: false }, [[3, 0.5], [5, NaN]]);
    // adapt@2 would be 0.5 from the finite episode alone; the mean over both is undefined.
    expect(metrics).toEqual({ 'adapt@0': 4, 'adapt@1': 1.5, 'adapt@2': null, adaptAUC: null, stepsToTarget: null, divergedEpisodes: 1 });
  });

  it('calls an episode diverged when its final score is not finite, or its final loss exceeds 1000× its loss before adapting', () => {
    expect(isDivergedEpisode(2, NaN, false)).toBe(true);
    expect(isDivergedEpisode(2, Infinity, false)).toBe(true);
    expect(isDivergedEpisode(2, 2000, false)).toBe(false); // exactly 1000×: not more
    expect(isDivergedEpisode(2, 2000.5, false)).toBe(true);
    expect(isDivergedEpisode(3.1, 2.8e32, false)).toBe(true); // maml-sine seed 1's episode
    expect(isDivergedEpisode(2, 5, false)).toBe(false); // worse than before, but bounded
    expect(isDivergedEpisode(0.001, 0.9, true)).toBe(false); // accuracy: only non-finite counts
    expect(isDivergedEpisode(0.2, NaN, true)).toBe(true);
    expect(divergedEpisodes([[3, 0.4], [3, NaN], [0.5, 400], [1, 0.2], [4, 1e5]], false)).toBe(2); // NaN, and 1e5 > 4000; 400 < 500 is not
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
    expect(Object.keys(metrics)).toEqual(['adapt@0', 'adapt@1', 'adaptAUC', 'stepsToTarget', 'divergedEpisodes']);
    expect(metrics.divergedEpisodes).toBe(0);
    expect(metrics['adapt@1']).toBeCloseTo(0.7, 12);
    expect(metrics.adaptAUC).toBeCloseTo(0.45, 12);
    expect(metrics.stepsToTarget).toBe(1); // 0.7 reached after one step
    expect(result!.metaCurve.map((p) => [p.iteration, p.steps, Number(p.mean.toFixed(12))])).toEqual([[0, 0, 0.2], [0, 1, 0.3]]);
    expect(await lastValueFrom(from(events.slice(1)).pipe(toAdaptationResult()))).toBeNull();
  });

  it('counts the diverged episodes of the final evaluation by episode (a regression run scored by its loss)', async () => {
    const key = { learner: 'maml', seed: 1 };
    // Episode losses after 0, 1, 2 steps; episode 1 blows up to NaN, episode 2 to 2.8e32 (> 1000 × 3).
    const losses = [[3, 1, 0.5], [2, 5, NaN], [3, 13, 2.8e32]];
    const events: RunEvent[] = [
      { ...key, type: 'meta-start', metaIterations: 1, metaBatch: 1, adaptSteps: 2, evalEpisodes: 3, score: 'loss', reportSteps: [0, 2] },
      ...losses.flatMap((byStep, episode) => byStep.map((loss, steps): RunEvent => ({
        ...key, type: 'adapt-eval', phase: 'final', iteration: 1, episode, steps, accuracy: NaN, loss,
      }))),
    ];
    const { curve, metrics } = (await lastValueFrom(from(events).pipe(toAdaptationResult())))!;
    expect(curve.map((p) => [p.steps, p.n, p.nonFinite])).toEqual([[0, 3, 0], [1, 3, 0], [2, 2, 1]]);
    expect(metrics['adapt@0']).toBeCloseTo(8 / 3, 12);
    expect(metrics['adapt@2']).toBeNull();
    expect(metrics.divergedEpisodes).toBe(2);
  });
});

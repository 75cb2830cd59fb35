import type { CurvePoint } from '../../src/metrics/operators/to-learning-curves.js';
import { summarizeRuns } from '../../src/runner/summarize.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { fixtureResult } from './fixture.js';

/** A scenario name and learner label that would run script if the page did not escape them. */
export const HOSTILE_NAME = '<script>alert(1)</script>';
export const HOSTILE_LEARNER = '"><img src=x onerror=alert(2)>';

/** Curves for 3 tasks of 10 batches, evaluated every 5: score on task j = 0.5 + 0.1·j − 0.01·step. */
function curves(): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (let t = 0; t < 3; t++) {
    for (const b of [5, 10]) {
      const step = t * 10 + b;
      for (let j = 0; j < 3; j++) points.push({ step, afterTask: t, batchInTask: b, evalTask: j, accuracy: 0.5 + 0.1 * j - 0.01 * step, loss: 1 });
    }
  }
  return points;
}

/** An adaptation curve k = 0..5 rising from `start` by 0.05 a step, CI 0.02. */
export function adaptationCurve(start: number): { steps: number; mean: number; ci95: number }[] {
  return Array.from({ length: 6 }, (_, k) => ({ steps: k, mean: start + 0.05 * k, ci95: 0.02 }));
}

/**
 * The report fixture with what charts need: curves, LCA curves and memory peaks on every run;
 * `fewShot` adds adaptation curves; `hostile` renames the scenario and a learner to markup.
 */
export function richResult(options: { fewShot?: boolean; hostile?: boolean } = {}): RunResult {
  const base = fixtureResult();
  const runs: RunRecord[] = base.runs.map((run, i) => {
    const metrics: Record<string, unknown> = { ...run.metrics, LCA: run.metrics.ACC === null ? null : 0.3 + 0.05 * i };
    if (options.fewShot) metrics.adaptationCurve = adaptationCurve(0.2 + 0.1 * i);
    return {
      ...run,
      learner: options.hostile && run.learner === 'naive' ? HOSTILE_LEARNER : run.learner,
      curves: curves(),
      lcaCurve: [0.1, 0.3, 0.4, 0.45],
      peakRssBytes: (200 + 10 * i) * 1024 * 1024,
      peakTensorBytes: (5 + i) * 1024 * 1024,
      metrics: metrics as RunRecord['metrics'],
    };
  });
  return {
    ...base,
    scenario: { ...base.scenario, ...(options.hostile ? { name: HOSTILE_NAME, description: `desc ${HOSTILE_NAME}` } : {}) },
    runs,
    summary: summarizeRuns(runs),
  };
}

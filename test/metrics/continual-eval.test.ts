import { describe, expect, it } from 'vitest';
import { adaptationSpeedEntry, stepsToAdapt } from '../../src/metrics/adaptation-speed.js';
import { anytimeAccEntry } from '../../src/metrics/anytime-acc.js';
import { evalPoints } from '../../src/metrics/eval-points.js';
import { minAccEntry, minAccuracies } from '../../src/metrics/min-acc.js';
import { computeMetrics, metrics } from '../../src/metrics/registry.js';
import { gapDepthEntry, gapRecoveryEntry, stabilityGaps } from '../../src/metrics/stability-gap.js';
import { type MetricOptions, type RunMatrices, type Score, type TracePoint, defaultMetricOptions } from '../../src/metrics/types.js';
import { wcAccEntry } from '../../src/metrics/wc-acc.js';
import { windowedForgetting, windowedForgettingEntry } from '../../src/metrics/windowed-forgetting.js';

// Three tasks of 4 batches, every seen task scored after every batch (k = 1), and the new task
// alone before its first batch, as a run with protocol.evalSubset scores them. step = 4·task + batch.
const scores: Record<string, Record<number, number>> = {
  '0:0': { 0: 0.1 }, '0:1': { 0: 0.5 }, '0:2': { 0: 0.7 }, '0:3': { 0: 0.8 }, '0:4': { 0: 0.9 },
  '1:0': { 1: 0.3 }, '1:1': { 0: 0.6, 1: 0.5 }, '1:2': { 0: 0.7, 1: 0.7 }, '1:3': { 0: 0.85, 1: 0.85 }, '1:4': { 0: 0.895, 1: 0.9 },
  '2:0': { 2: 0.2 }, '2:1': { 0: 0.8, 1: 0.6, 2: 0.5 }, '2:2': { 0: 0.85, 1: 0.9, 2: 0.85 }, '2:3': { 0: 0.9, 1: 0.9, 2: 0.95 },
  '2:4': { 0: 0.8, 1: 0.85, 2: 1.0 },
};
const trace: TracePoint[] = Object.entries(scores).flatMap(([moment, byTask]) => {
  const [afterTask, batchInTask] = moment.split(':').map(Number);
  return Object.entries(byTask).map(([evalTask, accuracy]) => ({
    step: 4 * afterTask + batchInTask, afterTask, batchInTask, evalTask: Number(evalTask), accuracy, loss: 0,
  }));
});
const R: Score[][] = [[0.9, null, null], [0.895, 0.9, null], [0.8, 0.85, 1.0]];
const run: RunMatrices = { R, b: [0.1, 0.1, 0.1], Z: [], trace };
const options: MetricOptions = defaultMetricOptions;
const points = evalPoints(trace);

function expectScore(actual: Score, expected: number): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeCloseTo(expected, 10);
}

describe('continual-evaluation metrics on a hand-computed trace', () => {
  it('min-ACC: each earlier task’s lowest score after its training, averaged', () => {
    // task 0 after task 0: 0.6 .7 .85 .895 .8 .85 .9 .8 → 0.6; task 1 after task 1: .6 .9 .9 .85 → 0.6
    expect(minAccuracies(points, 3)).toEqual([0.6, 0.6]);
    expectScore(minAccEntry.compute(run, options), 0.6);
  });

  it('WC-ACC: (1/T)·last task at the end + (1 − 1/T)·min-ACC', () => {
    // 1.0/3 + (2/3)·0.6 = 0.3333… + 0.4
    expectScore(wcAccEntry.compute(run, options), 1 / 3 + 0.4);
  });

  it('stability gap of each switch: depth from the switch value, recovery to within 1 point', () => {
    const [first, second] = stabilityGaps(points, 3);
    // switch to task 1: old mean 0.9 at the switch, lowest 0.6 after 1 batch, back ≥ 0.89 at 0.895 after 4
    expect(first).toMatchObject({ task: 1, atSwitch: 0.9, lowestAfter: 1, recovery: 4 });
    expect(first!.depth).toBeCloseTo(0.3, 10);
    // switch to task 2: old mean (0.895 + 0.9)/2 = 0.8975; means .7 .875 .9 .825: lowest .7 after 1, ≥ .8875 after 3
    expect(second).toMatchObject({ task: 2, lowestAfter: 1, recovery: 3 });
    expect(second!.atSwitch).toBeCloseTo(0.8975, 10);
    expect(second!.depth).toBeCloseTo(0.1975, 10);
    expectScore(gapDepthEntry.compute(run, options), (0.3 + 0.1975) / 2);
    expectScore(gapRecoveryEntry.compute(run, options), 3.5);
  });

  it('a switch that never recovers makes gapRecovery null; one that never drops recovers in 0', () => {
    const never = trace.map((p) => (p.afterTask === 2 && p.batchInTask === 3 && p.evalTask === 0 ? { ...p, accuracy: 0.7 } : p));
    expect(stabilityGaps(evalPoints(never), 3)[1]!.recovery).toBeNull();
    expect(gapRecoveryEntry.compute({ ...run, trace: never }, options)).toBeNull();
    const flat = trace.map((p) => (p.afterTask === 1 && p.evalTask === 0 ? { ...p, accuracy: 0.895 } : p));
    expect(stabilityGaps(evalPoints(flat), 3)[0]).toMatchObject({ recovery: 0, depth: 0.9 - 0.895 });
  });

  it('average anytime accuracy: mean over the seen tasks, averaged over every point after a batch', () => {
    // task 0: .5 .7 .8 .9 (2.9); task 1: .55 .7 .85 .8975 (2.9975); task 2: .63333 .86667 .91667 .88333 (3.3)
    expectScore(anytimeAccEntry.compute(run, options), (2.9 + 2.9975 + 3.3) / 12);
  });

  it('adaptation speed: batches until 90% of the task’s own end accuracy', () => {
    // task 0: 0.81 first reached at 0.9 (batch 4); task 1: 0.85 ≥ 0.81 at batch 3; task 2: 0.95 ≥ 0.9 at batch 3
    expect([0, 1, 2].map((t) => stepsToAdapt(points, t))).toEqual([4, 3, 3]);
    expectScore(adaptationSpeedEntry.compute(run, options), 10 / 3);
  });

  it('windowed forgetting: the largest drop within w batches, from the task’s end on', () => {
    // task 0: 0.9 (step 4) → 0.6 (step 5); task 1: 0.9 (step 8) → 0.6 (step 9)
    expectScore(windowedForgettingEntry.compute(run, options), 0.3);
    const slide: TracePoint[] = [1, 0.9, 0.8, 0.7].map((accuracy, k) => ({ step: 1 + k, afterTask: k, batchInTask: 1, evalTask: 0, accuracy, loss: 0 }));
    const slidePoints = evalPoints(slide);
    expect(windowedForgetting(slidePoints, 0, 1)).toBeCloseTo(0.1, 10);
    expect(windowedForgetting(slidePoints, 0, 3)).toBeCloseTo(0.3, 10);
    expect(windowedForgetting(slidePoints, 0, 0)).toBeNull();
  });

  it('are null without a trace, on a trace that stops early, and (the gap) with task-end points only', () => {
    const dense = ['minACC', 'WC-ACC', 'gapDepth', 'gapRecovery', 'AAA', 'stepsTo90', 'WF10'];
    const none = computeMetrics({ R, b: run.b, Z: [] }, options);
    for (const name of dense) expect(none[name]).toBeNull();
    const early = computeMetrics({ ...run, trace: trace.filter((p) => p.afterTask < 2) }, options);
    for (const name of dense) expect(early[name]).toBeNull();
    const taskEnds = computeMetrics({ ...run, trace: trace.filter((p) => p.batchInTask === 4) }, options);
    expect(taskEnds.gapDepth).toBeNull();
    expect(taskEnds.stepsTo90).toBeNull();
    // min-ACC from task ends alone is the standard-evaluation value: min(0.895, 0.8) and 0.85
    expectScore(taskEnds.minACC, (0.8 + 0.85) / 2);
  });

  it('are registered with a definition and a formula', () => {
    for (const name of ['minACC', 'WC-ACC', 'gapDepth', 'gapRecovery', 'AAA', 'stepsTo90', 'WF10']) {
      const entry = metrics.get(name);
      expect(entry.description.length).toBeGreaterThan(20);
      expect(entry.formula.length).toBeGreaterThan(5);
    }
  });
});

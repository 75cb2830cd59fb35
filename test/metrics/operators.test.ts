import { describe, it, expect } from 'vitest';
import { Subject, firstValueFrom, from, last, lastValueFrom, toArray } from 'rxjs';
import { toLearningCurves } from '../../src/metrics/operators/to-learning-curves.js';
import { toMetrics } from '../../src/metrics/operators/to-metrics.js';
import { toRunMatrices } from '../../src/metrics/operators/to-run-matrices.js';
import { computeMetrics, metrics } from '../../src/metrics/registry.js';
import type { MetricOptions, RunMatrices } from '../../src/metrics/types.js';
import type { EvalEvent, EvalPhase, RunEvent } from '../../src/events/run-events.js';

const key = { learner: 'naive', seed: 7 } as const;

function evalEvent(
  phase: EvalPhase,
  afterTask: number,
  evalTask: number,
  batchInTask: number,
  step: number,
  accuracy: number,
  loss: number,
): EvalEvent {
  return { ...key, type: 'eval', phase, afterTask, evalTask, batchInTask, step, accuracy, loss };
}

function trainStep(task: number, step: number, batchInTask: number): RunEvent {
  return { ...key, type: 'train-step', task, step, batchInTask, batchesInTask: 4, loss: 9.9 };
}

/**
 * A 2-task run, lcaBeta = 2, 4 batches per task, curve evaluation every 2 batches.
 * Accuracies are distinct so any misplaced score shows; losses are accuracy + 10 so a
 * loss/accuracy mix-up shows too.
 */
const events: RunEvent[] = [
  { ...key, type: 'run-start', numTasks: 2, time: '2024-01-01T00:00:00.000Z' },
  evalEvent('baseline', -1, 0, 0, 0, 0.11, 10.11),
  evalEvent('baseline', -1, 1, 0, 0, 0.12, 10.12),
  // task 0
  { ...key, type: 'task-start', task: 0, taskId: 't0', trainSize: 40 },
  evalEvent('lca', 0, 0, 0, 0, 0.21, 10.21),
  trainStep(0, 1, 1),
  evalEvent('lca', 0, 0, 1, 1, 0.22, 10.22),
  trainStep(0, 2, 2),
  evalEvent('lca', 0, 0, 2, 2, 0.23, 10.23),
  evalEvent('curve', 0, 0, 2, 2, 0.24, 10.24),
  evalEvent('curve', 0, 1, 2, 2, 0.25, 10.25),
  trainStep(0, 3, 3),
  evalEvent('lca', 0, 0, 3, 3, 0.99, 10.99), // β' = 3 > lcaBeta: ignored
  evalEvent('lca', 0, 1, 1, 3, 0.98, 10.98), // evalTask ≠ afterTask: ignored
  trainStep(0, 4, 4),
  evalEvent('task-end', 0, 0, 4, 4, 0.31, 10.31),
  evalEvent('task-end', 0, 1, 4, 4, 0.32, 10.32),
  { ...key, type: 'task-end', task: 0 },
  // task 1
  { ...key, type: 'task-start', task: 1, taskId: 't1', trainSize: 40 },
  evalEvent('lca', 1, 1, 0, 4, 0.41, 10.41),
  trainStep(1, 5, 1),
  evalEvent('lca', 1, 1, 1, 5, 0.42, 10.42),
  trainStep(1, 6, 2),
  evalEvent('lca', 1, 1, 2, 6, 0.43, 10.43),
  evalEvent('curve', 1, 0, 2, 6, 0.44, 10.44),
  evalEvent('curve', 1, 1, 2, 6, 0.45, 10.45),
  trainStep(1, 7, 3),
  trainStep(1, 8, 4),
  evalEvent('task-end', 1, 0, 4, 8, 0.51, 10.51),
  evalEvent('task-end', 1, 1, 4, 8, 0.52, 10.52),
  { ...key, type: 'task-end', task: 1 },
  { ...key, type: 'run-end', status: 'completed', wallSeconds: 1.5 },
];

const evalCount = events.filter((e) => e.type === 'eval').length;

describe('toRunMatrices', () => {
  it('folds the eval events into R, b and Z', async () => {
    const m = await lastValueFrom(from(events).pipe(toRunMatrices(2, 2), last()));
    expect(m).toEqual({
      R: [
        [0.31, 0.32],
        [0.51, 0.52],
      ],
      b: [0.11, 0.12],
      Z: [
        [0.21, 0.22, 0.23],
        [0.41, 0.42, 0.43],
      ],
    });
  });

  it('uses the score function when given one (loss for regression)', async () => {
    const m = await lastValueFrom(from(events).pipe(toRunMatrices(2, 2, (e) => e.loss), last()));
    expect(m).toEqual({
      R: [
        [10.31, 10.32],
        [10.51, 10.52],
      ],
      b: [10.11, 10.12],
      Z: [
        [10.21, 10.22, 10.23],
        [10.41, 10.42, 10.43],
      ],
    });
  });

  it('keeps only β′ ≤ lcaBeta: with lcaBeta = 1 the β′ = 2 points are dropped', async () => {
    const m = await lastValueFrom(from(events).pipe(toRunMatrices(2, 1), last()));
    expect(m.Z).toEqual([
      [0.21, 0.22],
      [0.41, 0.42],
    ]);
  });

  it('with lcaBeta = 3 the β′ = 3 point of task 0 is kept and task 1 has a hole', async () => {
    const m = await lastValueFrom(from(events).pipe(toRunMatrices(2, 3), last()));
    expect(m.Z).toEqual([
      [0.21, 0.22, 0.23, 0.99],
      [0.41, 0.42, 0.43, null],
    ]);
  });

  it('emits one snapshot per eval event, and earlier snapshots are not mutated', async () => {
    const snapshots = await firstValueFrom(from(events).pipe(toRunMatrices(2, 2), toArray()));
    expect(snapshots).toHaveLength(evalCount);
    // after the first baseline eval only b[0] is set
    expect(snapshots[0]).toEqual({
      R: [
        [null, null],
        [null, null],
      ],
      b: [0.11, null],
      Z: [
        [null, null, null],
        [null, null, null],
      ],
    });
    // the snapshot after task 0's task-end evals: row 0 filled, row 1 still empty
    const afterTask0 = snapshots[events.filter((e) => e.type === 'eval').findIndex(
      (e) => e.type === 'eval' && e.phase === 'task-end' && e.afterTask === 0 && e.evalTask === 1,
    )];
    expect(afterTask0.R).toEqual([
      [0.31, 0.32],
      [null, null],
    ]);
    expect(afterTask0.Z).toEqual([
      [0.21, 0.22, 0.23],
      [null, null, null],
    ]);
  });

  it('a run that diverged during task 1 leaves row 1 null', async () => {
    const cutAt = events.findIndex((e) => e.type === 'eval' && e.phase === 'lca' && e.afterTask === 1 && e.batchInTask === 1);
    const diverged: RunEvent[] = [
      ...events.slice(0, cutAt),
      { ...key, type: 'diverged', task: 1, step: 5, loss: Infinity },
      { ...key, type: 'run-end', status: 'diverged', wallSeconds: 0.5 },
    ];
    const m = await lastValueFrom(from(diverged).pipe(toRunMatrices(2, 2), last()));
    expect(m).toEqual({
      R: [
        [0.31, 0.32],
        [null, null],
      ],
      b: [0.11, 0.12],
      Z: [
        [0.21, 0.22, 0.23],
        [0.41, null, null],
      ],
    });
  });
});

describe('toMetrics', () => {
  const options: MetricOptions = { normalization: 'T-1', lcaBeta: 2, lcaRule: 'mean' };
  const final: RunMatrices = {
    R: [
      [0.31, 0.32],
      [0.51, 0.52],
    ],
    b: [0.11, 0.12],
    Z: [
      [0.21, 0.22, 0.23],
      [0.41, 0.42, 0.43],
    ],
  };

  it('maps a matrices snapshot to computeMetrics of it', async () => {
    const values = await firstValueFrom(from([final]).pipe(toMetrics(options)));
    expect(values).toEqual(computeMetrics(final, options));
    // and the hand values, so a shared bug in both paths cannot hide:
    expect(values.ACC).toBeCloseTo(0.515, 10); // (0.51 + 0.52) / 2
    expect(values.LA).toBeCloseTo(0.415, 10); // (0.31 + 0.52) / 2
    expect(values.BWT).toBeCloseTo(0.2, 10); // (0.51 - 0.31) / 1
    expect(values.FWT).toBeCloseTo(0.2, 10); // (0.32 - 0.12) / 1
    expect(values.forgetting).toBeCloseTo(-0.2, 10); // (0.31 - 0.51) / 1
    expect(values.LCA).toBeCloseTo(0.32, 10); // Z_b = [0.31, 0.32, 0.33]; 0.96 / 3
  });

  it('passes the options through', async () => {
    const opts: MetricOptions = { normalization: 'T', lcaBeta: 2, lcaRule: 'trapezoid' };
    const values = await firstValueFrom(from([final]).pipe(toMetrics(opts)));
    expect(values).toEqual(computeMetrics(final, opts));
    expect(values.BWT).toBeCloseTo(0.1, 10); // 0.2 / 2
    expect(values.LCA).toBeCloseTo(0.32, 10); // ((0.31+0.32)/2 + (0.32+0.33)/2) / 2 = (0.315 + 0.325) / 2
  });

  it('recomputes for every snapshot of a live run', async () => {
    const snapshots = await firstValueFrom(from(events).pipe(toRunMatrices(2, 2), toArray()));
    const live = await firstValueFrom(from(events).pipe(toRunMatrices(2, 2), toMetrics(options), toArray()));
    expect(live).toHaveLength(evalCount);
    live.forEach((values, i) => expect(values).toEqual(computeMetrics(snapshots[i], options)));
    // first snapshot: nothing but b[0] measured, so every metric is null
    expect(Object.values(live[0]).every((v) => v === null)).toBe(true);
    // every metric but the task-IL view's, which a stream without task outputs does not have
    expect(Object.keys(live[0]).sort()).toEqual(metrics.names().filter((name) => name !== 'ACC-taskIL').sort());
    expect(live.at(-1)).toEqual(computeMetrics(final, options));
  });
});

describe('toLearningCurves', () => {
  it('collects the curve and task-end points in stream order', async () => {
    const curves = await lastValueFrom(from(events).pipe(toLearningCurves()));
    expect(curves).toStrictEqual([
      { step: 2, afterTask: 0, batchInTask: 2, evalTask: 0, accuracy: 0.24, loss: 10.24 },
      { step: 2, afterTask: 0, batchInTask: 2, evalTask: 1, accuracy: 0.25, loss: 10.25 },
      { step: 4, afterTask: 0, batchInTask: 4, evalTask: 0, accuracy: 0.31, loss: 10.31 },
      { step: 4, afterTask: 0, batchInTask: 4, evalTask: 1, accuracy: 0.32, loss: 10.32 },
      { step: 6, afterTask: 1, batchInTask: 2, evalTask: 0, accuracy: 0.44, loss: 10.44 },
      { step: 6, afterTask: 1, batchInTask: 2, evalTask: 1, accuracy: 0.45, loss: 10.45 },
      { step: 8, afterTask: 1, batchInTask: 4, evalTask: 0, accuracy: 0.51, loss: 10.51 },
      { step: 8, afterTask: 1, batchInTask: 4, evalTask: 1, accuracy: 0.52, loss: 10.52 },
    ]);
  });

  it('emits exactly once', async () => {
    const emissions = await firstValueFrom(from(events).pipe(toLearningCurves(), toArray()));
    expect(emissions).toHaveLength(1);
    expect(emissions[0]).toHaveLength(8);
  });

  it('emits only when the events complete', () => {
    const subject = new Subject<RunEvent>();
    const seen: unknown[] = [];
    subject.pipe(toLearningCurves()).subscribe((points) => seen.push(points));
    for (const e of events) subject.next(e);
    expect(seen).toHaveLength(0);
    subject.complete();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(8);
  });

  it('emits an empty array for a run with no curve or task-end evals', async () => {
    const onlyBaseline = events.filter((e) => !(e.type === 'eval' && (e.phase === 'curve' || e.phase === 'task-end')));
    const curves = await lastValueFrom(from(onlyBaseline).pipe(toLearningCurves()));
    expect(curves).toEqual([]);
  });
});

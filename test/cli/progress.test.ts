import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/cli/color.js';
import { ProgressState, ScenarioProgress } from '../../src/cli/progress.js';
import { formatDuration } from '../../src/report/format.js';
import type { RunEvent } from '../../src/events/run-events.js';

/** A non-terminal stream that records what was written, and a clock the test moves. */
function harness(intervalMs = 10_000) {
  const written: string[] = [];
  let now = 0;
  const progress = new ScenarioProgress(2, 2, {
    stream: { write: (text: string) => written.push(text), isTTY: false },
    intervalMs,
    now: () => now,
  });
  return { written, progress, advance: (ms: number) => (now += ms) };
}

function step(learner: string, seed: number, task: number, batchInTask: number, batchesInTask = 10): RunEvent {
  return { type: 'train-step', learner, seed, task, step: task * batchesInTask + batchInTask, batchInTask, batchesInTask };
}

describe('ProgressState', () => {
  it('counts run × task × batch as a share of the work and extrapolates the ETA', () => {
    const state = new ProgressState(2, 4, 0);
    Object.assign(state, { runIndex: 1, task: 2, batch: 5, batches: 10 });
    expect(state.fraction()).toBeCloseTo((4 + 2 + 0.5) / 8, 12);
    expect(state.etaSeconds(65_000)).toBeCloseTo((65 * (1 - 6.5 / 8)) / (6.5 / 8), 9);
    expect(state.position()).toBe('run 2/2  seed 0 · task 3/4 · batch 5/10');
    expect(new ProgressState(1, 1, 0).etaSeconds(10_000)).toBeUndefined(); // no progress yet
  });

  it('formats durations', () => {
    expect([formatDuration(4.4), formatDuration(65), formatDuration(3725), formatDuration(-1)]).toEqual(['4s', '1m05s', '1h02m', '?']);
  });
});

describe('ScenarioProgress without a terminal', () => {
  it('prints plain lines: each run start and end, and at most one progress line per interval', () => {
    const { written, progress, advance } = harness();
    progress.runStarted('naive', 0, 0);
    progress.event({ type: 'task-start', learner: 'naive', seed: 0, task: 0, taskId: 'a', trainSize: 100 });
    for (let b = 1; b <= 10; b++) {
      advance(3000); // 3 s a batch: a line every 10 s at most
      progress.event(step('naive', 0, 0, b));
    }
    progress.event({ type: 'run-end', learner: 'naive', seed: 0, status: 'completed', wallSeconds: 30 });
    progress.runStarted('naive', 1, 1);
    advance(12_000);
    progress.event(step('naive', 1, 1, 4));
    progress.event({ type: 'run-end', learner: 'naive', seed: 1, status: 'failed', wallSeconds: 12, error: 'boom\nstack' });
    progress.stop();

    const lines = written.join('').split('\n').filter(Boolean);
    expect(written.every((w) => w.endsWith('\n'))).toBe(true);
    expect(written.join('')).not.toContain('\u001b'); // no control codes
    expect(written.join('')).not.toContain('\r');
    expect(lines[0]).toBe('run 1/2 naive seed 0 · task 1/2 · starting · 0% · 0s elapsed · ETA …');
    // The start line was printed at 0 s; progress lines follow at 12 s and 24 s (not every 3 s batch).
    expect(lines[1]).toBe('run 1/2 naive seed 0 · task 1/2 · batch 4/10 · 10% · 12s elapsed · ETA 1m48s');
    expect(lines[2]).toBe('run 1/2 naive seed 0 · task 1/2 · batch 8/10 · 20% · 24s elapsed · ETA 1m36s');
    expect(lines[3]).toBe('run 1/2 naive seed 0 · completed in 30s · 50% · 30s elapsed · ETA 30s');
    expect(lines[4]).toBe('run 2/2 naive seed 1 · task 1/2 · starting · 50% · 30s elapsed · ETA 30s');
    expect(lines[5]).toBe('run 2/2 naive seed 1 · task 2/2 · batch 4/10 · 85% · 42s elapsed · ETA 7s'); // (2 + 1 + 0.4) / 4 tasks
    expect(lines[6]).toBe('run 2/2 naive seed 1 · failed (boom) in 12s · 100% · 42s elapsed · ETA 0s');
    expect(lines).toHaveLength(7);
  });
});

describe('ScenarioProgress under the meta protocol', () => {
  const key = (seed: number) => ({ learner: 'maml', seed });
  const metaStart = (seed: number, metaIterations: number): RunEvent => ({
    ...key(seed), type: 'meta-start', metaIterations, metaBatch: 4, adaptSteps: 3, evalEpisodes: 8, score: 'loss', reportSteps: [0, 3],
  });
  const metaStep = (seed: number, iteration: number, iterations: number): RunEvent => ({ ...key(seed), type: 'meta-step', iteration, iterations, loss: 1 });

  it('advances per meta-iteration, each run one share of the work, with no tasks in the position', () => {
    // Two runs on a distribution whose info says 10 tasks: those are episodes, not units of work.
    const written: string[] = [];
    let now = 0;
    const progress = new ScenarioProgress(2, 10, { stream: { write: (text: string) => written.push(text), isTTY: false }, intervalMs: 10_000, now: () => now });
    progress.runStarted('maml', 0, 0);
    progress.event({ ...key(0), type: 'run-start', numTasks: 0, time: '' });
    progress.event(metaStart(0, 100));
    for (let i = 1; i <= 100; i++) {
      now += 250; // 0.25 s an iteration: a line every 10 s at most
      progress.event(metaStep(0, i, 100));
    }
    progress.event({ ...key(0), type: 'run-end', status: 'completed', wallSeconds: 25 });
    progress.runStarted('maml', 1, 1);
    progress.event(metaStart(1, 100));
    now += 10_000;
    progress.event(metaStep(1, 10, 100));
    progress.event({ ...key(1), type: 'run-end', status: 'diverged', wallSeconds: 10 });
    progress.stop();

    const lines = written.join('').split('\n').filter(Boolean);
    // Line 0 is the first run's start, printed before any event says the scenario is a meta one.
    expect(lines.slice(1)).toEqual([
      'run 1/2 maml seed 0 · meta-iteration 40/100 · 20% · 10s elapsed · ETA 40s',
      'run 1/2 maml seed 0 · meta-iteration 80/100 · 40% · 20s elapsed · ETA 30s',
      'run 1/2 maml seed 0 · completed in 25s · 50% · 25s elapsed · ETA 25s',
      'run 2/2 maml seed 1 · starting · 50% · 25s elapsed · ETA 25s',
      'run 2/2 maml seed 1 · meta-iteration 10/100 · 55% · 35s elapsed · ETA 29s', // (1 + 0.1) / 2 runs
      'run 2/2 maml seed 1 · diverged in 10s · 100% · 35s elapsed · ETA 0s',
    ]);
  });

  it('told up front that the scenario is meta, the first line names no task', () => {
    const written: string[] = [];
    const progress = new ScenarioProgress(2, 10, { stream: { write: (text: string) => written.push(text), isTTY: false }, now: () => 0, meta: true });
    progress.runStarted('maml', 0, 0);
    progress.stop();
    expect(written.join('')).toBe('run 1/2 maml seed 0 · starting · 0% · 0s elapsed · ETA …\n');
  });

  it('counts meta-iterations in the state', () => {
    const state = new ProgressState(4, 10, 0);
    Object.assign(state, { meta: true, runIndex: 1, learner: 'reptile', batch: 250, batches: 1000 });
    expect(state.fraction()).toBeCloseTo(1.25 / 4, 12);
    expect(state.position()).toBe('run 2/4 reptile seed 0 · meta-iteration 250/1000');
  });
});

describe('colorLevel', () => {
  it('FORCE_COLOR wins, then NO_COLOR, then terminal detection', () => {
    expect(colorLevel('stdout', { FORCE_COLOR: '2', NO_COLOR: '1' })).toBe(2);
    expect(colorLevel('stdout', { FORCE_COLOR: '' })).toBe(1);
    expect(colorLevel('stdout', { FORCE_COLOR: 'true' })).toBe(1);
    expect(colorLevel('stdout', { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel('stdout', { FORCE_COLOR: 'false' })).toBe(0);
    expect(colorLevel('stderr', { NO_COLOR: '1' })).toBe(0);
    // Under vitest stdout is not a terminal, so detection says no colour.
    expect(colorLevel('stdout', {})).toBe(0);
  });
});

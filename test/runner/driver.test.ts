import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import * as tf from '../../src/backend/tf.js';
import { type RunPlan, driveRun, memoryPeaks, yielder } from '../../src/runner/driver.js';
import type { RunEndEvent, RunEvent } from '../../src/events/run-events.js';
import { registries } from '../../src/scenario/registries.js';
import { tinyScenario } from '../helpers/scenario.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const key = { learner: 'x', seed: 0 };
const step = (iteration: number): RunEvent => ({ ...key, type: 'meta-step', iteration, iterations: 3 });

describe('driveRun (the one place a run lives)', () => {
  const plan: RunPlan = { scenario: tinyScenario(), learner: { type: 'naive', lr: 0.05 }, seed: 0 };
  const types = (events: RunEvent[]) => events.map((e) => (e.type === 'meta-step' ? e.iteration : e.type));
  const runEnd = (events: RunEvent[]) => events[events.length - 1] as RunEndEvent;

  it('is cold: each subscription runs the schedule afresh, and always ends with run-end', async () => {
    let runs = 0;
    const events = driveRun(plan, registries, async (life) => {
      runs++;
      for (let i = 1; i <= 3; i++) life.emit(step(i));
      return 'completed';
    });
    expect(runs).toBe(0);
    const a = await lastValueFrom(events.pipe(toArray()));
    const b = await lastValueFrom(events.pipe(toArray()));
    expect(runs).toBe(2);
    expect(types(a)).toEqual([1, 2, 3, 'run-end']);
    expect(types(b)).toEqual(types(a));
    expect(runEnd(a)).toMatchObject({ learner: 'naive', seed: 0, status: 'completed' });
  });

  it('ends a run whose schedule throws as failed, with the message, and disposes what the run owned', async () => {
    let disposed = 0;
    const events = await lastValueFrom(driveRun(plan, registries, async (life) => {
      life.own({ dispose: () => disposed++ });
      life.emit(step(1));
      throw new Error('boom');
    }).pipe(toArray()));
    expect(types(events)).toEqual([1, 'run-end']);
    expect(runEnd(events)).toMatchObject({ status: 'failed', error: 'boom' });
    expect(disposed).toBe(1);
  });

  it('tells the schedule it was stopped once the subscriber leaves', async () => {
    let sawStop = false;
    const events = driveRun(plan, registries, async (life) => {
      life.emit(step(1));
      await new Promise<void>((resolve) => setImmediate(resolve));
      sawStop = life.stopped();
      return 'completed';
    });
    await firstValueFrom(events.pipe(take(1)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sawStop).toBe(true);
  });

  it('marks a run stopped by its abort signal as cancelled, keeping the events so far', async () => {
    const abort = new AbortController();
    const events = await lastValueFrom(driveRun(plan, registries, async (life) => {
      for (let i = 1; i <= 3 && !life.stopped(); i++) {
        life.emit(step(i));
        if (i === 2) abort.abort();
      }
      return 'completed';
    }, abort.signal).pipe(toArray()));
    expect(types(events)).toEqual([1, 2, 'run-end']);
    expect(runEnd(events).status).toBe('cancelled');
  });
});

describe('memoryPeaks', () => {
  it('keeps the tensor high-water mark of a sample after the tensor is gone, and reports RSS', () => {
    const memory = memoryPeaks();
    const before = tf.memory().numBytes;
    const big = tf.zeros([1000, 100]); // 400 kB of float32
    memory.sample();
    big.dispose();
    const { peakTensorBytes, peakRssBytes } = memory.peaks();
    expect(peakTensorBytes).toBeGreaterThanOrEqual(before + 400_000);
    expect(tf.memory().numBytes).toBe(before);
    expect(peakRssBytes).toBeGreaterThan(0);
  });
});

describe('yielder', () => {
  it('lets queued callbacks run once its interval has passed', async () => {
    const maybeYield = yielder(0);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await maybeYield();
    expect(ran).toBe(true);
  });
});

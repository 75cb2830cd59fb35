import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import * as tf from '../../src/backend/tf.js';
import { driverEvents, memoryPeaks, yielder } from '../../src/runner/driver.js';
import type { RunEvent } from '../../src/runner/events.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const key = { learner: 'x', seed: 0 };
const step = (iteration: number): RunEvent => ({ ...key, type: 'meta-step', iteration, iterations: 3 });

describe('driverEvents (the Observable both drivers return)', () => {
  it('is cold: each subscription runs the body afresh', async () => {
    let runs = 0;
    const events = driverEvents(async (emit) => {
      runs++;
      for (let i = 1; i <= 3; i++) emit(step(i));
    });
    expect(runs).toBe(0);
    const a = await lastValueFrom(events.pipe(toArray()));
    const b = await lastValueFrom(events.pipe(toArray()));
    expect(runs).toBe(2);
    expect(b).toEqual(a);
    expect(a.map((e) => (e.type === 'meta-step' ? e.iteration : -1))).toEqual([1, 2, 3]);
  });

  it('tells the body it was cancelled once the subscriber leaves, and passes its errors on', async () => {
    let sawCancel = false;
    const events = driverEvents(async (emit, cancelled) => {
      emit(step(1));
      await new Promise<void>((resolve) => setImmediate(resolve));
      sawCancel = cancelled();
    });
    await firstValueFrom(events.pipe(take(1)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sawCancel).toBe(true);
    await expect(lastValueFrom(driverEvents(() => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
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

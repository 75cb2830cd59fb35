import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { createStream } from '../../src/runner/factories.js';
import { type BlurredSplit, blurBoundaries } from '../../src/streams/operators/blur-boundaries.js';
import type { Split, Task } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';

/** Task t's rows have x = [t, i] (its index and row number), label t. */
function toyTask(t: number, n: number): Task {
  const split = (): Split => ({
    x: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? t : Math.floor(k / 2))),
    y: new Int32Array(n).fill(t),
    n,
    inputShape: [2],
  });
  const test = split();
  return { index: t, id: `toy-${t}`, train: split, test: () => test };
}

async function blurred(tasks: number, n: number, width: number, seed = 1): Promise<Task[]> {
  const source = Array.from({ length: tasks }, (_, t) => toyTask(t, n));
  return lastValueFrom(of(...source).pipe(blurBoundaries({ width }, new Rng(seed)), toArray()));
}

describe('blurBoundaries', () => {
  it('trades examples only across neighbouring boundaries, keeping every example exactly once', async () => {
    const [T, n, width] = [20, 40, 10];
    const tasks = await blurred(T, n, width);
    expect(tasks.map((t) => t.index)).toEqual(Array.from({ length: T }, (_, t) => t));
    const seen = new Set<string>();
    let traded = 0;
    for (const task of tasks) {
      const split = task.train() as BlurredSplit;
      expect(split.n).toBe(n);
      for (let i = 0; i < n; i++) {
        const [origin, row] = [split.x[2 * i], split.x[2 * i + 1]];
        seen.add(`${origin}/${row}`);
        expect(split.sourceTasks[i]).toBe(origin);
        expect(split.y[i]).toBe(origin); // labels travel with their examples
        if (origin === task.index) continue;
        traded++;
        // From the previous task's tail into this head, or from the next task's head into this tail,
        // at the same distance from the boundary on both sides and within the window.
        if (origin === task.index - 1) {
          expect(i).toBeLessThan(width);
          expect(row).toBe(n - 1 - i);
        } else {
          expect(origin).toBe(task.index + 1);
          expect(n - 1 - i).toBeLessThan(width);
          expect(row).toBe(n - 1 - i);
        }
      }
      expect(task.test().x[0]).toBe(task.index); // test splits stay pure
    }
    expect(seen.size).toBe(T * n);
    // ½(1 − q/w) summed over the window: 2.75 expected trades per boundary, each moving two rows.
    expect(traded).toBeGreaterThan(2 * 19 * 1.5);
    expect(traded).toBeLessThan(2 * 19 * 4);
  });

  it('is lazy and deterministic, and width caps at half of a task', async () => {
    const a = await blurred(3, 6, 100, 7);
    const b = await blurred(3, 6, 100, 7);
    for (let t = 0; t < 3; t++) expect([...a[t].train().x]).toEqual([...b[t].train().x]);
    for (const task of a) {
      const split = task.train() as BlurredSplit;
      // Never more than 3 rows (half of 6) from each side.
      for (let i = 3; i < 6; i++) if (split.sourceTasks[i] !== task.index) expect(split.sourceTasks[i]).toBe(task.index + 1);
      for (let i = 0; i < 3; i++) if (split.sourceTasks[i] !== task.index) expect(split.sourceTasks[i]).toBe(task.index - 1);
    }
  });
});

describe('the blurred stream', () => {
  it('wraps any registered stream, validated with its own options and defaults', async () => {
    const scenario = resolveScenario({
      name: 'blur',
      stream: { type: 'blurred', width: 5, of: { type: 'permuted-mnist', tasks: 3, trainPerTask: 30, testPerTask: 10 } },
      protocol: { shuffle: false },
      learners: [{ type: 'naive', lr: 0.1 }],
    });
    expect((scenario.stream.of as Record<string, unknown>).identityFirst).toBe(false);
    const plain = createStream({ ...scenario, stream: scenario.stream.of as never }, 0);
    const stream = createStream(scenario, 0);
    expect(stream.info.numTasks).toBe(3);
    const [blurredTasks, plainTasks] = await Promise.all([stream, plain].map((s) => lastValueFrom(s.tasks().pipe(toArray()))));
    // Away from the boundaries the data is the unwrapped stream's own.
    expect(blurredTasks[1].train().x.subarray(784 * 10, 784 * 20)).toEqual(plainTasks[1].train().x.subarray(784 * 10, 784 * 20));
    expect(blurredTasks[1].test().x).toEqual(plainTasks[1].test().x);
  });

  it('names the field at fault', () => {
    expect(() => resolveScenario({
      name: 'blur', stream: { type: 'blurred', width: 5, of: { type: 'rotated-mnist' } }, learners: [{ type: 'naive', lr: 0.1 }],
    })).toThrow(/stream\.of.*tasks/);
    const multiHead = resolveScenario({
      name: 'blur', stream: { type: 'blurred', width: 5, of: { type: 'split-mnist', setting: 'task-incremental' } }, learners: [{ type: 'naive', lr: 0.1 }],
    });
    expect(() => createStream(multiHead, 0)).toThrow(/stream\.of.*one head per task/);
  });
});

import { describe, expect, it } from 'vitest';
import type { StoredExamples } from '../../src/learners/base/example-memory.js';
import { MergedBatches } from '../../src/learners/base/merged-batches.js';
import { Rng } from '../../src/util/rng.js';

/** n one-pixel examples whose pixel and label are `first`, `first + 1`, … (stored ones negative). */
function examples(values: number[]): StoredExamples {
  return { x: Float32Array.from(values), y: Float32Array.from(values), tasks: new Int32Array(values.length), n: values.length };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('merged batches (a task merged with stored examples, shuffled, re-batched)', () => {
  it('trains on every stored example once per epoch and on the task in its arrival order, in batches of the batch size', () => {
    const stored = examples([-1, -2, -3]);
    const merged = new MergedBatches(stored, 7, 4, new Rng(3), [1], 1);
    for (let epoch = 0; epoch < 2; epoch++) {
      const batches: StoredExamples[] = [];
      // The stream gives the task's 7 examples in batches of 4 and 3.
      batches.push(...merged.arrive(examples(range(100 * epoch, 4))));
      batches.push(...merged.arrive(examples(range(100 * epoch + 4, 3))));
      // 10 merged slots: batches of 4, 4 and 2.
      expect(batches.map((b) => b.n)).toEqual([4, 4, 2]);
      const values = batches.flatMap((b) => Array.from(b.x));
      expect(values.filter((v) => v < 0).sort((a, b) => b - a)).toEqual([-1, -2, -3]);
      expect(values.filter((v) => v >= 0)).toEqual(range(100 * epoch, 7));
      for (const b of batches) expect(Array.from(b.y)).toEqual(Array.from(b.x));
    }
  });

  it('gives a batch only once the task examples it needs have arrived', () => {
    // No stored example: the merged batches are the task's own, cut at 4 whatever the stream's batch.
    const merged = new MergedBatches(examples([]), 6, 4, new Rng(0), [1], 1);
    expect(merged.arrive(examples([0, 1, 2]))).toEqual([]);
    expect(merged.arrive(examples([3, 4])).map((b) => Array.from(b.x))).toEqual([[0, 1, 2, 3]]);
    expect(merged.arrive(examples([5])).map((b) => Array.from(b.x))).toEqual([[4, 5]]);
  });

  it('refuses more task examples in an epoch than the task has', () => {
    const merged = new MergedBatches(examples([-1]), 2, 4, new Rng(0), [1], 1);
    expect(() => merged.arrive(examples([0, 1, 2]))).toThrow(/1 of the task's examples arrived beyond its 2 per epoch/);
  });
});

import { describe, expect, it } from 'vitest';
import type { StoredExamples } from '../../src/learners/base/example-memory.js';
import { ReplayBuffer, type ReplayBufferOptions } from '../../src/learners/base/replay-buffer.js';
import { Rng } from '../../src/util/rng.js';

/** Examples whose single input value is their position in the stream. */
function examples(ids: readonly number[], task: number, labels?: readonly number[]): StoredExamples {
  return {
    x: Float32Array.from(ids),
    y: Float32Array.from(labels ?? ids.map(() => 0)),
    tasks: new Int32Array(ids.length).fill(task),
    n: ids.length,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function buffer(options: ReplayBufferOptions, seed = 0): ReplayBuffer {
  return new ReplayBuffer([1], 1, options, new Rng(seed));
}

/** The stream positions held in the given slots. */
function held(buf: ReplayBuffer, slots: ArrayLike<number>): number[] {
  return Array.from(buf.gather(slots).x);
}

/** Upper/lower χ² quantile by the Wilson–Hilferty approximation (z = ±3.09: p = 0.001 each side). */
function chiSquareQuantile(dof: number, z: number): number {
  const a = 2 / (9 * dof);
  return dof * (1 - a + z * Math.sqrt(a)) ** 3;
}

describe('ReplayBuffer', () => {
  it('reservoir: every stream position is kept with the same probability (χ² over 1000 streams)', () => {
    const N = 1000;
    const capacity = 100;
    const streams = 1000;
    const counts = new Float64Array(N);
    const root = new Rng(12345);
    for (let r = 0; r < streams; r++) {
      const buf = new ReplayBuffer([1], 1, { policy: 'reservoir', capacity }, root.fork(`stream-${r}`));
      for (let start = 0; start < N; start += 10) buf.add(examples(range(start, start + 10), 0));
      expect(buf.size).toBe(capacity);
      for (const id of held(buf, range(0, capacity))) counts[id]++;
    }
    const expected = (streams * capacity) / N;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // Neither biased (too large) nor suspiciously regular (too small), at p = 0.001 each side.
    expect(chi2).toBeLessThan(chiSquareQuantile(N - 1, 3.09));
    expect(chi2).toBeGreaterThan(chiSquareQuantile(N - 1, -3.09));
    // Early and late halves of the stream are equally represented.
    const early = counts.slice(0, N / 2).reduce((a, b) => a + b, 0);
    expect(Math.abs(early / (streams * capacity) - 0.5)).toBeLessThan(0.01);
  });

  it('reservoir: the k-th example (k ≥ capacity) replaces slot j = rng.int(k + 1) when j < capacity, else is dropped', () => {
    const capacity = 4;
    const buf = buffer({ policy: 'reservoir', capacity }, 21);
    // The same generator, replayed by hand: one draw per example once the buffer is full.
    const replay = new Rng(21);
    const expected = range(0, capacity);
    for (let k = capacity; k < 40; k++) {
      const j = replay.int(k + 1);
      if (j < capacity) expected[j] = k;
    }
    buf.add(examples(range(0, 40), 0));
    expect(held(buf, range(0, capacity))).toEqual(expected);
  });

  it('reservoir: keeps everything until full', () => {
    const buf = buffer({ policy: 'reservoir', capacity: 50 });
    buf.add(examples(range(0, 30), 0));
    expect(buf.size).toBe(30);
    expect(held(buf, range(0, 30))).toEqual(range(0, 30));
  });

  it('ring-per-task: each task keeps its latest perTask examples', () => {
    const buf = buffer({ policy: 'ring-per-task', capacity: 30, perTask: 10 });
    buf.add(examples(range(0, 25), 0));
    buf.add(examples(range(100, 104), 1));
    buf.add(examples(range(200, 223), 2));
    expect(buf.tasks()).toEqual([0, 1, 2]);
    expect(held(buf, buf.slotsOfTask(0)).sort((a, b) => a - b)).toEqual(range(15, 25));
    expect(held(buf, buf.slotsOfTask(1)).sort((a, b) => a - b)).toEqual(range(100, 104));
    expect(held(buf, buf.slotsOfTask(2)).sort((a, b) => a - b)).toEqual(range(213, 223));
    const { examples: grouped, ranges } = buf.byTask();
    expect(ranges).toEqual([{ task: 0, start: 0, count: 10 }, { task: 1, start: 10, count: 4 }, { task: 2, start: 14, count: 10 }]);
    expect(Array.from(grouped.tasks.slice(10, 14))).toEqual([1, 1, 1, 1]);
    expect(() => buf.add(examples([300], 3))).toThrow(/no room for task 3/);
  });

  it('class-balanced: a rare class ends with an equal share of a full buffer', () => {
    const buf = buffer({ policy: 'class-balanced', capacity: 100 });
    // 500 of class 0, then 400 of class 0 interleaved with 100 of class 1.
    buf.add(examples(range(0, 500), 0, range(0, 500).map(() => 0)));
    for (let i = 0; i < 100; i++) buf.add(examples([500 + 5 * i, 501 + 5 * i, 502 + 5 * i, 503 + 5 * i, 504 + 5 * i], 0, [0, 0, 0, 0, 1]));
    expect(buf.size).toBe(100);
    const labels = Array.from(buf.gather(range(0, 100)).y);
    expect(labels.filter((c) => c === 1)).toHaveLength(50);
    expect(labels.filter((c) => c === 0)).toHaveLength(50);
  });

  it('sample: draws distinct stored examples, all of them when asked for more than it holds', () => {
    const buf = buffer({ policy: 'reservoir', capacity: 40 }, 3);
    buf.add(examples(range(0, 100), 0));
    const drawn = Array.from(buf.sample(25).x);
    expect(new Set(drawn).size).toBe(25);
    const all = held(buf, range(0, 40));
    for (const id of drawn) expect(all).toContain(id);
    expect(buf.sample(1000).n).toBe(40);
  });

  it('fields: extra per-example values are stored, replaced and sampled with their example', () => {
    const buf = buffer({ policy: 'reservoir', capacity: 5, fields: { logits: 2, score: 1 } }, 7);
    const withFields = (ids: number[]) => ({
      ...examples(ids, 0),
      fields: { logits: Float32Array.from(ids.flatMap((id) => [id, -id])), score: Float32Array.from(ids.map((id) => id / 10)) },
    });
    buf.add(withFields(range(0, 50)));
    const drawn = buf.sample(5);
    for (let k = 0; k < drawn.n; k++) {
      const id = drawn.x[k];
      expect(Array.from(drawn.fields!.logits.subarray(2 * k, 2 * k + 2))).toEqual([id, -id]);
      expect(drawn.fields!.score[k]).toBeCloseTo(id / 10, 6);
    }
    const all = buf.all();
    expect(Array.from(all.fields!.logits)).toEqual(Array.from(all.x).flatMap((id) => [id, -id]));
    expect(() => buf.add(examples([99], 0))).toThrow(/field 'logits' is missing/);
  });

  it('greedy-class-balanced: a class under its share evicts a random example of the largest class; others are dropped', () => {
    const buf = buffer({ policy: 'greedy-class-balanced', capacity: 6 }, 1);
    // Fill with class 0 (ids 0-5); class 1 then takes slots from class 0 until both hold 3 (6 / 2 classes).
    buf.add(examples(range(0, 6), 0, [0, 0, 0, 0, 0, 0]));
    buf.add(examples(range(10, 15), 0, [1, 1, 1, 1, 1]));
    let labels = Array.from(buf.all().y);
    expect(labels.filter((c) => c === 1)).toHaveLength(3);
    expect(labels.filter((c) => c === 0)).toHaveLength(3);
    // ids 13 and 14 came when class 1 already held its share of 3: dropped.
    expect(Array.from(buf.all().x).filter((id) => id >= 10).sort((a, b) => a - b)).toEqual([10, 11, 12]);
    // A third class: share 2 each. Class 2's first example evicts from a largest class (0 or 1, 3 each).
    buf.add(examples([20, 21, 22], 0, [2, 2, 2]));
    labels = Array.from(buf.all().y);
    expect([0, 1, 2].map((c) => labels.filter((l) => l === c).length)).toEqual([2, 2, 2]);
    expect(Array.from(buf.all().x)).not.toContain(22);
  });

  it('greedy-score: a newcomer replaces slot i with probability C_i/ΣC · C_i/(C_i + c)', () => {
    const scored = (ids: number[], scores: number[]) => ({ ...examples(ids, 0), fields: { score: Float32Array.from(scores) } });
    // Deterministic case: all the weight on slot 0 and c = 0: slot 0 is always replaced.
    const sure = buffer({ policy: 'greedy-score', capacity: 3, fields: { score: 1 } });
    sure.add(scored([0, 1, 2], [1, 0, 0]));
    sure.add(scored([7], [0]));
    expect(Array.from(sure.all().x)).toEqual([7, 1, 2]);
    // Scores [1, 3], newcomer c = 1: slot 0 goes with 1/4 · 1/2 = 1/8, slot 1 with 3/4 · 3/4 = 9/16.
    const trials = 4000;
    const replaced = [0, 0];
    const root = new Rng(99);
    for (let t = 0; t < trials; t++) {
      const buf = new ReplayBuffer([1], 1, { policy: 'greedy-score', capacity: 2, fields: { score: 1 } }, root.fork(`t${t}`));
      buf.add(scored([0, 1], [1, 3]));
      buf.add(scored([9], [1]));
      const ids = Array.from(buf.all().x);
      if (ids[0] === 9) replaced[0]++;
      if (ids[1] === 9) replaced[1]++;
    }
    // Binomial standard deviations: √(n p (1−p)) ≈ 21 and 31; 4σ bounds.
    expect(Math.abs(replaced[0] - trials / 8)).toBeLessThan(4 * 21);
    expect(Math.abs(replaced[1] - (trials * 9) / 16)).toBeLessThan(4 * 31);
  });

  it('greedy-score: refuses a buffer without a score field', () => {
    expect(() => buffer({ policy: 'greedy-score', capacity: 3 })).toThrow(/score/);
  });

  it('clear: empties the buffer and restarts the count of examples offered', () => {
    const buf = buffer({ policy: 'reservoir', capacity: 5 });
    buf.add(examples(range(0, 20), 0));
    buf.clear();
    expect(buf.size).toBe(0);
    expect(buf.offered).toBe(0);
    buf.add(examples([40, 41], 0));
    expect(Array.from(buf.all().x)).toEqual([40, 41]);
  });
});

import type { Rng } from '../../util/rng.js';
import { type StoredExamples, gatherRows } from '../base/example-memory.js';

/** Row i of `examples` as a one-row view (no copy). */
export function rowOf(examples: StoredExamples, i: number): StoredExamples {
  const d = examples.x.length / Math.max(1, examples.n);
  const w = examples.y.length / Math.max(1, examples.n);
  return {
    x: examples.x.subarray(i * d, (i + 1) * d),
    y: examples.y.subarray(i * w, (i + 1) * w),
    tasks: examples.tasks.subarray(i, i + 1),
    n: 1,
  };
}

/** Anything replay can draw rows from: a ReplayBuffer, or a frozen copy of one. */
export interface RowSource {
  readonly size: number;
  gather(slots: ArrayLike<number>): StoredExamples;
}

/** A buffer's content frozen at one moment (La-MAML's old-task memory). */
export function frozenRows(source: RowSource): RowSource {
  const all = source.gather(Int32Array.from({ length: source.size }, (_, i) => i));
  return { size: all.n, gather: (slots) => gatherRows(all, slots) };
}

/**
 * min(k, size) examples drawn uniformly *with* replacement from the buffer, as MER's and
 * La-MAML's code (and the PyTorch reference) draw them; ReplayBuffer.sample draws without.
 */
export function drawWithReplacement(buffer: RowSource, k: number, rng: Rng): StoredExamples {
  const size = buffer.size;
  const count = Math.min(k, size);
  const slots = new Int32Array(count);
  for (let j = 0; j < count; j++) slots[j] = rng.int(size);
  return buffer.gather(slots);
}

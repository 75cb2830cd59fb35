import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { Rng } from '../../util/rng.js';
import type { Split, Task } from '../types.js';

export interface BlurOptions {
  /** Examples on each side of a task boundary that may trade places with the other side. */
  readonly width: number;
}

/** A training split whose rows may come from neighbouring tasks: `sourceTasks[i]` is row i's true task. */
export interface BlurredSplit extends Split {
  readonly sourceTasks: Int32Array;
}

/**
 * Which rows cross boundary b (between tasks b and b+1): distance q from the boundary (0 = the
 * last row of task b and the first of task b+1) trades task b's row n_b−1−q with task b+1's row q
 * with probability ½(1 − q/w). Both neighbours derive the same plan from the boundary's own
 * generator, so each task can be blurred on its own, lazily.
 */
function crossings(rng: Rng, boundary: number, width: number, left: number, right: number): number[] {
  const w = Math.min(width, Math.floor(left / 2), Math.floor(right / 2));
  const r = rng.fork(`boundary-${boundary}`);
  const swapped: number[] = [];
  for (let q = 0; q < w; q++) if (r.next() < 0.5 * (1 - q / w)) swapped.push(q);
  return swapped;
}

function copyRow(from: Split, i: number, to: { x: Float32Array; y: Int32Array | Float32Array }, j: number): void {
  const d = from.x.length / from.n;
  const k = from.y.length / from.n;
  to.x.set(from.x.subarray(i * d, (i + 1) * d), j * d);
  to.y.set(from.y.subarray(i * k, (i + 1) * k), j * k);
}

/** `task` with its training split's edges traded with its neighbours' (test split untouched). */
function blurTask(task: Task, prev: Task | undefined, next: Task | undefined, width: number, rng: Rng): Task {
  return {
    ...task,
    info: { ...task.info, blurWidth: width },
    train: (): BlurredSplit => {
      const own = task.train();
      const x = Float32Array.from(own.x);
      const y = own.y instanceof Int32Array ? Int32Array.from(own.y) : Float32Array.from(own.y);
      const sourceTasks = new Int32Array(own.n).fill(task.index);
      if (prev) {
        const before = prev.train();
        for (const q of crossings(rng, prev.index, width, before.n, own.n)) {
          copyRow(before, before.n - 1 - q, { x, y }, q);
          sourceTasks[q] = prev.index;
        }
      }
      if (next) {
        const after = next.train();
        for (const q of crossings(rng, task.index, width, own.n, after.n)) {
          copyRow(after, q, { x, y }, own.n - 1 - q);
          sourceTasks[own.n - 1 - q] = next.index;
        }
      }
      return { x, y, n: own.n, inputShape: own.inputShape, sourceTasks };
    },
  };
}

/**
 * Blurs the boundaries of a task stream: near each boundary, examples of the two neighbouring
 * tasks trade places, more often the closer they are to it (half of them right at the boundary,
 * none `width` examples away), so one task fades into the next instead of switching abruptly.
 * Every example is still seen exactly once, each task keeps its size and its test split, and each
 * training split records the true task of every row (`sourceTasks`), for analysis. Lazy, with a
 * look-ahead of one task: a task is emitted once its successor is known.
 *
 * The runner reshuffles each task's batches unless protocol.shuffle is false; keep it false, or
 * the traded examples are spread over the whole task instead of sitting at its edges.
 */
export function blurBoundaries(options: BlurOptions, rng: Rng): MonoTypeOperatorFunction<Task> {
  return (source) =>
    new Observable<Task>((subscriber) => {
      let prev: Task | undefined;
      let current: Task | undefined;
      return source.subscribe({
        next(task) {
          if (current) subscriber.next(blurTask(current, prev, task, options.width, rng));
          prev = current;
          current = task;
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          if (current) subscriber.next(blurTask(current, prev, undefined, options.width, rng));
          subscriber.complete();
        },
      });
    });
}

import * as tf from '../backend/tf.js';
import type { Learner } from '../learners/types.js';
import { summedLossFor } from '../models/losses.js';
import type { ProblemKind, Split } from '../streams/types.js';
import { uploadRows } from '../streams/upload.js';
import type { Rng } from '../util/rng.js';

/** A test split resident on the backend, so repeated evaluations never re-upload it. */
export interface EvalSet {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly n: number;
}

export function uploadSplit(split: Split, kind: ProblemKind): EvalSet {
  return { ...uploadRows(split, { inputShape: split.inputShape, kind }), n: split.n };
}

export interface Score {
  /** Fraction correct; NaN for regression. */
  readonly accuracy: number;
  /** Fraction correct with the argmax restricted to the task's own outputs (only when `taskOutputs` was given). */
  readonly accuracyTaskIL?: number;
  /** Mean cross-entropy or MSE. */
  readonly loss: number;
}

/**
 * The [correct, summed loss, correct task-IL] of one test set as a backend tensor; call inside
 * tf.tidy. The task-IL count is taken only with `taskOutputs` (0 otherwise).
 */
function scoreSums(
  learner: Learner, set: EvalSet, taskIndex: number | undefined, kind: ProblemKind, chunk: number, taskOutputs?: readonly number[],
): tf.Tensor {
  let correct: tf.Tensor = tf.scalar(0);
  let correctTaskIL: tf.Tensor = tf.scalar(0);
  let loss: tf.Tensor = tf.scalar(0);
  const summedLoss = summedLossFor(kind);
  for (let start = 0; start < set.n; start += chunk) {
    const size = Math.min(chunk, set.n - start);
    const x = size === set.n ? set.x : tf.slice(set.x, start, size);
    const y = size === set.n ? set.y : tf.slice(set.y, start, size);
    const out = learner.predict(x, taskIndex);
    if (kind === 'classification') {
      const classes = out.shape[out.shape.length - 1]!;
      correct = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), y), 'float32')));
      if (taskOutputs) {
        const masked = tf.add(out, outputMask(taskOutputs, classes));
        correctTaskIL = tf.add(correctTaskIL, tf.sum(tf.cast(tf.equal(tf.argMax(masked, 1), y), 'float32')));
      }
    }
    loss = tf.add(loss, summedLoss(out, y));
  }
  return tf.stack([correct, loss, correctTaskIL]);
}

/** 0 on the task's outputs, -∞ elsewhere: added to the logits, it restricts the argmax to the task. */
function outputMask(taskOutputs: readonly number[], classes: number): tf.Tensor1D {
  const mask = new Float32Array(classes).fill(-Infinity);
  for (const c of taskOutputs) mask[c] = 0;
  return tf.tensor1d(mask);
}

function toScore(correct: number, loss: number, correctTaskIL: number, n: number, kind: ProblemKind, taskIL: boolean): Score {
  return {
    accuracy: kind === 'classification' ? correct / n : NaN,
    loss: loss / n,
    ...(taskIL && kind === 'classification' ? { accuracyTaskIL: correctTaskIL / n } : {}),
  };
}

/**
 * Scores a learner on one test set, in chunks of `chunk` examples. Sums stay on the backend and
 * are read once at the end: one device→host transfer per evaluation. With `taskOutputs` (a
 * class-incremental task's output units) the same predictions are also scored task-IL, as Mammoth
 * does: the other outputs are masked to -∞ before the argmax.
 */
export function evaluate(
  learner: Learner, set: EvalSet, taskIndex: number | undefined, kind: ProblemKind, chunk: number,
  taskOutputs?: readonly number[],
): Score {
  return evaluateMany(learner, [set], [taskIndex], kind, chunk, [taskOutputs])[0];
}

/**
 * Scores a learner on several test sets (set k seen as task taskIndices[k], with its own
 * taskOutputs[k] where given) with a single device→host read for all of them: dense evaluation
 * scores every seen task at every step.
 */
export function evaluateMany(
  learner: Learner, sets: readonly EvalSet[], taskIndices: readonly (number | undefined)[], kind: ProblemKind, chunk: number,
  taskOutputs: readonly (readonly number[] | undefined)[] = [],
): Score[] {
  if (sets.length === 0) return [];
  const sums = tf.tidy(() => tf.stack(sets.map((set, k) => scoreSums(learner, set, taskIndices[k], kind, chunk, taskOutputs[k]))));
  const values = sums.dataSync();
  sums.dispose();
  return sets.map((set, k) => toScore(values[3 * k], values[3 * k + 1], values[3 * k + 2], set.n, kind, taskOutputs[k] !== undefined));
}

/**
 * A fixed subset of a resident test set, kept resident too: the first `size` rows of a seeded
 * permutation, in their original order. `indices` says which rows (recorded in the result). A
 * subset as large as the set is the set itself (same tensors: no second copy on the backend).
 */
export function subsetOf(set: EvalSet, size: number, rng: Rng): { set: EvalSet; indices: number[] } {
  const n = Math.min(size, set.n);
  const indices = Array.from(rng.sample(set.n, n)).sort((a, b) => a - b);
  if (n === set.n) return { set, indices };
  const [x, y] = tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    return [tf.gather(set.x, idx), tf.gather(set.y, idx)];
  });
  return { set: { x, y, n }, indices };
}

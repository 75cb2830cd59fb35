import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import type { LossFn } from '../../models/losses.js';

/**
 * Mean loss of `params` over rows that may come from different tasks: on multi-head models each
 * row is scored by its own task's head (`headOf`), and the result is the mean over all rows.
 * With one head it is a single forward pass.
 */
export function mixedTaskLoss(
  model: FunctionalModel, lossFn: LossFn, params: readonly tf.Tensor[],
  x: tf.Tensor, y: tf.Tensor, tasks: ArrayLike<number>, headOf: (task: number) => number,
): tf.Scalar {
  const heads = new Map<number, number[]>();
  for (let i = 0; i < tasks.length; i++) {
    const h = headOf(tasks[i]);
    heads.set(h, [...(heads.get(h) ?? []), i]);
  }
  if (heads.size <= 1) return lossFn(model.forward(params, x, heads.keys().next().value ?? 0), y);
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const [head, rows] of heads) {
      const idx = tf.tensor1d(rows, 'int32');
      const part = lossFn(model.forward(params, tf.gather(x, idx), head), tf.gather(y, idx));
      total = tf.add(total, tf.mul(part, rows.length / tasks.length));
    }
    return total;
  });
}

/**
 * The outputs of `params` for rows that may come from different tasks, in row order: on multi-head
 * models each row goes through its own task's head (`headOf`). With one head it is a single
 * forward pass. DER compares these with the outputs it stored; MIR scores its candidates with them.
 */
export function mixedTaskForward(
  model: FunctionalModel, params: readonly tf.Tensor[], x: tf.Tensor, tasks: ArrayLike<number>, headOf: (task: number) => number,
): tf.Tensor {
  const heads = new Map<number, number[]>();
  for (let i = 0; i < tasks.length; i++) {
    const h = headOf(tasks[i]);
    heads.set(h, [...(heads.get(h) ?? []), i]);
  }
  if (heads.size <= 1) return model.forward(params, x, heads.keys().next().value ?? 0);
  return tf.tidy(() => {
    const order: number[] = [];
    const parts: tf.Tensor[] = [];
    for (const [head, rows] of heads) {
      parts.push(model.forward(params, tf.gather(x, tf.tensor1d(rows, 'int32')), head));
      order.push(...rows);
    }
    // Row order[k] of the input sits at position k of the concatenation: put it back with a
    // permutation matrix (a gather here would need UnsortedSegmentSum for its gradient, which wasm
    // lacks; oneHot's dtype argument is ignored by the wasm kernel, hence the cast).
    const position = new Int32Array(order.length);
    order.forEach((row, k) => { position[row] = k; });
    const permutation = tf.cast(tf.oneHot(tf.tensor1d(position, 'int32'), order.length), 'float32');
    return tf.matMul(permutation, tf.concat(parts));
  });
}

import * as tf from '../backend/tf.js';
import type { StreamInfo } from './types.js';

/**
 * The one home of host-to-backend uploads: rows kept on the host (a stream's split, a memory's
 * examples, a meta-batch) become the tensors a model reads. Every upload of examples goes through
 * here, so inputs and labels are shaped and typed the same way everywhere.
 */

/** Rows on the host: n inputs packed in `x`, and n class ids or n packed target rows in `y`. */
export interface HostRows {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array;
  readonly n: number;
}

/** What an upload needs to know of the stream: the shape of one input, and what a label is. */
export type RowShape = Pick<StreamInfo, 'inputShape' | 'kind'>;

/**
 * Host rows as a batch on the backend: inputs [n, ...inputShape]; labels int32 class ids [n] for
 * classification, float targets [n, width] for regression. `leading` replaces [n] when the rows
 * stack several tasks ([tasks, rows per task]); the caller disposes both tensors.
 */
export function uploadRows(rows: HostRows, shape: RowShape, leading: readonly number[] = [rows.n]): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor(rows.x, [...leading, ...shape.inputShape]);
  if (shape.kind === 'classification') {
    const ids = rows.y instanceof Int32Array ? rows.y : Int32Array.from(rows.y);
    return { x, y: tf.tensor(ids, [...leading], 'int32') };
  }
  return { x, y: tf.tensor(rows.y, [...leading, rows.y.length / Math.max(1, rows.n)]) };
}

/** n packed host rows as an [n, width] float tensor (DER's stored logits, a field of stored examples). */
export function uploadMatrix(values: Float32Array, n: number): tf.Tensor2D {
  return tf.tensor2d(values, [n, values.length / Math.max(1, n)]);
}

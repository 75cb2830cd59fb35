import * as tf from '../../backend/tf.js';
import type { LearnerContext } from '../types.js';
import { uploadMatrix, uploadRows } from '../../streams/upload.js';
import type { StoredExamples } from './example-memory.js';

/** Examples drawn from a memory, uploaded: inputs, labels, their tasks, and any stored fields. */
export interface ReplayDraw {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly tasks: Int32Array;
  /** Each requested field as an [n, width] tensor (DER's logits). */
  readonly fields: Readonly<Record<string, tf.Tensor2D>>;
  readonly n: number;
}

/** Uploads stored examples (and the named fields) as tensors the caller disposes with disposeDraw. */
export function uploadDraw(ctx: LearnerContext, examples: StoredExamples, fieldNames: readonly string[] = []): ReplayDraw {
  const { x, y } = uploadRows(examples, ctx.stream);
  const fields: Record<string, tf.Tensor2D> = {};
  for (const name of fieldNames) {
    const values = examples.fields?.[name];
    if (!values) throw new Error(`stored examples have no field '${name}'`);
    fields[name] = uploadMatrix(values, examples.n);
  }
  return { x, y, tasks: examples.tasks, fields, n: examples.n };
}

export function disposeDraw(draw: ReplayDraw | null): void {
  if (draw) tf.dispose([draw.x, draw.y, ...Object.values(draw.fields)]);
}

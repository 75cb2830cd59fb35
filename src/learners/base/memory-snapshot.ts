import * as tf from '../../backend/tf.js';
import { type RowShape, uploadRows } from '../../streams/upload.js';
import { type StoredExamples, gatherRows } from './example-memory.js';

/** Where one task's examples sit in the snapshot. */
export interface TaskRows {
  readonly task: number;
  readonly start: number;
  readonly count: number;
}

/**
 * Finished tasks' episodic memories, uploaded to the backend once per task end instead of once per
 * step. A new snapshot replaces the old one (never adds to it), so the tensor count stays flat however
 * many tasks go by.
 */
export class MemorySnapshot {
  private x: tf.Tensor | null = null;
  private y: tf.Tensor | null = null;
  /** The same rows in host memory: random subsets are gathered here (tf.gather is slow on wasm). */
  private host: StoredExamples | null = null;
  private taskRows: TaskRows[] = [];

  constructor(
    private readonly shape: RowShape,
  ) {}

  /** Replaces the snapshot with `examples` (grouped by task as `ranges` says). */
  replace(examples: StoredExamples, ranges: readonly TaskRows[]): void {
    this.dispose();
    if (examples.n === 0) return;
    const { x, y } = uploadRows(examples, this.shape);
    this.x = x;
    this.y = y;
    this.host = examples;
    this.taskRows = [...ranges];
  }

  get size(): number {
    return this.host?.n ?? 0;
  }

  /** Each stored task with its rows, in task order. */
  get tasks(): readonly TaskRows[] {
    return this.taskRows;
  }

  /** The rows of one task (new tensors the caller disposes). */
  rows({ start, count }: TaskRows): { x: tf.Tensor; y: tf.Tensor } {
    if (!this.x || !this.y) throw new Error('memory snapshot is empty');
    return { x: tf.slice(this.x, start, count), y: tf.slice(this.y, start, count) };
  }

  /** The given rows (new tensors the caller disposes) with their tasks. */
  gather(indices: ArrayLike<number>): { x: tf.Tensor; y: tf.Tensor; tasks: Int32Array } {
    const host = this.host;
    if (!host) throw new Error('memory snapshot is empty');
    const picked = gatherRows(host, indices);
    const { x, y } = uploadRows(picked, this.shape);
    return { x, y, tasks: picked.tasks };
  }

  dispose(): void {
    tf.dispose([...(this.x ? [this.x] : []), ...(this.y ? [this.y] : [])]);
    this.x = null;
    this.y = null;
    this.host = null;
    this.taskRows = [];
  }
}

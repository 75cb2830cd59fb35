import type { Observable } from 'rxjs';

/**
 * One split of one task, as flat host memory: row i is x[i*d .. (i+1)*d) with d = product(inputShape).
 * Labels are class indices (Int32Array) for classification and targets (Float32Array,
 * n * outputSize values) for regression.
 */
export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly n: number;
  readonly inputShape: readonly number[];
}

/**
 * A task descriptor. Its splits are materialised on demand, so a stream can announce many tasks
 * cheaply and only the task being trained (plus the test splits being evaluated) occupy memory.
 * Calling train() or test() twice returns equal data (streams are deterministic given their seed).
 */
export interface Task {
  readonly index: number;
  /** Stable, readable identifier, e.g. "rotation-47.3deg" or "classes-2-3". */
  readonly id: string;
  /** Original class ids in this task (before any per-task label remapping). */
  readonly classes?: readonly number[];
  /**
   * The output units that belong to this task, on a shared head over all classes (class-incremental).
   * When set, every evaluation is also scored task-IL: the argmax restricted to these outputs.
   */
  readonly taskOutputs?: readonly number[];
  readonly info?: Readonly<Record<string, unknown>>;
  train(): Split;
  test(): Split;
}

export type ProblemKind = 'classification' | 'regression';

/** What a learner and the runner may know about a stream before its first task arrives. */
export interface StreamInfo {
  readonly type: string;
  /** Tasks the stream gives; `Infinity` for an endless stream (a run then bounds it with protocol.maxTasks). */
  readonly numTasks: number;
  readonly inputShape: readonly number[];
  /** Logits per head (classification) or regression outputs. */
  readonly outputSize: number;
  /** 1 for a shared head; numTasks for task-incremental streams with one head per task. */
  readonly heads: number;
  readonly kind: ProblemKind;
  /** Human-readable one-liner for reports. */
  readonly description: string;
}

/** A task stream: metadata plus a cold, seeded Observable of task descriptors. */
export interface TaskStream {
  readonly info: StreamInfo;
  tasks(): Observable<Task>;
}

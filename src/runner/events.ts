/**
 * The typed event stream of one run. Everything observable about a run flows through these:
 * metrics are RxJS operators over them, the JSONL log is them, the progress bar reads them.
 * Plugins in the Avalanche sense are just subscribers.
 */

export interface RunKey {
  /** The learner's label in the scenario. */
  readonly learner: string;
  readonly seed: number;
}

export type EvalPhase =
  /** The untrained model, giving the b row of the accuracy matrix. */
  | 'baseline'
  /** After finishing a task: one row of the accuracy matrix. */
  | 'task-end'
  /** After the first batches of a task, on that task: Z_b for LCA. batchInTask 0 is before training on it. */
  | 'lca'
  /** Every `evalEvery` batches, on every known task: learning curves. */
  | 'curve';

export interface RunStartEvent extends RunKey {
  readonly type: 'run-start';
  readonly numTasks: number;
  readonly time: string;
}

export interface TaskStartEvent extends RunKey {
  readonly type: 'task-start';
  readonly task: number;
  readonly taskId: string;
  readonly trainSize: number;
}

export interface TrainStepEvent extends RunKey {
  readonly type: 'train-step';
  readonly task: number;
  /** Global count of batches so far in this run (1-based after this step). */
  readonly step: number;
  readonly batchInTask: number;
  readonly batchesInTask: number;
  readonly loss?: number;
}

export interface EvalEvent extends RunKey {
  readonly type: 'eval';
  readonly phase: EvalPhase;
  /** The task the learner is on (-1 before any training). */
  readonly afterTask: number;
  /** The task whose test split was scored. */
  readonly evalTask: number;
  /** Batches of `afterTask` seen so far (for 'lca' and 'curve'). */
  readonly batchInTask: number;
  readonly step: number;
  /** Fraction correct (classification) or NaN (regression). */
  readonly accuracy: number;
  /** Mean loss on the split: cross-entropy or MSE. */
  readonly loss: number;
}

export interface TaskEndEvent extends RunKey {
  readonly type: 'task-end';
  readonly task: number;
}

export interface DivergedEvent extends RunKey {
  readonly type: 'diverged';
  readonly task: number;
  readonly step: number;
  readonly loss: number;
}

export type RunStatus = 'completed' | 'diverged' | 'failed';

export interface RunEndEvent extends RunKey {
  readonly type: 'run-end';
  readonly status: RunStatus;
  readonly wallSeconds: number;
  /** Why a failed run failed (the learner or stream threw). */
  readonly error?: string;
}

export type RunEvent =
  | RunStartEvent
  | TaskStartEvent
  | TrainStepEvent
  | EvalEvent
  | TaskEndEvent
  | DivergedEvent
  | RunEndEvent;

export type RunEventType = RunEvent['type'];

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
  /**
   * Every `evalEvery` batches, on every task: learning curves. With protocol.evalSubset: on the
   * tasks seen so far (evalTask ≤ afterTask), each on its fixed subset, also at batchInTask 0
   * (the new task only) and after the task's end (batchInTask = its batch count).
   */
  | 'curve';

export interface RunStartEvent extends RunKey {
  readonly type: 'run-start';
  readonly numTasks: number;
  readonly time: string;
  /** With protocol.evalSubset: the test rows each task's 'curve' evaluations score (indices[task], ascending). */
  readonly evalSubset?: EvalSubsetRecord;
}

/** Which test images dense evaluation scored: `size` per task, drawn from the run's seed. */
export interface EvalSubsetRecord {
  readonly size: number;
  readonly indices: readonly (readonly number[])[];
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
  /** The same predictions scored task-IL (argmax over the task's own outputs); class-incremental streams only. */
  readonly accuracyTaskIL?: number;
  /** Mean loss on the split: cross-entropy or MSE. */
  readonly loss: number;
}

export interface TaskEndEvent extends RunKey {
  readonly type: 'task-end';
  readonly task: number;
}

export interface DivergedEvent extends RunKey {
  readonly type: 'diverged';
  /** The task being trained; -1 during meta-training (step is then the meta-iteration). */
  readonly task: number;
  readonly step: number;
  readonly loss: number;
}

/**
 * Meta-learning (protocol.kind "meta"), once after run-start: the settings the adaptation metrics
 * are computed with, so a run's events alone are enough to fold them.
 */
export interface MetaStartEvent extends RunKey {
  readonly type: 'meta-start';
  readonly metaIterations: number;
  /** Episodes per meta-update (the learner's own metaBatch, or the protocol's). */
  readonly metaBatch: number;
  /** K: the query is scored after 0..K adaptation steps. */
  readonly adaptSteps: number;
  readonly evalEpisodes: number;
  /** Which field is the score: 'loss' (regression: MSE, lower is better) or 'accuracy'. */
  readonly score: 'accuracy' | 'loss';
  readonly adaptTarget?: number;
  /** Steps reported as adapt@k metrics. */
  readonly reportSteps: readonly number[];
}

/** One meta-update done (meta-iterations count from 1). */
export interface MetaStepEvent extends RunKey {
  readonly type: 'meta-step';
  readonly iteration: number;
  readonly iterations: number;
  /** The learner's meta-training loss, when it reports one. */
  readonly loss?: number;
}

/** 'interim': every protocol.evalEvery meta-iterations, on the first interimEpisodes; 'final': after meta-training. */
export type AdaptPhase = 'interim' | 'final';

/** The query score of one meta-test episode after `steps` adaptation steps on its support set. */
export interface AdaptEvalEvent extends RunKey {
  readonly type: 'adapt-eval';
  readonly phase: AdaptPhase;
  /** Meta-iterations done when the evaluation ran. */
  readonly iteration: number;
  readonly episode: number;
  readonly steps: number;
  /** Fraction correct (classification) or NaN (regression). */
  readonly accuracy: number;
  /** Mean query loss: cross-entropy or MSE. */
  readonly loss: number;
}

/** 'cancelled': stopped early on request (an aborted signal); the record holds what was done. */
export type RunStatus = 'completed' | 'diverged' | 'failed' | 'cancelled';

export interface RunEndEvent extends RunKey {
  readonly type: 'run-end';
  readonly status: RunStatus;
  readonly wallSeconds: number;
  /** Why a failed run failed (the learner or stream threw). */
  readonly error?: string;
  /** High-water mark of the process's resident set size during the run, in bytes (sampled). runOne always sets both. */
  readonly peakRssBytes?: number;
  /** High-water mark of tf.memory().numBytes during the run, in bytes (sampled). */
  readonly peakTensorBytes?: number;
}

export type RunEvent =
  | RunStartEvent
  | TaskStartEvent
  | TrainStepEvent
  | EvalEvent
  | TaskEndEvent
  | DivergedEvent
  | RunEndEvent
  | MetaStartEvent
  | MetaStepEvent
  | AdaptEvalEvent;

export type RunEventType = RunEvent['type'];

import type * as tf from '@tensorflow/tfjs-core';
import type { FunctionalModel } from '../models/types.js';
import type { StreamInfo } from '../streams/types.js';
import type { JsonSchema, RegistryEntry } from '../util/registry.js';
import type { Rng } from '../util/rng.js';

/** One minibatch as the learner sees it. The runner owns (and disposes) these tensors. */
export interface Batch {
  /** [n, ...inputShape] */
  readonly x: tf.Tensor;
  /** int32 [n] class ids, or float32 [n, outputSize] regression targets */
  readonly y: tf.Tensor;
  readonly size: number;
  /** Absent on task-free streams: the learner must not rely on task identity there. */
  readonly taskIndex?: number;
}

/** One few-shot episode as tensors (runner-owned): adapt on `support`, be scored on `query`. */
export interface EpisodeBatch {
  readonly support: Batch;
  readonly query: Batch;
  /** Few-shot classification: the original class of each episode label (label i ↔ classes[i]). */
  readonly classes?: readonly number[];
}

/**
 * The episodes of one meta-update (protocol.kind "meta"). `stacked` holds the same data along a
 * leading task axis (x [T, n, ...], y [T, n] or [T, n, out]) when all episodes have equal support
 * and query sizes, for learners that vectorise over tasks. Tensors are uploaded on first access
 * and owned by the runner.
 */
export interface MetaBatch {
  readonly size: number;
  readonly episodes: readonly EpisodeBatch[];
  readonly stacked: { readonly support: Batch; readonly query: Batch } | undefined;
}

export interface AdaptOptions {
  /** Step size of the adaptation steps (default: the learner's own inner or base learning rate). */
  readonly lr?: number;
}

/** Fast weights returned by Learner.adapt: the adapted model. The learner's own parameters are untouched. */
export interface Adapted {
  predict(x: tf.Tensor): tf.Tensor;
  /** `steps` (default 1) more adaptation steps on the same support set: adaptation curves without restarting. */
  step(steps?: number): void;
  dispose(): void;
}

/** What a learner learns at task boundaries (never given on task-free streams). */
export interface TaskInfo {
  readonly index: number;
  readonly id: string;
  readonly classes?: readonly number[];
}

/**
 * A task's whole training split, handed to beginTask and endTask: x [n, ...inputShape], y as in Batch, size n.
 * The runner owns these tensors and disposes them after endTask returns: copy (clone or
 * dataSync) what you keep, never dispose them.
 */
export type TrainSplit = Batch;

export interface LearnerContext {
  readonly stream: StreamInfo;
  readonly model: FunctionalModel;
  /** The learner's own seeded generator: use it for every random choice. */
  readonly rng: Rng;
  readonly batchSize: number;
  readonly epochs: number;
  /** True when task boundaries and ids are hidden from the learner. */
  readonly taskFree: boolean;
  /** Set under the meta protocol: the length of meta-training (for schedules such as Reptile's annealing). */
  readonly meta?: { readonly iterations: number; readonly metaBatch: number };
}

/**
 * A continual learner. The runner drives it and evaluates it; a learner never scores itself, so
 * every learner is measured the same way.
 */
export interface Learner {
  setup(ctx: LearnerContext): void | Promise<void>;
  /**
   * Before the task's first batch, with its training split (as Mammoth's begin_task sees the task's
   * dataset: LwF's warm-up, iCaRL's exemplars merged into the task's data).
   */
  beginTask?(task: TaskInfo, train: TrainSplit): void | Promise<void>;
  /** Learn from one incoming batch. Return the training loss when it is known (divergence check). */
  observe(batch: Batch): number | void | Promise<number | void>;
  /** After the task's last batch, with its training split (importance estimates such as EWC's or MAS'). */
  endTask?(task: TaskInfo, train: TrainSplit): void | Promise<void>;
  /** Logits (classification) or outputs (regression). taskIndex is absent on task-free streams. */
  predict(x: tf.Tensor, taskIndex?: number): tf.Tensor;
  /**
   * Meta-learning: one meta-update on a meta-batch of episodes; returns the meta-training loss
   * when known. Learners without it are fed each episode's support and query through observe().
   */
  metaObserve?(batch: MetaBatch): number | void | Promise<number | void>;
  /**
   * Few-shot adaptation: `steps` gradient steps on the support set starting from the current
   * parameters, returned as fast weights. Must never change the learner's own parameters.
   */
  adapt?(support: Batch, steps: number, options?: AdaptOptions): Adapted;
  /** Episodes per meta-update this learner asks for (overrides protocol.metaBatch). */
  readonly metaBatch?: number;
  dispose(): void;
}

/** Common learner options: validated by the scenario schema for every learner. */
export interface LearnerSpec {
  readonly type: string;
  /** Label shown in reports; defaults to the type. Lets one scenario compare two settings of one learner. */
  readonly name?: string;
  readonly [option: string]: unknown;
}

/**
 * A registered learner. `O` is the learner's own options type, with every option that has a
 * schema default filled in: the registry stores entries as LearnerEntry<never> (any options) and
 * checks the options against `options`, filling its defaults, before it calls `create`.
 */
export interface LearnerEntry<O = never> extends RegistryEntry {
  readonly options: JsonSchema;
  /** Set when the learner cannot work without task identities (e.g. one model per task). */
  readonly requiresTaskLabels?: boolean;
  create(options: O): Learner;
}

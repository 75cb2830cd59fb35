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

/** What a learner learns at task boundaries (never given on task-free streams). */
export interface TaskInfo {
  readonly index: number;
  readonly id: string;
  readonly classes?: readonly number[];
}

export interface LearnerContext {
  readonly stream: StreamInfo;
  readonly model: FunctionalModel;
  /** The learner's own seeded generator: use it for every random choice. */
  readonly rng: Rng;
  readonly batchSize: number;
  readonly epochs: number;
  /** True when task boundaries and ids are hidden from the learner. */
  readonly taskFree: boolean;
}

/**
 * A continual learner. The runner drives it and evaluates it; a learner never scores itself, so
 * every learner is measured the same way.
 */
export interface Learner {
  setup(ctx: LearnerContext): void | Promise<void>;
  beginTask?(task: TaskInfo): void | Promise<void>;
  /** Learn from one incoming batch. Return the training loss when it is known (divergence check). */
  observe(batch: Batch): number | void | Promise<number | void>;
  endTask?(task: TaskInfo): void | Promise<void>;
  /** Logits (classification) or outputs (regression). taskIndex is absent on task-free streams. */
  predict(x: tf.Tensor, taskIndex?: number): tf.Tensor;
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
 * A registered learner. `O` is the learner's own options type; the registry stores entries as
 * LearnerEntry<never> (any options), and the scenario schema guarantees `create` gets valid ones.
 */
export interface LearnerEntry<O = never> extends RegistryEntry {
  readonly options: JsonSchema;
  /** Set when the learner cannot work without task identities (e.g. one model per task). */
  readonly requiresTaskLabels?: boolean;
  create(options: O): Learner;
}

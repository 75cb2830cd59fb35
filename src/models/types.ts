import type * as tf from '@tensorflow/tfjs-core';
import type { StreamInfo } from '../streams/types.js';
import type { RegistryEntry } from '../util/registry.js';
import type { Rng } from '../util/rng.js';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Which head this parameter belongs to, or undefined for the shared trunk. */
  readonly head?: number;
}

/** One dense layer: the indices of its kernel [din, dout] and bias [dout] in the model's parameters. */
export interface DenseLayer {
  readonly kernel: number;
  readonly bias: number;
  readonly din: number;
  readonly dout: number;
}

/**
 * A model's own account of its structure, which fast paths (host engines, task-batched and split
 * forward passes) read instead of guessing it from parameter names or shapes.
 * 'mlp': dense trunk layers with ReLU after each, then one linear layer per head.
 */
export interface MlpStructure {
  readonly kind: 'mlp';
  readonly trunk: readonly DenseLayer[];
  /** One per head, in head order. */
  readonly heads: readonly DenseLayer[];
}

/**
 * A functional network: parameters are passed in explicitly, so the same forward pass serves
 * plain SGD (with tf.Variables) and meta-learning (with fast-weight tensors that stay on the
 * gradient tape, which is what makes second-order MAML possible).
 */
export interface FunctionalModel {
  readonly params: readonly ParamSpec[];
  /** Fresh parameter values drawn from the model's initialiser. */
  init(rng: Rng): tf.Tensor[];
  /** Output for a batch; `head` picks the output head on multi-head models (default 0). */
  forward(params: readonly tf.Tensor[], x: tf.Tensor, head?: number): tf.Tensor;
  /** The structure, where the model declares one (absent: fast paths that need it are not taken). */
  readonly structure?: MlpStructure;
  /**
   * The trunk's output for a batch, [n, features]: what every head reads (iCaRL's feature space).
   * Optional: learners that need it say so when the model lacks it.
   */
  features?(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor;
}

export interface ModelSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}

export interface ModelEntry extends RegistryEntry {
  create(spec: ModelSpec, stream: StreamInfo): FunctionalModel;
}

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

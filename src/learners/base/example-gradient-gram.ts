import * as tf from '../../backend/tf.js';
import type { LossFn } from '../../models/losses.js';
import type { FunctionalModel } from '../../models/types.js';
import { mlpForwardTasks, taskBatchedForward } from '../meta/task-batched.js';

/** Per row and per dense layer: the layer's input a and the gradient δ of the row's loss at its output. */
export type ExampleFactors = { inputs: tf.Tensor2D[]; deltas: tf.Tensor2D[] };

/**
 * Inner products of per-example loss gradients of a single-head MLP, without forming the gradients.
 * A dense layer's weight gradient for row i is the outer product a_i δ_iᵀ and its bias gradient δ_i,
 * so the gradients of rows i and j meet as
 *   g_i · g_j = Σ_layers (a_i · a_j + 1)(δ_i · δ_j)
 * (Goodfellow 2015, "Efficient per-example gradient computations"). For GSS on a 784-100-100-10
 * MLP that is one forward and one backward pass over the rows and a few small matmuls, instead of a
 * backward pass per example and 89 610 numbers per gradient.
 */
export class ExampleGradientGram {
  private constructor(private readonly lossFn: LossFn) {}

  /**
   * The Gram route for `model`, or undefined where it does not apply (then compute the gradients):
   * only an MLP confirmed as one (ReLU trunk, linear output, checked against the model's own
   * forward pass) with a single head, since every row must go through the same layers.
   */
  static for(model: FunctionalModel, heads: number, lossFn: LossFn): ExampleGradientGram | undefined {
    if (heads > 1 || taskBatchedForward(model) !== mlpForwardTasks) return undefined;
    return new ExampleGradientGram(lossFn);
  }

  /** The layer factors of every row of x (labels y) under `params` ([W1, b1, …, Wk, bk]); the caller disposes them. */
  factors(params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor): ExampleFactors {
    const n = x.shape[0];
    const layers = params.length / 2;
    return tf.tidy(() => {
      const flat = tf.reshape(x, [n, -1]) as tf.Tensor2D;
      // A zero added to each layer's output: the gradient of the summed loss there is each row's δ.
      const forward = (shifts: readonly tf.Tensor[], keep: tf.Tensor2D[] | null): tf.Tensor => {
        let h: tf.Tensor2D = flat;
        for (let l = 0; l < layers; l++) {
          keep?.push(h);
          const z = tf.add(tf.add(tf.matMul(h, params[2 * l] as tf.Tensor2D), params[2 * l + 1]), shifts[l]) as tf.Tensor2D;
          h = l + 1 < layers ? tf.relu(z) : z;
        }
        return h;
      };
      const inputs: tf.Tensor2D[] = [];
      const zeros = params.filter((_, i) => i % 2 === 1).map((b) => tf.zeros([n, b.shape[0]!]));
      // Two forward passes: tf.grads frees what its own pass creates, so the layers' inputs are kept
      // from a plain pass (a few small matmuls beside the backward pass).
      forward(zeros, inputs);
      const summedLoss = (...shifts: tf.Tensor[]) => tf.mul(this.lossFn(forward(shifts, null), y), n) as tf.Scalar;
      const deltas = tf.grads(summedLoss)(zeros) as tf.Tensor2D[];
      return { inputs, deltas };
    });
  }

  /** [nA, nB]: g_i · g_j for every row i of a and row j of b. */
  dots(a: ExampleFactors, b: ExampleFactors): tf.Tensor2D {
    return tf.tidy(() =>
      a.inputs.map((input, l) => {
        const inputDots = tf.add(tf.matMul(input, b.inputs[l], false, true), 1);
        return tf.mul(inputDots, tf.matMul(a.deltas[l], b.deltas[l], false, true));
      }).reduce((sum, term) => tf.add(sum, term)) as tf.Tensor2D,
    );
  }

  /** [n]: |g_i|² for every row. */
  squaredNorms(a: ExampleFactors): tf.Tensor1D {
    return tf.tidy(() =>
      a.inputs.map((input, l) => tf.mul(tf.add(tf.sum(tf.square(input), 1), 1), tf.sum(tf.square(a.deltas[l]), 1)))
        .reduce((sum, term) => tf.add(sum, term)) as tf.Tensor1D,
    );
  }
}

/** Frees the factors' tensors. */
export function disposeFactors(f: ExampleFactors): void {
  tf.dispose([...f.inputs, ...f.deltas]);
}

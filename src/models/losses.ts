import * as tf from '../backend/tf.js';
import { fusedCrossEntropy } from '../backend/native-xent.js';
import type { ProblemKind } from '../streams/types.js';
import '../backend/second-order-gradients.js';

/**
 * The one home of "which loss": a model's outputs scored against a batch's targets, softmax
 * cross-entropy on int class ids for classification, mean squared error for regression. Learners
 * train on it, the runner scores with it; each variant below differs only in how it is computed
 * (a fused kernel, a twice-differentiable composition), never in its value.
 */

/** Mean loss of a batch: softmax cross-entropy on int labels, or MSE on regression targets. */
export type LossFn = (output: tf.Tensor, y: tf.Tensor) => tf.Scalar;

/** The loss for a stream's kind, from tfjs's composite ops (its gradient is first-order only). */
export function lossFor(kind: ProblemKind): LossFn {
  return kind === 'classification' ? crossEntropy : meanSquaredError;
}

/**
 * The loss to train on by first-order gradients: for classification the fused cross-entropy kernel
 * where the backend has it (2 kernels instead of ~45; the same value and gradient, see
 * docs/performance.md), else `lossFor`'s. Not for gradients of gradients: see `secondOrderLossFor`.
 */
export function trainingLossFor(kind: ProblemKind): LossFn {
  if (kind !== 'classification') return meanSquaredError;
  return (logits, labels) => fusedCrossEntropy(logits, labels) ?? crossEntropy(logits, labels);
}

/** The loss meta-learners differentiate through their inner loops (second-order gradients). */
export function secondOrderLossFor(kind: ProblemKind): LossFn {
  return kind === 'classification' ? twiceDifferentiableCrossEntropy : meanSquaredError;
}

/**
 * The loss summed over a batch's examples (an evaluation adds these over chunks and divides by the
 * set's size once): n × the fused mean cross-entropy, or the sum of each row's MSE.
 */
export function summedLossFor(kind: ProblemKind): LossFn {
  if (kind !== 'classification') return (out, y) => tf.sum(exampleLosses(out, y, kind)) as tf.Scalar;
  const mean = trainingLossFor(kind);
  return (logits, labels) => tf.mul(mean(logits, labels), logits.shape[0]!) as tf.Scalar;
}

/** Each example's loss, [n]: softmax cross-entropy on class ids, or the mean squared error of each row. */
export function exampleLosses(outputs: tf.Tensor, y: tf.Tensor, kind: ProblemKind): tf.Tensor1D {
  return tf.tidy(() => {
    if (kind !== 'classification') return tf.mean(tf.squaredDifference(outputs, tf.reshape(y, outputs.shape)), -1) as tf.Tensor1D;
    const logProbs = tf.logSoftmax(outputs);
    return tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(y, 'int32'), outputs.shape[1]!), logProbs), -1)) as tf.Tensor1D;
  });
}

export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.shape.length - 1]!;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(labels, 'int32'), classes), logits) as tf.Scalar;
  });
}

export function meanSquaredError(output: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(output, tf.reshape(targets, output.shape))) as tf.Scalar);
}

/**
 * Softmax cross-entropy built from plain ops, mean over examples of logΣexp(z − m) + m − z_y, so
 * that its gradient can be differentiated again. tfjs's own softmaxCrossEntropy is a customGrad
 * whose backward pass reads values computed off the tape, which silently drops MAML's
 * second-order term. The max m only keeps exp() in range; its gradient cancels.
 */
export function twiceDifferentiableCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.shape.length - 1]!;
    const m = tf.max(logits, -1, true);
    const logSumExp = tf.add(tf.log(tf.sum(tf.exp(tf.sub(logits, m)), -1, true)), m);
    const picked = tf.sum(tf.mul(logits, tf.oneHot(tf.cast(labels, 'int32'), classes)), -1, true);
    return tf.mean(tf.sub(logSumExp, picked)) as tf.Scalar;
  });
}

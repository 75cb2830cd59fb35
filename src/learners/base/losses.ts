import * as tf from '../../backend/tf.js';
import type { ProblemKind } from '../../streams/types.js';

/** Mean loss of a batch: softmax cross-entropy on int labels, or MSE on regression targets. */
export type LossFn = (output: tf.Tensor, y: tf.Tensor) => tf.Scalar;

export function lossFor(kind: ProblemKind): LossFn {
  return kind === 'classification' ? crossEntropy : meanSquaredError;
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

import * as tf from '../../backend/tf.js';
import type { ProblemKind } from '../../streams/types.js';
import { type LossFn, meanSquaredError } from '../base/losses.js';
import '../../backend/second-order-gradients.js';

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

/** The loss meta-learners differentiate through their inner loops. */
export function metaLossFor(kind: ProblemKind): LossFn {
  return kind === 'classification' ? twiceDifferentiableCrossEntropy : meanSquaredError;
}

import * as tf from '../../backend/tf.js';
import { fusedCrossEntropy } from '../../backend/native-xent.js';
import type { ProblemKind } from '../../streams/types.js';
import { type LossFn, lossFor } from '../base/losses.js';

/**
 * The first-order training loss: the fused cross-entropy kernel where the backend has it (2
 * kernels instead of ~45 for tf.losses.softmaxCrossEntropy), else the usual loss. Not for
 * second-order use (gradients of gradients): see meta/losses.ts for that.
 */
export function trainingLoss(kind: ProblemKind): LossFn {
  const fallback = lossFor(kind);
  if (kind !== 'classification') return fallback;
  return (out: tf.Tensor, y: tf.Tensor) => fusedCrossEntropy(out, y) ?? fallback(out, y);
}

import * as tf from '../backend/tf.js';
import { optimizerSchema } from './base/optimizer.js';
import { type ReplayDraw, uploadDraw } from './base/replay-draw.js';
import { replaySchema } from './base/replay-options.js';
import { Der, type DerOptions, alphaSchema } from './der.js';
import type { LearnerEntry } from './types.js';

export interface DerppOptions extends DerOptions {
  /** Weight β of the label term β·CE(f(x″), y″) on a second draw. */
  readonly beta: number;
}

/**
 * DER++ (Buzzega et al., NeurIPS 2020): DER plus the stored labels. Each step minimises
 *
 *   CE(f(x), y) + α·MSE(f(x'), z') + β·CE(f(x''), y'')
 *
 * where (x', z') and (x'', y'') are two independent draws from the memory. The label term corrects
 * logits stored early in a task, when the network was still poor at it.
 */
export class Derpp extends Der {
  private readonly beta: number;

  constructor(options: DerppOptions) {
    super(options, 'derpp');
    this.beta = options.beta;
  }

  /** Two independent draws: one for the stored logits, one for the labels. */
  protected override drawReplay(): ReplayDraw[] {
    return [...super.drawReplay(), uploadDraw(this.ctx, this.buffer.sample(this.replayBatch))];
  }

  protected override replayLoss(draws: readonly ReplayDraw[], outputs: readonly tf.Tensor[]): tf.Scalar {
    const [, labelled] = draws;
    return tf.tidy(() => tf.add(super.replayLoss(draws, outputs), tf.mul(this.beta, this.lossFn(outputs[1], labelled.y))));
  }
}

export const derppEntry: LearnerEntry<DerppOptions> = {
  type: 'derpp',
  description: 'DER++: DER’s logit matching on one memory draw plus cross-entropy on the labels of a second draw',
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.03).
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...replaySchema({ memorySize: 500, replayBatch: 10, buffer: 'reservoir' }),
      alpha: alphaSchema(1),
      beta: { type: 'number', minimum: 0, default: 0.5, description: 'Weight β of the label term β·CE(f(x″), y″) on a second draw' },
    },
    required: ['lr'],
  },
  create: (options) => new Derpp(options),
};

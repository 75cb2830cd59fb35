import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry } from './types.js';

/** Fine-tunes on each incoming batch and nothing else: the lower bound every method must beat. */
export class Naive extends ModelLearner {
  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }
}

export const naiveEntry: LearnerEntry<OptimizerOptions> = {
  type: 'naive',
  description: 'Plain fine-tuning on the stream (GEM "single", A-GEM "VAN"): the lower bound',
  options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] },
  create: (options) => new Naive(options),
};

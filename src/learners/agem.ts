import { projectAgem } from './base/agem-projection.js';
import { type EpisodicMemoryOptions, EpisodicMemoryLearner, episodicMemorySchema } from './base/episodic-memory-learner.js';
import { flatGradient } from './base/flat-gradients.js';
import { optimizerSchema } from './base/optimizer.js';
import type { Rng } from '../util/rng.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface AgemOptions extends EpisodicMemoryOptions {
  /** Memory examples drawn (uniformly, without replacement) for each step's reference gradient. */
  readonly referenceBatch: number;
}

/**
 * Averaged GEM (Chaudhry et al. 2019). GEM's one constraint per past task becomes a single one on
 * the average memory loss: the reference gradient g_ref on a random batch of the finished tasks'
 * memories. When g·g_ref < 0 the update is g − (g·g_ref / g_ref·g_ref) g_ref; no QP is solved.
 */
export class Agem extends EpisodicMemoryLearner {
  private sampler!: Rng;

  constructor(private readonly options: AgemOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.sampler = ctx.rng.fork('reference-batch');
  }

  observe(batch: Batch): number {
    return this.constrainedStep(batch, (g) => {
      const size = Math.min(this.options.referenceBatch, this.memory.size);
      const reference = this.memory.gather(this.sampler.sample(this.memory.size, size));
      const { value, grad: refGrad } = flatGradient(this.params, () => this.mixedTaskLoss(reference.x, reference.y, reference.tasks));
      value.dispose();
      return projectAgem(g, refGrad).gradient;
    });
  }
}

export const agemEntry: LearnerEntry<AgemOptions> = {
  type: 'agem',
  description: 'Averaged GEM: projects the update only against the gradient on a random batch of the episodic memory',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...episodicMemorySchema,
      referenceBatch: { type: 'integer', minimum: 1, default: 256, description: 'Memory examples per reference gradient' },
    },
    required: ['lr'],
  },
  create: (options) => new Agem(options),
};

import { ClbenchError } from '../../util/errors.js';
import type { AdaptOptions, Adapted, Batch, LearnerContext, LearnerEntry } from '../types.js';
import { FastWeights } from './fast-weights.js';
import { type InnerRule, Maml, type MamlOptions, mamlOptionsSchema } from './maml.js';

/**
 * ANIL, "almost no inner loop" (Raghu et al., 2020): MAML whose inner loop, at meta-training and
 * at test time, adapts only the output head; the trunk is meta-learned as a shared feature extractor.
 */
export class Anil extends Maml {
  private headOnly: boolean[] = [];

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.headOnly = ctx.model.params.map((p) => p.head !== undefined);
    if (!this.headOnly.some(Boolean)) {
      throw new ClbenchError(`learner 'anil' needs a model with an output head, but no parameter of this model is one (${ctx.model.params.map((p) => p.name).join(', ')})`);
    }
  }

  protected override rule(): InnerRule {
    return { ...super.rule(), adapt: this.headOnly };
  }

  override adapt(support: Batch, steps: number, options: AdaptOptions = {}): Adapted {
    const adapted = new FastWeights(this.params, support, {
      model: this.ctx.model, lossFn: this.lossFn, lr: options.lr ?? this.innerLr, adapt: this.headOnly,
    });
    adapted.step(steps);
    return adapted;
  }
}

export const anilEntry: LearnerEntry<MamlOptions> = {
  type: 'anil',
  description: 'ANIL (Raghu et al. 2020): MAML with the inner loop on the output head only',
  options: { type: 'object', properties: mamlOptionsSchema },
  create: (options) => new Anil(options),
};

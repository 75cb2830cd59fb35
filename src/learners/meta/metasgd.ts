import * as tf from '../../backend/tf.js';
import { toVariables } from '../base/model-learner.js';
import type { AdaptOptions, Adapted, Batch, LearnerContext, LearnerEntry } from '../types.js';
import { FastWeights } from './fast-weights.js';
import { type InnerRule, Maml, type MamlOptions, mamlOptionsSchema } from './maml.js';

/**
 * Meta-SGD (Li et al., 2017): MAML with a learned step size for every parameter entry,
 * θ' = θ − α ∘ ∇L(θ), where α (initialised to innerLr) is meta-learned with θ. Test-time
 * adaptation uses the learned α; protocol.adaptLr does not override it.
 */
export class MetaSgd extends Maml {
  private alphas: tf.Variable[] = [];

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    tf.dispose(this.alphas);
    this.alphas = toVariables(this.params.map((p) => tf.fill(p.shape, this.innerLr)));
  }

  protected override rule(): InnerRule {
    return { ...super.rule(), lr: this.alphas };
  }

  protected override metaVariables(): tf.Variable[] {
    return [...this.params, ...this.alphas];
  }

  override adapt(support: Batch, steps: number, _options: AdaptOptions = {}): Adapted {
    const adapted = new FastWeights(this.params, support, { model: this.ctx.model, lossFn: this.lossFn, lr: this.alphas });
    adapted.step(steps);
    return adapted;
  }

  override dispose(): void {
    tf.dispose(this.alphas);
    this.alphas = [];
    super.dispose();
  }
}

export const metaSgdEntry: LearnerEntry<MamlOptions> = {
  type: 'metasgd',
  description: 'Meta-SGD (Li et al. 2017): MAML with meta-learned per-parameter inner step sizes',
  options: { type: 'object', properties: mamlOptionsSchema },
  create: (options) => new MetaSgd(options),
};

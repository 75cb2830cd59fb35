import * as tf from '../backend/tf.js';
import { type FisherEstimate, diagonalFisher, normalizeFisher } from './base/fisher.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { SampledPenaltyLearner } from './base/sampled-penalty-learner.js';
import { uploadRows } from '../streams/upload.js';
import type { LearnerEntry, TaskInfo } from './types.js';

export interface EwcOptions extends OptimizerOptions {
  /** Penalty strength λ in (λ/2) Σ F (θ − θ*)². */
  readonly lambda: number;
  /** Online EWC (Schwarz et al. 2018): one running Fisher and the latest centre instead of one penalty per task. */
  readonly online: boolean;
  /** Online EWC: decay γ of the running Fisher, F ← γF + F_task. */
  readonly gamma: number;
  /** How the Fisher diagonal is estimated (see base/fisher.ts). */
  readonly fisher: FisherEstimate;
  /** Examples of each finished task kept (uniformly at random) for its Fisher. */
  readonly fisherSamples: number;
  /** `batch` estimate: examples per chunk (default: all samples in one chunk). */
  readonly fisherBatch?: number;
  /** Rescale each task's Fisher to [0, 1] by its global min and max (the A-GEM code's EWC). */
  readonly normalizeFisher: boolean;
}

/**
 * Elastic Weight Consolidation (Kirkpatrick et al. 2017): after each task, a diagonal Fisher from
 * samples of that task measures how much each parameter mattered, and a quadratic penalty
 * (λ/2) Σ F (θ − θ*)² holds the important ones near their end-of-task values θ*.
 */
export class Ewc extends SampledPenaltyLearner {
  constructor(private readonly options: EwcOptions) {
    super(options, 'fisher-samples');
  }

  /** The consolidated Fisher (summed over tasks, or the running one online); null before a task ends. */
  get fisher(): readonly tf.Tensor[] | null {
    return this.penalty.totalImportance;
  }

  protected sampleSize(): number {
    return this.options.fisherSamples;
  }

  protected penaltyScale(): number {
    return this.options.lambda / 2;
  }

  override endTask(task: TaskInfo): void {
    const samples = this.takeSamples();
    if (!samples) return;
    const { x, y } = uploadRows(samples.sample(samples.size), this.ctx.stream);
    let fisher = diagonalFisher(this.params, x, y, (xs, ys) => this.batchLoss(xs, ys, task.index), {
      estimate: this.options.fisher,
      batchSize: this.options.fisherBatch,
    });
    tf.dispose([x, y]);
    if (this.options.normalizeFisher) fisher = normalizeFisher(fisher);
    if (this.options.online) this.penalty.replaceAnchor(fisher, this.params, this.options.gamma);
    else this.penalty.addAnchor(fisher, this.params);
  }

}

export const ewcEntry: LearnerEntry<EwcOptions> = {
  type: 'ewc',
  description: 'Elastic Weight Consolidation: a diagonal-Fisher quadratic penalty per finished task, or online EWC with a running Fisher',
  requiresTaskLabels: true,
  // λ's default, 10: the offline penalty adds one Fisher per task, so its curvature grows with the
  // stream, and plain SGD on it diverges once lr·λ·ΣF passes 2. At lr 0.03, λ = 100 diverged at task 12
  // of 20 rotated-MNIST tasks (test/learners/defaults.test.ts); λ = 10 trains through all 20.
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      lambda: { type: 'number', minimum: 0, default: 10, description: 'Penalty strength λ in (λ/2) Σ F (θ − θ*)²' },
      online: { type: 'boolean', default: false, description: 'Online EWC: one running Fisher, anchored at the latest task end' },
      gamma: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'Online EWC: decay of the running Fisher (F ← γF + F_task)' },
      fisher: {
        enum: ['empirical', 'batch'], default: 'empirical',
        description: 'Fisher estimate: mean squared per-example gradient, or mean squared gradient of chunk means (GEM/A-GEM code)',
      },
      fisherSamples: { type: 'integer', minimum: 1, default: 200, description: 'Examples of each task kept for its Fisher' },
      fisherBatch: { type: 'integer', minimum: 1, description: '"batch" estimate: examples per chunk (default: all samples)' },
      normalizeFisher: { type: 'boolean', default: false, description: 'Rescale each Fisher to [0, 1] (A-GEM code)' },
    },
    required: ['lr'],
  },
  create: (options) => new Ewc(options),
};

import * as tf from '../backend/tf.js';
import { applyGradients, parameterGradients } from './base/flat-gradients.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { PathIntegral } from './base/path-integral.js';
import { QuadraticPenalty } from './base/quadratic-penalty.js';
import type { Batch, LearnerEntry, TaskInfo } from './types.js';

export interface SiOptions extends OptimizerOptions {
  /** Strength c of the penalty c Σ Ω (θ − θ*)². */
  readonly c: number;
  /** Damping ξ in Ω = ω / (Δθ² + ξ). */
  readonly xi: number;
}

/**
 * Synaptic Intelligence (Zenke, Poole & Ganguli 2017). Importance is measured online, for free,
 * along the optimisation path: each step adds −g·Δθ to a parameter's ω. At a task's end
 * Ω += ω / (Δθ_task² + ξ), and the penalty c Σ Ω (θ − θ*)² pulls towards the end-of-task weights θ*.
 */
export class Si extends ModelLearner {
  private readonly path = new PathIntegral();
  private readonly penalty = new QuadraticPenalty();

  constructor(private readonly options: SiOptions) {
    super(options);
  }

  override beginTask(_task: TaskInfo): void {
    this.path.begin(this.params);
  }

  observe(batch: Batch): number {
    if (!this.path.started) this.path.begin(this.params);
    const c = this.options.c;
    const before = this.params.map((p) => tf.clone(p));
    // ω needs the task loss's gradient alone, so the penalty's (exact, 2cΩ(θ − θ*)) is added separately.
    const { value, grads } = parameterGradients(this.params, () => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const total = this.penalty.addGradient(grads, this.params, c);
    applyGradients(this.optimizer, this.params, total);
    this.path.accumulate(grads, before, this.params);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...before, ...grads, ...total]);
    return loss;
  }

  override endTask(_task: TaskInfo): void {
    if (!this.path.started) return;
    const importance = this.path.importance(this.params, this.options.xi);
    // Ω accumulates over tasks; the centre moves to the latest end-of-task weights.
    this.penalty.replaceAnchor(importance, this.params, 1);
    this.path.dispose();
  }

  override dispose(): void {
    this.path.dispose();
    this.penalty.dispose();
    super.dispose();
  }
}

export const siEntry: LearnerEntry<SiOptions> = {
  type: 'si',
  description: 'Synaptic Intelligence: path-integral importance, quadratic penalty towards the last task’s weights',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      c: { type: 'number', minimum: 0, default: 0.1, description: 'Penalty strength c in c Σ Ω (θ − θ*)²' },
      xi: { type: 'number', exclusiveMinimum: 0, default: 1e-3, description: 'Damping ξ in Ω = ω / (Δθ² + ξ)' },
    },
    required: ['lr'],
  },
  create: (options) => new Si(options),
};

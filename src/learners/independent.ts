import * as tf from '../backend/tf.js';
import { initVariables, ModelLearner, toVariables } from './base/model-learner.js';
import { type OptimizerOptions, makeOptimizer, optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry, TaskInfo } from './types.js';

export interface IndependentOptions extends OptimizerOptions {
  /** How each task's model starts: fresh, or as a copy of the previous task's model. */
  readonly init: 'scratch' | 'previous';
}

/**
 * One model per task (GEM's "independent"): no interference by construction, and no transfer
 * either. Needs task identities to pick the model at test time.
 */
export class Independent extends ModelLearner {
  private readonly models: tf.Variable[][] = [];

  constructor(private readonly options: IndependentOptions) {
    super(options);
  }

  override beginTask(task: TaskInfo): void {
    const previous = this.params;
    const fresh = this.options.init === 'scratch' || this.models.length === 0;
    this.params = fresh ? initVariables(this.ctx) : toVariables(previous.map((p) => p.clone()));
    this.models[task.index] = this.params;
    this.optimizer.dispose();
    this.optimizer = makeOptimizer(this.options);
    // The setup parameters belong to no task: drop them once the first task replaces them.
    if (!this.models.includes(previous)) tf.dispose(previous);
  }

  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }

  override predict(x: tf.Tensor, taskIndex?: number): tf.Tensor {
    // Tasks not trained yet are scored by the latest model (that is what R[j-1][j] asks for).
    const params = (taskIndex !== undefined && this.models[taskIndex]) || this.params;
    return this.ctx.model.forward(params, x, this.headFor(taskIndex));
  }

  override dispose(): void {
    for (const params of this.models) if (params && params !== this.params) tf.dispose(params);
    super.dispose();
  }
}

export const independentEntry: LearnerEntry<IndependentOptions> = {
  type: 'independent',
  description: 'A separate model per task (GEM "independent"): no forgetting, no transfer',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      init: { enum: ['scratch', 'previous'], default: 'scratch', description: 'Start each task fresh or from the previous model' },
    },
    required: ['lr'],
  },
  create: (options) => new Independent(options),
};

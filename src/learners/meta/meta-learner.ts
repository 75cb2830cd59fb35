import * as tf from '../../backend/tf.js';
import type { JsonSchema } from '../../util/registry.js';
import { ModelLearner } from '../base/model-learner.js';
import type { OptimizerName } from '../base/optimizer.js';
import type { Batch, LearnerContext, MetaBatch } from '../types.js';
import type { ParamLoss, StepSizes } from './functional-sgd.js';
import { secondOrderLossFor } from '../../models/losses.js';
import { type TaskBatchedForward, taskBatchedForward } from './task-batched.js';

/** Options every meta-learner shares, with the schema's defaults filled in. */
export interface MetaOptions {
  /** Inner-loop SGD steps per episode during meta-training. */
  readonly innerSteps: number;
  /** Inner-loop (and default test-time) step size α. */
  readonly innerLr: number;
  /** Outer (meta) learning rate. */
  readonly metaLr: number;
  readonly metaOptimizer: OptimizerName;
  /** Episodes per meta-update (overrides protocol.metaBatch). */
  readonly metaBatch?: number;
  /** Run the meta-batch's tasks as one batched computation when the model allows it (the MLP does). */
  readonly vectorise: boolean;
}

export const metaOptionsSchema: Record<string, JsonSchema> = {
  innerSteps: { type: 'integer', minimum: 1, default: 1, description: 'Inner-loop SGD steps per episode' },
  innerLr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'Inner-loop step size α (also the default test-time step size)' },
  metaLr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Meta (outer) learning rate β' },
  metaOptimizer: { enum: ['sgd', 'momentum', 'adam'], default: 'adam', description: 'Meta-optimiser' },
  metaBatch: { type: 'integer', minimum: 1, description: 'Episodes per meta-update (default: protocol.metaBatch)' },
  vectorise: { type: 'boolean', default: true, description: 'Batch the meta-batch’s tasks into one computation when the model supports it' },
};

/**
 * The shared body of gradient-based meta-learners: θ as tf.Variables, the meta-optimiser, the
 * episode losses (one task, or all tasks of a stacked meta-batch at once) and test-time adaptation
 * by SGD at the inner step size. Subclasses implement metaObserve.
 */
export abstract class MetaLearner extends ModelLearner {
  readonly metaBatch?: number;
  /** Set when the model runs a whole meta-batch in one pass (see task-batched.ts). */
  protected tasksForward?: TaskBatchedForward;

  constructor(protected readonly meta: MetaOptions) {
    super({ lr: meta.metaLr, optimizer: meta.metaOptimizer });
    this.metaBatch = meta.metaBatch;
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.lossFn = secondOrderLossFor(ctx.stream.kind);
    this.tasksForward = this.meta.vectorise ? taskBatchedForward(ctx.model) : undefined;
  }

  abstract metaObserve(batch: MetaBatch): number;

  /** On a continual stream a meta-learner takes one meta-optimiser step per batch. */
  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }

  protected get innerSteps(): number {
    return this.meta.innerSteps;
  }

  protected get innerLr(): number {
    return this.meta.innerLr;
  }

  protected override adaptLr(): StepSizes {
    return this.innerLr;
  }

  /** The loss of one episode's set under parameters `params`. */
  protected lossOn(set: Batch): ParamLoss {
    return (params) => this.lossFn(this.ctx.model.forward(params, set.x), set.y);
  }

  /**
   * The summed per-task losses of a stacked set under per-task parameters ([T, ...] each):
   * T × the mean, so its gradient with respect to task t's copy is task t's own gradient.
   */
  protected stackedLossOn(set: Batch, tasks: number): ParamLoss {
    const forward = this.tasksForward!;
    return (params) => tf.tidy(() => tf.mul(this.lossFn(forward(params, set.x), set.y), tasks) as tf.Scalar);
  }

  /** The vectorised path applies when the model has one and the episodes are stacked. */
  protected stackedOf(batch: MetaBatch): MetaBatch['stacked'] {
    return this.tasksForward ? batch.stacked : undefined;
  }

  /** One meta-optimiser step with the given gradients for `variables` (default θ). */
  protected applyGradients(grads: readonly tf.Tensor[], variables: readonly tf.Variable[] = this.params): void {
    this.optimizer.applyGradients(Object.fromEntries(variables.map((v, i) => [v.name, grads[i]])));
  }
}

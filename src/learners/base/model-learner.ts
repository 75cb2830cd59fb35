import * as tf from '../../backend/tf.js';
import { FastWeights } from '../meta/fast-weights.js';
import type { StepSizes } from '../meta/functional-sgd.js';
import type { AdaptOptions, Adapted, Batch, Learner, LearnerContext, TaskInfo, TrainSplit } from '../types.js';
import { type ParameterGradients, parameterGradients } from './flat-gradients.js';
import { type LossFn, trainingLossFor } from '../../models/losses.js';
import { mixedTaskLoss } from './mixed-task-loss.js';
import { type OptimizerOptions, makeOptimizer } from './optimizer.js';

/** Trainable copies of the given tensors, which are disposed (a variable shares, not copies, their data). */
export function toVariables(tensors: readonly tf.Tensor[]): tf.Variable[] {
  return tensors.map((t) => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
}

/** Fresh trainable parameters from the model's initialiser. */
export function initVariables(ctx: LearnerContext): tf.Variable[] {
  return toVariables(ctx.model.init(ctx.rng));
}

/**
 * The shared body of learners that train one set of parameters with a tfjs optimizer
 * (Mammoth's ContinualModel): parameters, optimizer, loss and prediction. A learner subclass
 * only says what to do with each incoming batch in `observe`.
 */
export abstract class ModelLearner implements Learner {
  protected ctx!: LearnerContext;
  protected params: tf.Variable[] = [];
  protected optimizer!: tf.Optimizer;
  protected lossFn!: LossFn;

  constructor(protected readonly optimizerOptions: OptimizerOptions) {}

  setup(ctx: LearnerContext): void | Promise<void> {
    this.ctx = ctx;
    this.lossFn = trainingLossFor(ctx.stream.kind);
    this.resetParameters();
  }

  /** Fresh parameters and optimizer state. */
  protected resetParameters(): void {
    this.disposeParameters();
    this.params = initVariables(this.ctx);
    this.optimizer = makeOptimizer(this.optimizerOptions);
  }

  beginTask?(task: TaskInfo, train: TrainSplit): void | Promise<void>;
  endTask?(task: TaskInfo, train: TrainSplit): void | Promise<void>;
  abstract observe(batch: Batch): number | void | Promise<number | void>;

  /** Which output head serves a task: its own on multi-head models, else the shared one. */
  protected headFor(taskIndex: number | undefined): number {
    return this.ctx.stream.heads > 1 ? (taskIndex ?? 0) : 0;
  }

  /** Mean loss of the current parameters on a batch from one task. */
  protected batchLoss(x: tf.Tensor, y: tf.Tensor, taskIndex?: number): tf.Scalar {
    return this.lossFn(this.ctx.model.forward(this.params, x, this.headFor(taskIndex)), y);
  }

  /**
   * Mean loss over a batch that mixes tasks (replay, joint training). On multi-head models each
   * example is scored by its own task's head; the loss is the mean over all examples.
   */
  protected mixedTaskLoss(x: tf.Tensor, y: tf.Tensor, tasks: Int32Array): tf.Scalar {
    return mixedTaskLoss(this.ctx.model, this.lossFn, this.params, x, y, tasks, (task) => this.headFor(task));
  }

  /** One optimizer step on `loss`; returns the loss value before the step. */
  protected step(loss: () => tf.Scalar): number {
    const cost = this.optimizer.minimize(loss, true, this.params);
    if (!cost) return NaN;
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  }

  /**
   * One optimizer step, like `step`, that also hands back tensors computed by the forward pass,
   * so a learner can reuse them without a second forward pass or a read inside the closure (DER
   * stores the batch's logits this way).
   *
   * `closure` returns `{ loss, outputs }`; every tensor in `outputs` survives the step and
   * belongs to the caller, who must dispose it. Anything else the closure creates is freed. The
   * update is the one `step` makes (the same gradients, the same optimizer call). Returns the loss
   * value before the step and the kept outputs.
   *
   * @example
   *   const { loss, outputs } = this.stepWithOutputs(() => {
   *     const logits = this.ctx.model.forward(this.params, batch.x);
   *     return { loss: this.lossFn(logits, batch.y), outputs: { logits } };
   *   });
   *   const stored = outputs.logits.dataSync(); // after the step: one read for the batch
   *   tf.dispose(outputs.logits);
   */
  protected stepWithOutputs<K extends string>(
    closure: () => { loss: tf.Scalar; outputs: Record<K, tf.Tensor> },
  ): { loss: number; outputs: Record<K, tf.Tensor> } {
    let kept: Record<K, tf.Tensor> | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const { loss, outputs } = closure();
      for (const t of Object.values<tf.Tensor>(outputs)) tf.keep(t);
      kept = outputs;
      return loss;
    }, this.params);
    this.optimizer.applyGradients(grads);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, outputs: kept! };
  }

  /**
   * The gradient of `loss` for every parameter, in parameter order, without taking a step. A
   * parameter the loss does not reach (another task's head on a multi-head model) gets a tensor of
   * zeros, never null, so the list always lines up with the parameters. The caller disposes
   * `value` and every gradient.
   */
  protected gradients(loss: () => tf.Scalar): ParameterGradients {
    return parameterGradients(this.params, loss);
  }

  predict(x: tf.Tensor, taskIndex?: number): tf.Tensor {
    return this.ctx.model.forward(this.params, x, this.headFor(taskIndex));
  }

  /**
   * Few-shot adaptation for every learner built on this class: `steps` plain SGD steps on the
   * support set from a copy of the parameters (fast weights), at options.lr or adaptLr().
   */
  adapt(support: Batch, steps: number, options: AdaptOptions = {}): Adapted {
    const head = this.headFor(support.taskIndex);
    const adapted = new FastWeights(this.params, support, { model: this.ctx.model, lossFn: this.lossFn, head, lr: options.lr ?? this.adaptLr() });
    adapted.step(steps);
    return adapted;
  }

  /** The default step size of adapt(): the learner's learning rate. Meta-learners use their inner one. */
  protected adaptLr(): StepSizes {
    return this.optimizerOptions.lr;
  }

  private disposeParameters(): void {
    for (const p of this.params) p.dispose();
    this.params = [];
    this.optimizer?.dispose();
  }

  dispose(): void {
    this.disposeParameters();
  }
}

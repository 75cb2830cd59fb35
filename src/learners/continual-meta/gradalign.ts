import * as tf from '../../backend/tf.js';
import { uploadRows } from '../../streams/upload.js';
import { ExampleMemory } from '../base/example-memory.js';
import { type LossFn, secondOrderLossFor } from '../../models/losses.js';
import type { Batch, LearnerContext, LearnerEntry } from '../types.js';
import { headsMask, maskedValueAndGrads } from './masked-grads.js';
import { mixedTaskLoss } from '../base/mixed-task-loss.js';
import { ReservoirLearner } from './reservoir-learner.js';

export interface GradAlignOptions {
  readonly lr: number;
  /** λ: weight of the alignment reward ⟨g_current, g_memory⟩. */
  readonly lambda: number;
  /** Weight of the replayed examples' own loss (0: the current batch alone, 1: MER's objective). */
  readonly replayWeight: number;
  readonly memorySize: number;
  /** Replayed examples drawn (with replacement) for g_memory at each step. */
  readonly replayBatch: number;
}

/** The scalar objective a gradalign step descends, as a function of the parameters. */
export type ParamObjective = (params: readonly tf.Tensor[]) => tf.Scalar;

/**
 * L(θ) = L_cur(θ) + w·L_mem(θ) − λ·⟨∇L_cur(θ), ∇L_mem(θ)⟩. The inner gradients are taken inside
 * the objective, so differentiating it is a gradient of gradients: its gradient carries the
 * Hessian-vector products −λ(H_cur g_mem + H_mem g_cur) that reward aligned gradients.
 */
export function alignmentObjective(
  current: ParamObjective, memory: ParamObjective, lambda: number, replayWeight: number,
  masks?: { readonly current: readonly boolean[]; readonly memory: readonly boolean[] },
): ParamObjective {
  return (params) => {
    const all = params.map(() => true);
    // Multi-head models: each loss reaches only the trunk and its own heads (zeros elsewhere).
    const gc = maskedValueAndGrads(current, params, masks?.current ?? all).grads;
    const gm = maskedValueAndGrads(memory, params, masks?.memory ?? all).grads;
    const dot = tf.addN(gc.map((g, i) => tf.sum(tf.mul(g, gm[i]))));
    let total: tf.Tensor = tf.sub(current(params), tf.mul(dot, lambda));
    if (replayWeight !== 0) total = tf.add(total, tf.mul(memory(params), replayWeight));
    return total as tf.Scalar;
  };
}

/**
 * Explicit gradient alignment: SGD on the current batch with a penalty −λ⟨g_current, g_memory⟩
 * computed by second-order autodiff (tf.grads through tf.grads), g_memory taken on examples
 * replayed from a reservoir. MER (Riemer et al. 2019) maximises the same inner product implicitly
 * through Reptile; this learner states it as an objective, for comparison. With replayWeight 1
 * the objective is MER's: L_cur + L_mem − λ⟨g_cur, g_mem⟩.
 */
export class GradAlign extends ReservoirLearner {
  private twiceDifferentiable!: LossFn;

  constructor(private readonly options: GradAlignOptions) {
    super(options.lr, options.memorySize);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    // Cross-entropy whose backward pass is itself differentiable (tfjs's own is not).
    this.twiceDifferentiable = secondOrderLossFor(ctx.stream.kind);
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    const { stream, model } = this.ctx;
    const headOf = (task: number) => this.headFor(task < 0 ? undefined : task);
    const head = headOf(batch.taskIndex ?? -1);
    const current: ParamObjective = (p) => this.twiceDifferentiable(model.forward(p, batch.x, head), batch.y);
    let loss: number;
    if (this.buffer.size === 0) {
      loss = this.step(() => current(this.params));
    } else {
      const replay = this.drawReplay(this.options.replayBatch);
      const { x, y } = uploadRows(replay, stream);
      const memory: ParamObjective = (p) => mixedTaskLoss(model, this.twiceDifferentiable, p, x, y, replay.tasks, headOf);
      const masks = { current: headsMask(model, [head]), memory: headsMask(model, [...replay.tasks].map(headOf)) };
      const objective = alignmentObjective(current, memory, this.options.lambda, this.options.replayWeight, masks);
      loss = this.step(() => objective(this.params));
      tf.dispose([x, y]);
    }
    this.buffer.add(incoming);
    return loss;
  }
}

export const gradAlignEntry: LearnerEntry<GradAlignOptions> = {
  type: 'gradalign',
  description: 'Explicit gradient alignment: SGD on the current batch minus λ⟨g_current, g_memory⟩ (second-order autodiff), memory from a reservoir',
  options: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, description: 'SGD learning rate' },
      lambda: { type: 'number', minimum: 0, default: 0.01, description: 'λ: weight of the alignment reward ⟨g_current, g_memory⟩' },
      replayWeight: { type: 'number', minimum: 0, default: 0, description: 'Weight of the replayed examples’ own loss (1: MER’s objective)' },
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Reservoir capacity' },
      replayBatch: { type: 'integer', minimum: 1, default: 10, description: 'Replayed examples per step (with replacement)' },
    },
    required: ['lr'],
  },
  create: (options) => new GradAlign(options),
};

import * as tf from '../backend/tf.js';
import { uploadRows } from '../streams/upload.js';
import { ClbenchError } from '../util/errors.js';
import { ExampleMemory } from './base/example-memory.js';
import { applyGradients, parameterGradients } from './base/flat-gradients.js';
import { mixedTaskForward } from './base/mixed-task-loss.js';
import { ModelLearner, toVariables } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { disposeDraw, uploadDraw } from './base/replay-draw.js';
import { replayBufferFor } from './base/replay-options.js';
import type { FunctionalModel } from '../models/types.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export interface HalOptions extends OptimizerOptions {
  /** Total examples kept: memorySize / T per task, each task's latest. */
  readonly memorySize: number;
  /** Replayed examples added to each incoming batch. */
  readonly replayBatch: number;
  /** Weight λ of the anchor term λ·mean((f_θ̃(e) − f_θ(e))²). */
  readonly lambda: number;
  /** Decay β of the running mean φ of the task's features. */
  readonly beta: number;
  /** Weight γ of the anchor's feature term γ‖φ(e) − φ_t‖². */
  readonly gamma: number;
  /** Gradient steps that optimise each anchor. */
  readonly anchorSteps: number;
}

/**
 * HAL's anchor term's gradient: ∇_θ λ·mean((f_θ̃(e) − f_θ(e))²) over the anchors e, where
 * θ̃ = θ − lr·g (the step the replay loss's gradient g would take) is held fixed. One tensor per
 * parameter (zeros for those the anchors do not reach), which the caller disposes.
 */
export function anchorGradients(
  model: FunctionalModel, params: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number,
  anchors: { x: tf.Tensor; tasks: ArrayLike<number> }, headOf: (task: number) => number, lambda: number,
): tf.Tensor[] {
  const target = tf.tidy(() => {
    const stepped = params.map((p, i) => tf.sub(p, tf.mul(lr, grads[i])));
    return mixedTaskForward(model, stepped, anchors.x, anchors.tasks, headOf);
  });
  const { value, grads: anchorGrads } = parameterGradients(params, () => tf.tidy(() =>
    tf.mul(lambda, tf.mean(tf.squaredDifference(target, mixedTaskForward(model, params, anchors.x, anchors.tasks, headOf)))) as tf.Scalar));
  tf.dispose([value, target]);
  return anchorGrads;
}

/**
 * Hindsight Anchor Learning (Chaudhry et al., AAAI 2021, "Using hindsight to anchor past knowledge
 * in continual learning"), as in Mammoth.
 *
 * Learning: ER on the incoming batch plus a replay draw (a per-task ring memory), plus an anchor
 * term. With g the replay loss's gradient at θ and θ̃ = θ − lr·g the step ER would take, the update
 * follows g + ∇_θ λ·mean((f_θ̃(e) − f_θ(e))²) over the anchors e, from θ. As in Mammoth, θ̃ is held
 * fixed (first order); the paper's bilevel objective differentiates through it.
 *
 * Anchors: at each task end, one per class of the task. The network θ_t is fine-tuned by one SGD
 * step on a memory draw (θ_M, a stand-in for the future's forgetting), and each anchor, started
 * uniform in [0, 1), takes `anchorSteps` SGD steps (at lr) on
 *   −CE(f_θM(e), c) + CE(f_θt(e), c) + γ‖φ_θt(e) − φ_t‖²,
 * so it is an input of class c the fine-tuning forgets most, with features near φ_t, the task's
 * running mean feature (β-decayed over its batches).
 */
export class Hal extends ModelLearner {
  private buffer!: ReplayBuffer;
  private anchors: tf.Tensor | null = null;
  private anchorTasks: number[] = [];
  /** Running mean of the current task's features; null until its first batch. */
  private phi: tf.Tensor | null = null;
  private readonly taskClasses = new Set<number>();

  constructor(private readonly options: HalOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (ctx.stream.kind !== 'classification') throw new ClbenchError(`learner hal: needs class labels, but stream '${ctx.stream.type}' is ${ctx.stream.kind}`);
    if (!ctx.model.features) throw new ClbenchError('learner hal: the model gives no features (FunctionalModel.features) for the anchors’ feature term');
    const memorySize = this.options.memorySize;
    this.buffer = replayBufferFor('hal', ctx, { memorySize, buffer: 'ring-per-task' });
  }

  override beginTask(_task: TaskInfo): void {
    this.taskClasses.clear();
    if (this.phi) this.phi.dispose();
    this.phi = null;
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    for (const label of incoming.y) this.taskClasses.add(label);
    const replayBatch = this.options.replayBatch;
    const draw = this.buffer.size > 0 && replayBatch > 0 ? uploadDraw(this.ctx, this.buffer.sample(replayBatch)) : null;
    const x = draw ? tf.concat([batch.x, draw.x]) : batch.x;
    const y = draw ? tf.concat([batch.y, draw.y]) : batch.y;
    const tasks = draw ? Int32Array.from([...incoming.tasks, ...draw.tasks]) : incoming.tasks;
    const { value, grads } = this.gradients(() => this.mixedTaskLoss(x, y, tasks));
    let total = grads;
    if (this.anchors) {
      const anchorGrads = this.anchorGradients(this.anchors, grads);
      total = grads.map((g, i) => tf.add(g, anchorGrads[i]));
      tf.dispose([...grads, ...anchorGrads]);
    }
    applyGradients(this.optimizer, this.params, total);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...total]);
    if (draw) tf.dispose([x, y]);
    disposeDraw(draw);
    this.updatePhi(batch.x);
    this.buffer.add(incoming);
    return loss;
  }

  private anchorGradients(anchors: tf.Tensor, grads: readonly tf.Tensor[]): tf.Tensor[] {
    const lambda = this.options.lambda;
    return anchorGradients(this.ctx.model, this.params, grads, this.optimizerOptions.lr, { x: anchors, tasks: this.anchorTasks }, (t) => this.headFor(t), lambda);
  }

  /** φ ← β·φ + (1 − β)·mean feature of the batch, at the parameters after the step. */
  private updatePhi(x: tf.Tensor): void {
    const beta = this.options.beta;
    const previous = this.phi;
    this.phi = tf.tidy(() => {
      const mean = tf.mean(this.ctx.model.features!(this.params, x), 0);
      return previous ? tf.add(tf.mul(beta, previous), tf.mul(1 - beta, mean)) : tf.mul(1 - beta, mean);
    });
    previous?.dispose();
  }

  override endTask(task: TaskInfo): void {
    const fresh = this.buildAnchors(task.index);
    if (!fresh) return;
    const previous = this.anchors;
    this.anchors = previous ? tf.concat([previous, fresh]) : tf.clone(fresh);
    tf.dispose([fresh, ...(previous ? [previous] : [])]);
  }

  /** One anchor per class of the finished task (see the class comment), stacked. */
  private buildAnchors(taskIndex: number): tf.Tensor | null {
    if (this.buffer.size === 0 || this.taskClasses.size === 0 || !this.phi) return null;
    const { model, stream, rng, batchSize } = this.ctx;
    const lr = this.optimizerOptions.lr;
    const head = this.headFor(taskIndex);
    const theta = this.params.map((p) => tf.clone(p));
    // θ_M: one SGD step on a memory draw of a batch.
    const draw = uploadDraw(this.ctx, this.buffer.sample(batchSize));
    const { value, grads } = this.gradients(() => this.mixedTaskLoss(draw.x, draw.y, draw.tasks));
    const fineTuned = tf.tidy(() => this.params.map((p, i) => tf.sub(p, tf.mul(lr, grads[i]))));
    tf.dispose([value, ...grads]);
    disposeDraw(draw);
    const gamma = this.options.gamma;
    const phi = this.phi;
    const rowSize = stream.inputShape.reduce((a, b) => a * b, 1);
    const anchors: tf.Tensor[] = [];
    for (const cls of [...this.taskClasses].sort((a, b) => a - b)) {
      const start = Float32Array.from({ length: rowSize }, () => rng.next());
      const anchor = uploadRows({ x: start, y: Int32Array.of(cls), n: 1 }, stream);
      const [e] = toVariables([anchor.x]);
      const label = anchor.y;
      const objective = () => tf.tidy(() => {
        const forgetting = tf.sub(this.lossFn(model.forward(theta, e, head), label), this.lossFn(model.forward(fineTuned, e, head), label));
        const feature = tf.mul(gamma, tf.sum(tf.squaredDifference(model.features!(theta, e), phi)));
        return tf.add(forgetting, feature) as tf.Scalar;
      });
      for (let s = 0; s < this.options.anchorSteps; s++) {
        const { value: v, grads: g } = tf.variableGrads(objective, [e]);
        const next = tf.tidy(() => tf.sub(e, tf.mul(lr, g[e.name])));
        e.assign(next);
        tf.dispose([next, v, ...Object.values(g)]);
      }
      anchors.push(tf.clone(e));
      tf.dispose([e, label]);
      this.anchorTasks.push(taskIndex);
    }
    tf.dispose([...theta, ...fineTuned]);
    const stacked = tf.concat(anchors);
    tf.dispose(anchors);
    return stacked;
  }

  override dispose(): void {
    tf.dispose([...(this.anchors ? [this.anchors] : []), ...(this.phi ? [this.phi] : [])]);
    this.anchors = null;
    this.phi = null;
    super.dispose();
  }
}

export const halEntry: LearnerEntry<HalOptions> = {
  type: 'hal',
  description: 'Hindsight Anchor Learning: ER that keeps the outputs on learned per-class anchors (inputs the future would forget most) still',
  requiresTaskLabels: true,
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.1, batch 128); 100 anchor steps as its
  // code.
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Examples kept: memorySize / T per task, each task’s latest' },
      replayBatch: { type: 'integer', minimum: 0, default: 128, description: 'Replayed examples per step' },
      lambda: { type: 'number', minimum: 0, default: 0.1, description: 'Weight λ of the anchor term' },
      beta: { type: 'number', minimum: 0, maximum: 1, default: 0.2, description: 'Decay β of the running mean feature φ' },
      gamma: { type: 'number', minimum: 0, default: 0.5, description: 'Weight γ of the anchor’s feature term γ‖φ(e) − φ_t‖²' },
      anchorSteps: { type: 'integer', minimum: 0, default: 100, description: 'SGD steps that optimise each anchor' },
    },
    required: ['lr'],
  },
  create: (options) => new Hal(options),
};

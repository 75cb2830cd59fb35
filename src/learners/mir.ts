import * as tf from '../backend/tf.js';
import { ExampleMemory, gatherRows } from './base/example-memory.js';
import { applyGradients } from './base/flat-gradients.js';
import { mixedTaskForward } from './base/mixed-task-loss.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { type ReplayDraw, disposeDraw, uploadDraw } from './base/replay-draw.js';
import { type ReplayOptions, replayBatchOf, replayBufferFor, replaySchema } from './base/replay-options.js';
import { exampleLosses } from '../models/losses.js';
import type { FunctionalModel } from '../models/types.js';
import type { ProblemKind } from '../streams/types.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface MirOptions extends OptimizerOptions, ReplayOptions {
  /** Memory examples drawn as candidates each step, of which the `replayBatch` most interfered are replayed. */
  readonly candidates: number;
}

/**
 * The `k` indices with the largest scores, largest first (ties: the lower index first).
 */
export function mostInterfered(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k);
}

/**
 * MIR's interference score of each candidate row: ℓ(θ − lr·g) − ℓ(θ), its loss after the virtual
 * SGD step on the incoming batch's gradient g minus its loss now (each row through its own task's
 * head).
 */
export function interference(
  model: FunctionalModel, params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number,
  candidates: { x: tf.Tensor; y: tf.Tensor; tasks: ArrayLike<number> }, headOf: (task: number) => number, kind: ProblemKind,
): tf.Tensor1D {
  return tf.tidy(() => {
    const virtual = params.map((p, i) => tf.sub(p, tf.mul(lr, grads[i])));
    const { x, y, tasks } = candidates;
    const before = exampleLosses(mixedTaskForward(model, params, x, tasks, headOf), y, kind);
    const after = exampleLosses(mixedTaskForward(model, virtual, x, tasks, headOf), y, kind);
    return tf.sub(after, before) as tf.Tensor1D;
  });
}

/**
 * Maximally Interfered Retrieval (Aljundi et al., NeurIPS 2019, "Online continual learning with
 * maximally interfered retrieval"), its ER variant. Rather than replaying a uniform draw, each step
 * looks ahead: with g the incoming batch's gradient, the virtual update θ' = θ − lr·g is applied to
 * `candidates` examples drawn from the memory, and the `replayBatch` whose loss it raises most,
 * ℓ(θ') − ℓ(θ), are replayed. The update follows the gradient of CE(batch) + CE(replayed), as in
 * the authors' code (the two gradients are summed). Works without task boundaries.
 */
export class Mir extends ModelLearner {
  private buffer!: ReplayBuffer;
  private replayBatch = 0;

  constructor(private readonly options: MirOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.buffer = replayBufferFor('mir', ctx, this.options);
    this.replayBatch = replayBatchOf(ctx, this.options);
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    const { value, grads } = this.gradients(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    let total = grads;
    if (this.buffer.size > 0 && this.replayBatch > 0) {
      const replayed = this.retrieve(grads);
      const memory = this.gradients(() => this.mixedTaskLoss(replayed.x, replayed.y, replayed.tasks));
      total = grads.map((g, i) => tf.add(g, memory.grads[i]));
      tf.dispose([memory.value, ...memory.grads, ...grads]);
      disposeDraw(replayed);
    }
    applyGradients(this.optimizer, this.params, total);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...total]);
    this.buffer.add(incoming);
    return loss;
  }

  /**
   * The replayed examples: of `candidates` drawn uniformly from the memory, the `replayBatch` whose
   * loss the virtual SGD step θ − lr·g would raise most.
   */
  private retrieve(grads: readonly tf.Tensor[]): ReplayDraw {
    const candidates = this.buffer.sample(this.options.candidates);
    const draw = uploadDraw(this.ctx, candidates);
    const increase = interference(this.ctx.model, this.params, grads, this.optimizerOptions.lr, draw, (task) => this.headFor(task), this.ctx.stream.kind);
    const scores = increase.dataSync();
    increase.dispose();
    disposeDraw(draw);
    return uploadDraw(this.ctx, gatherRows(candidates, mostInterfered(scores, this.replayBatch)));
  }
}

export const mirEntry: LearnerEntry<MirOptions> = {
  type: 'mir',
  description: 'Maximally Interfered Retrieval: replays the memory candidates whose loss a virtual SGD step on the batch would raise most',
  // Defaults: the MIR paper's MNIST settings: 50 candidates, 10 replayed; a 500-example reservoir.
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...replaySchema({ memorySize: 500, replayBatch: 10, buffer: 'reservoir' }),
      candidates: { type: 'integer', minimum: 1, default: 50, description: 'Memory examples scored each step (the most interfered replayBatch of them are replayed)' },
    },
    required: ['lr'],
  },
  create: (options) => new Mir(options),
};

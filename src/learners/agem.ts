import * as tf from '../backend/tf.js';
import { projectAgem } from './base/agem-projection.js';
import { ExampleMemory } from './base/example-memory.js';
import { applyFlatGradient, flatGradient } from './base/flat-gradients.js';
import { MemorySnapshot } from './base/memory-snapshot.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { ReplayBuffer, labelWidthOf } from './base/replay-buffer.js';
import type { Rng } from '../util/rng.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export interface AgemOptions extends OptimizerOptions {
  /** Episodic memory per task: the task's latest examples. */
  readonly memoryPerTask?: number;
  /** Memory examples drawn (uniformly, without replacement) for each step's reference gradient. */
  readonly referenceBatch?: number;
}

const DEFAULTS = { memoryPerTask: 256, referenceBatch: 256 } as const;

/**
 * Averaged GEM (Chaudhry et al. 2019). GEM's one constraint per past task becomes a single one on
 * the average memory loss: the reference gradient g_ref on a random batch of the finished tasks'
 * memories. When g·g_ref < 0 the update is g − (g·g_ref / g_ref·g_ref) g_ref; no QP is solved.
 */
export class Agem extends ModelLearner {
  private buffer!: ReplayBuffer;
  private memory!: MemorySnapshot;
  private sampler!: Rng;

  constructor(private readonly options: AgemOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const { stream } = ctx;
    const perTask = this.options.memoryPerTask ?? DEFAULTS.memoryPerTask;
    this.buffer = new ReplayBuffer(stream.inputShape, labelWidthOf(stream), { policy: 'ring-per-task', perTask, capacity: perTask * stream.numTasks }, ctx.rng.fork('episodic-memory'));
    this.memory = new MemorySnapshot(stream.inputShape, stream.kind === 'classification');
    this.sampler = ctx.rng.fork('reference-batch');
  }

  observe(batch: Batch): number {
    this.buffer.add(ExampleMemory.read(batch));
    if (this.memory.size === 0) return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const size = Math.min(this.options.referenceBatch ?? DEFAULTS.referenceBatch, this.memory.size);
    const rows = this.sampler.sample(this.memory.size, size);
    return tf.tidy(() => {
      const reference = this.memory.gather(rows);
      const { value: refValue, grad: refGrad } = flatGradient(this.params, () => this.mixedTaskLoss(reference.x, reference.y, reference.tasks));
      refValue.dispose();
      const { value, grad } = flatGradient(this.params, () => this.batchLoss(batch.x, batch.y, batch.taskIndex));
      const { gradient } = projectAgem(grad, refGrad);
      applyFlatGradient(this.optimizer, this.params, gradient);
      return value.dataSync()[0];
    });
  }

  /** The finished task's memory joins the pool reference batches are drawn from. */
  override endTask(_task: TaskInfo): void {
    const { examples, ranges } = this.buffer.byTask();
    this.memory.replace(examples, ranges);
  }

  override dispose(): void {
    this.memory?.dispose();
    super.dispose();
  }
}

export const agemEntry: LearnerEntry<AgemOptions> = {
  type: 'agem',
  description: 'Averaged GEM: projects the update only against the gradient on a random batch of the episodic memory',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memoryPerTask: { type: 'integer', minimum: 1, default: DEFAULTS.memoryPerTask, description: 'Episodic memory per task (its latest examples)' },
      referenceBatch: { type: 'integer', minimum: 1, default: DEFAULTS.referenceBatch, description: 'Memory examples per reference gradient' },
    },
    required: ['lr'],
  },
  create: (options) => new Agem(options),
};

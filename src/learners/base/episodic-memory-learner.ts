import * as tf from '../../backend/tf.js';
import type { JsonSchema } from '../../util/registry.js';
import type { Batch, LearnerContext, TaskInfo } from '../types.js';
import { ExampleMemory } from './example-memory.js';
import { applyFlatGradient, flatGradient } from './flat-gradients.js';
import { MemorySnapshot } from './memory-snapshot.js';
import { ModelLearner } from './model-learner.js';
import type { OptimizerOptions } from './optimizer.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface EpisodicMemoryOptions extends OptimizerOptions {
  /** Episodic memory per task: the task's latest examples (a ring buffer, as in the GEM code). */
  readonly memoryPerTask: number;
}

/** The `memoryPerTask` option, for the schemas of learners built on EpisodicMemoryLearner. */
export const episodicMemorySchema: Record<string, JsonSchema> = {
  memoryPerTask: { type: 'integer', minimum: 1, default: 256, description: 'Episodic memory per task (its latest examples)' },
};

/**
 * The shared body of GEM and A-GEM: each task's latest examples kept in a ring buffer, handed to
 * the backend as one snapshot of the finished tasks' memories at every task end, and a training
 * step that edits the batch's gradient against those memories before applying it. A subclass says
 * how the gradient is edited (in its observe()).
 */
export abstract class EpisodicMemoryLearner extends ModelLearner {
  private readonly memoryPerTask: number;
  private buffer!: ReplayBuffer;
  /** The finished tasks' memories; empty during the first task. */
  protected memory!: MemorySnapshot;

  constructor(options: EpisodicMemoryOptions) {
    super(options);
    this.memoryPerTask = options.memoryPerTask;
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const { stream } = ctx;
    const perTask = this.memoryPerTask;
    const policy = { policy: 'ring-per-task', perTask, capacity: perTask * stream.numTasks } as const;
    this.buffer = ReplayBuffer.forStream(stream, policy, ctx.rng.fork('episodic-memory'));
    this.memory = new MemorySnapshot(stream);
  }

  /**
   * Remembers the batch, then takes one step on its loss with the gradient `constrain` returns. The
   * flat gradient g is given to `constrain` inside a tf.tidy, which frees whatever it allocates
   * besides its result. With no finished task yet there is nothing to constrain against: a plain
   * optimizer step. Returns the batch loss before the step.
   */
  protected constrainedStep(batch: Batch, constrain: (g: tf.Tensor1D) => tf.Tensor1D): number {
    this.buffer.add(ExampleMemory.read(batch));
    if (this.memory.size === 0) return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    return tf.tidy(() => {
      const { value, grad } = flatGradient(this.params, () => this.batchLoss(batch.x, batch.y, batch.taskIndex));
      applyFlatGradient(this.optimizer, this.params, constrain(grad));
      return value.dataSync()[0];
    });
  }

  /** The finished task's memory joins the ones the next steps are constrained by. */
  override endTask(_task: TaskInfo): void {
    const { examples, ranges } = this.buffer.byTask();
    this.memory.replace(examples, ranges);
  }

  override dispose(): void {
    this.memory?.dispose();
    super.dispose();
  }
}

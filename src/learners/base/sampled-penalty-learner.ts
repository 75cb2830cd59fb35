import * as tf from '../../backend/tf.js';
import type { Batch, TaskInfo } from '../types.js';
import { ExampleMemory } from './example-memory.js';
import { applyGradients } from './flat-gradients.js';
import { ModelLearner } from './model-learner.js';
import type { OptimizerOptions } from './optimizer.js';
import { QuadraticPenalty } from './quadratic-penalty.js';
import { ReplayBuffer } from './replay-buffer.js';

/**
 * The shared body of EWC and MAS: during each task a uniform sample of its examples is kept (a
 * reservoir); each step descends task loss + scale·Σ Ω (θ − θ*)², the penalty's gradient added in
 * closed form. At the task's end the subclass measures the importance Ω on the sample
 * (`takeSamples`) and anchors `penalty`.
 */
export abstract class SampledPenaltyLearner extends ModelLearner {
  protected readonly penalty = new QuadraticPenalty();
  /** A uniform sample of the current task's examples. */
  private samples: ReplayBuffer | null = null;

  constructor(
    options: OptimizerOptions,
    /** Names the sample's random stream, per task (`<label>-<task index>`). */
    private readonly sampleLabel: string,
  ) {
    super(options);
  }

  /** Examples of each task kept for its importance. */
  protected abstract sampleSize(): number;
  /** The penalty's weight in the loss. */
  protected abstract penaltyScale(): number;

  override beginTask(task: TaskInfo): void {
    const { stream, rng } = this.ctx;
    this.samples = ReplayBuffer.forStream(stream, { policy: 'reservoir', capacity: this.sampleSize() }, rng.fork(`${this.sampleLabel}-${task.index}`));
  }

  /** One step on task loss + scale·penalty. Returns the task loss alone (the penalty is not evaluated). */
  observe(batch: Batch): number {
    const { value, grads } = this.gradients(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const total = this.penalty.addGradient(grads, this.params, this.penaltyScale());
    applyGradients(this.optimizer, this.params, total);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...grads, ...total]);
    this.samples?.add(ExampleMemory.read(batch));
    return loss;
  }

  /** The finished task's sample, handed over once; null when there is none. */
  protected takeSamples(): ReplayBuffer | null {
    const samples = this.samples;
    this.samples = null;
    return samples && samples.size > 0 ? samples : null;
  }

  override dispose(): void {
    this.penalty.dispose();
    super.dispose();
  }
}

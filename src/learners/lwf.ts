import * as tf from '../backend/tf.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry, TaskInfo } from './types.js';

export interface LwfOptions extends OptimizerOptions {
  /** Weight α of the distillation loss (Li & Hoiem's λ_o). */
  readonly alpha: number;
  /** Temperature T of the softened outputs. */
  readonly temperature: number;
}

/**
 * Cross-entropy between the teacher's and the student's outputs softened by temperature T (Li &
 * Hoiem's modified cross-entropy, without Hinton's T² factor), averaged over the batch.
 */
export function distillationLoss(teacherLogits: tf.Tensor, studentLogits: tf.Tensor, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.softmax(tf.div(teacherLogits, temperature));
    const logProbs = tf.logSoftmax(tf.div(studentLogits, temperature));
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), -1))) as tf.Scalar;
  });
}

/**
 * Learning without Forgetting (Li & Hoiem 2016): no stored data. At each new task the current model
 * is frozen as a teacher; while learning the task, the model is also trained to reproduce the
 * teacher's softened outputs on the new inputs: on every old task's head (multi-head streams), or
 * on the shared head's old logits (single-head streams).
 */
export class Lwf extends ModelLearner {
  private teacher: tf.Tensor[] | null = null;
  /** Heads the teacher is distilled on for the current task. */
  private oldHeads: number[] = [];
  private readonly seenTasks: number[] = [];

  constructor(private readonly options: LwfOptions) {
    super(options);
  }

  override beginTask(task: TaskInfo): void {
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = null;
    const previous = this.seenTasks.filter((t) => t !== task.index);
    if (previous.length > 0) {
      this.teacher = this.params.map((p) => tf.clone(p));
      this.oldHeads = this.ctx.stream.heads > 1 ? previous.map((t) => this.headFor(t)) : [0];
    }
    if (!this.seenTasks.includes(task.index)) this.seenTasks.push(task.index);
  }

  observe(batch: Batch): number {
    const alpha = this.options.alpha;
    const temperature = this.options.temperature;
    const teacher = this.teacher;
    return this.step(() =>
      tf.tidy(() => {
        const taskLoss = this.batchLoss(batch.x, batch.y, batch.taskIndex);
        if (!teacher || alpha === 0) return taskLoss;
        const { model } = this.ctx;
        const distill = this.oldHeads.map((head) =>
          distillationLoss(model.forward(teacher, batch.x, head), model.forward(this.params, batch.x, head), temperature),
        );
        return tf.add(taskLoss, tf.mul(alpha, tf.addN(distill))) as tf.Scalar;
      }),
    );
  }

  override dispose(): void {
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = null;
    super.dispose();
  }
}

export const lwfEntry: LearnerEntry<LwfOptions> = {
  type: 'lwf',
  description: 'Learning without Forgetting: distils the previous model’s softened outputs (old heads or logits) while learning each task',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      alpha: { type: 'number', minimum: 0, default: 1, description: 'Weight of the distillation loss' },
      temperature: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'Softmax temperature T' },
    },
    required: ['lr'],
  },
  create: (options) => new Lwf(options),
};

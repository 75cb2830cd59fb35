import * as tf from '../backend/tf.js';
import { ClbenchError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { weightDecayPenalty, weightDecaySchema } from './base/weight-decay.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo, TrainSplit } from './types.js';

export interface LwfOptions extends OptimizerOptions {
  /** Weight α of the distillation loss (Li & Hoiem's λ_o). */
  readonly alpha: number;
  /** Temperature T of the softened outputs. */
  readonly temperature: number;
  /** Train the new task's outputs alone on its data before learning it (Li & Hoiem's warm-up). */
  readonly warmup: boolean;
  /** wd of the wd·Σθ² term added to the loss (Mammoth's wd_reg). */
  readonly weightDecay: number;
}

/** Added to the logits of the classes a loss leaves out: softmax gives them (numerically) zero. */
const LEFT_OUT = -1e9;

/**
 * Logits restricted to some columns: the others pushed to a very low value, so a softmax over the
 * row is the softmax over the kept columns alone and they get no gradient. `keep` is a 0/1 mask
 * per column; null keeps them all.
 */
export function keepColumns(logits: tf.Tensor, keep: Float32Array | null): tf.Tensor {
  if (!keep) return logits;
  return tf.tidy(() => tf.add(logits, tf.mul(tf.sub(1, tf.tensor1d(keep)), LEFT_OUT)));
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

/** Which output columns each part of LwF's loss reads, on a single-head stream with class labels. */
interface ClassColumns {
  /** Classes of the tasks before this one: the distillation's columns. */
  readonly old: Float32Array;
  /** Classes seen so far, this task's included: the task loss's columns. */
  readonly seen: Float32Array;
  /** This task's classes: the warm-up's columns. */
  readonly current: Float32Array;
}

/**
 * Learning without Forgetting (Li & Hoiem 2016): no stored data. At each new task the current model
 * is frozen as a teacher; while learning the task, the model is also trained to reproduce the
 * teacher's softened outputs on the new inputs: on every old task's head (multi-head streams), or
 * on the old classes' outputs of the shared head (single-head streams). As in Li & Hoiem and
 * Mammoth's lwf.py:
 * - warm-up: before a task after the first, its new outputs alone (the new head, or the shared
 *   head's outputs for the task's classes) are trained on its data with the rest frozen, for the
 *   protocol's epochs;
 * - on a single-head stream with class labels, the task loss is a softmax over the classes seen so
 *   far and the distillation one over the old classes (a stream without class labels uses all outputs);
 * - an optional weight decay wd·Σθ² (Mammoth's wd_reg).
 */
export class Lwf extends ModelLearner {
  private teacher: tf.Tensor[] | null = null;
  /** Heads the teacher is distilled on for the current task. */
  private oldHeads: number[] = [];
  private readonly seenTasks: number[] = [];
  /** Classes of the tasks learnt so far; null once a task came without class labels. */
  private seenClasses: Set<number> | null = new Set();
  private columns: ClassColumns | null = null;
  private warmupRng!: Rng;

  constructor(private readonly options: LwfOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.warmupRng = ctx.rng.fork('warmup');
  }

  override beginTask(task: TaskInfo, train: TrainSplit): void {
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = null;
    const previous = this.seenTasks.filter((t) => t !== task.index);
    if (previous.length > 0) {
      this.teacher = this.params.map((p) => tf.clone(p));
      this.oldHeads = this.ctx.stream.heads > 1 ? previous.map((t) => this.headFor(t)) : [0];
    }
    if (!this.seenTasks.includes(task.index)) this.seenTasks.push(task.index);
    this.columns = this.classColumns(task);
    if (this.teacher && this.options.warmup && this.bringsNewOutputs()) this.warmUp(task, train);
  }

  /** Whether the task has outputs of its own: its head, or on a shared head classes not seen before. */
  private bringsNewOutputs(): boolean {
    if (this.ctx.stream.heads > 1) return true;
    const columns = this.columns;
    return columns !== null && columns.current.some((c, i) => c > 0 && columns.old[i] === 0);
  }

  observe(batch: Batch): number {
    const { alpha, temperature, weightDecay } = this.options;
    const teacher = this.teacher;
    const columns = this.columns;
    const { model } = this.ctx;
    return this.step(() =>
      tf.tidy(() => {
        const head = this.headFor(batch.taskIndex);
        let loss = this.lossFn(keepColumns(model.forward(this.params, batch.x, head), columns?.seen ?? null), batch.y);
        if (teacher && alpha > 0) {
          const distill = this.oldHeads.map((h) =>
            distillationLoss(
              keepColumns(model.forward(teacher, batch.x, h), columns?.old ?? null),
              keepColumns(model.forward(this.params, batch.x, h), columns?.old ?? null),
              temperature,
            ),
          );
          loss = tf.add(loss, tf.mul(alpha, tf.addN(distill))) as tf.Scalar;
        }
        if (weightDecay > 0) loss = tf.add(loss, weightDecayPenalty(this.params, weightDecay)) as tf.Scalar;
        return loss;
      }),
    );
  }

  /** The class columns of a single-head stream whose tasks all name their classes; else null (all outputs). */
  private classColumns(task: TaskInfo): ClassColumns | null {
    if (this.ctx.stream.heads > 1 || !this.seenClasses || !task.classes) {
      this.seenClasses = null;
      return null;
    }
    const mask = (classes: Iterable<number>) => {
      const m = new Float32Array(this.ctx.stream.outputSize);
      for (const c of classes) m[c] = 1;
      return m;
    };
    const old = mask(this.seenClasses);
    for (const c of task.classes) this.seenClasses.add(c);
    return { old, seen: mask(this.seenClasses), current: mask(task.classes) };
  }

  /**
   * Li & Hoiem's warm-up, as Mammoth's begin_task runs it: plain SGD at the learning rate on the
   * task's head alone (the trunk and the other heads frozen), softmax over the task's own outputs,
   * for the protocol's epochs over its training split in a random order.
   */
  private warmUp(task: TaskInfo, train: TrainSplit): void {
    const { model, batchSize, epochs } = this.ctx;
    const head = this.headFor(task.index);
    const headParams = this.params.filter((_, i) => model.params[i].head === head);
    if (headParams.length === 0) {
      throw new ClbenchError(`learner lwf: warmup trains the task's head alone, but model parameters name no head ${head} (ParamSpec.head); set warmup: false`);
    }
    const keep = this.columns?.current ?? null;
    const sgd = tf.train.sgd(this.options.lr);
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = this.warmupRng.permutation(train.size);
        for (let start = 0; start < train.size; start += batchSize) {
          tf.tidy(() => {
            const idx = tf.tensor1d(order.subarray(start, Math.min(start + batchSize, train.size)), 'int32');
            const [x, y] = [tf.gather(train.x, idx), tf.gather(train.y, idx)];
            sgd.minimize(() => this.lossFn(keepColumns(model.forward(this.params, x, head), keep), y), false, headParams);
          });
        }
      }
    } finally {
      sgd.dispose();
    }
  }

  override dispose(): void {
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = null;
    super.dispose();
  }
}

export const lwfEntry: LearnerEntry<LwfOptions> = {
  type: 'lwf',
  description: 'Learning without Forgetting: warm-up of the new outputs, then distillation of the previous model’s softened outputs (old heads or old classes) while learning each task',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      alpha: { type: 'number', minimum: 0, default: 1, description: 'Weight of the distillation loss' },
      temperature: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'Softmax temperature T' },
      warmup: { type: 'boolean', default: true, description: 'Train the new task’s outputs alone on its data first (Li & Hoiem’s warm-up)' },
      weightDecay: weightDecaySchema,
    },
    required: ['lr'],
  },
  create: (options) => new Lwf(options),
};

import * as tf from '../backend/tf.js';
import { uploadRows } from '../streams/upload.js';
import { ExampleMemory } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry, TaskInfo } from './types.js';

export interface JointOptions extends OptimizerOptions {
  /** Passes over all data seen so far at each task end. */
  readonly epochs: number;
  /** Retrain from a fresh initialisation at each task end (the i.i.d. upper bound). */
  readonly restart: boolean;
  /**
   * Incremental joint training (the stability-gap papers' setting): no retraining at task ends;
   * every step trains on the incoming batch together with as many examples per earlier task,
   * drawn uniformly from all earlier tasks' data, so each batch looks like a draw from the union.
   */
  readonly incremental: boolean;
}

/**
 * The i.i.d. upper bound: keeps every example seen, and at each task end trains on the shuffled
 * union of all tasks so far, as if the data had never arrived as a stream.
 */
export class Joint extends ModelLearner {
  private memory!: ExampleMemory;
  /** Examples of the earlier tasks: the memory's first `earlier` slots. */
  private earlier = 0;
  private earlierTasks = 0;

  constructor(private readonly options: JointOptions) {
    super(options);
  }

  override setup(ctx: Parameters<ModelLearner['setup']>[0]): void {
    super.setup(ctx);
    const labelWidth = ctx.stream.kind === 'classification' ? 1 : ctx.stream.outputSize;
    this.memory = new ExampleMemory(ctx.stream.inputShape, labelWidth, 1024);
  }

  override beginTask(task: TaskInfo): void {
    this.earlier = this.memory.size;
    this.earlierTasks = task.index;
  }

  observe(batch: Batch): number | void {
    const examples = ExampleMemory.read(batch);
    const loss = this.options.incremental ? this.unionStep(batch, examples.tasks) : undefined;
    for (let i = 0; i < examples.n; i++) this.memory.append(examples, i);
    return loss;
  }

  /** One step on the incoming batch plus batch.size examples per earlier task, drawn with replacement from their data. */
  private unionStep(batch: Batch, incomingTasks: Int32Array): number {
    const draws = this.earlier === 0 ? 0 : batch.size * this.earlierTasks;
    if (draws === 0) return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const { stream, rng } = this.ctx;
    const drawn = this.memory.gather(Int32Array.from({ length: draws }, () => rng.int(this.earlier)));
    const old = uploadRows(drawn, stream);
    const x = tf.concat([batch.x, old.x]);
    const y = tf.concat([batch.y, old.y]);
    const loss = this.step(() => this.mixedTaskLoss(x, y, Int32Array.from([...incomingTasks, ...drawn.tasks])));
    tf.dispose([x, y, old.x, old.y]);
    return loss;
  }

  override endTask(_task: TaskInfo): void {
    if (this.options.incremental) return;
    if (this.options.restart) this.resetParameters();
    const { batchSize, stream, rng } = this.ctx;
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      const order = rng.permutation(this.memory.size);
      for (let start = 0; start < order.length; start += batchSize) {
        const examples = this.memory.gather(order.subarray(start, start + batchSize));
        const { x, y } = uploadRows(examples, stream);
        this.step(() => this.mixedTaskLoss(x, y, examples.tasks));
        tf.dispose([x, y]);
      }
    }
  }
}

export const jointEntry: LearnerEntry<JointOptions> = {
  type: 'joint',
  description: 'Trains i.i.d. on all data seen so far at every task end: the upper bound (incremental: at every step, on the new batch plus draws from every earlier task)',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      epochs: { type: 'integer', minimum: 1, default: 1, description: 'Passes over the data seen so far' },
      restart: { type: 'boolean', default: true, description: 'Retrain from scratch at each task end' },
      incremental: {
        type: 'boolean', default: false,
        description: 'Incremental joint training: each step trains on the incoming batch plus as many examples per earlier task (drawn from all their data); no retraining at task ends',
      },
    },
    required: ['lr'],
  },
  create: (options) => new Joint(options),
};

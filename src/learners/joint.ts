import * as tf from '../backend/tf.js';
import { ExampleMemory, toTensors } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry, TaskInfo } from './types.js';

export interface JointOptions extends OptimizerOptions {
  /** Passes over all data seen so far at each task end. */
  readonly epochs?: number;
  /** Retrain from a fresh initialisation at each task end (the i.i.d. upper bound). */
  readonly restart?: boolean;
}

/**
 * The i.i.d. upper bound: keeps every example seen, and at each task end trains on the shuffled
 * union of all tasks so far, as if the data had never arrived as a stream.
 */
export class Joint extends ModelLearner {
  private memory!: ExampleMemory;

  constructor(private readonly options: JointOptions) {
    super(options);
  }

  override setup(ctx: Parameters<ModelLearner['setup']>[0]): void {
    super.setup(ctx);
    const labelWidth = ctx.stream.kind === 'classification' ? 1 : ctx.stream.outputSize;
    this.memory = new ExampleMemory(ctx.stream.inputShape, labelWidth, 1024);
  }

  observe(batch: Batch): void {
    const examples = ExampleMemory.read(batch);
    for (let i = 0; i < examples.n; i++) this.memory.append(examples, i);
  }

  override endTask(_task: TaskInfo): void {
    if (this.options.restart ?? true) this.resetParameters();
    const { batchSize, stream, rng } = this.ctx;
    for (let epoch = 0; epoch < (this.options.epochs ?? 1); epoch++) {
      const order = rng.permutation(this.memory.size);
      for (let start = 0; start < order.length; start += batchSize) {
        const examples = this.memory.gather(order.subarray(start, start + batchSize));
        const { x, y } = toTensors(examples, stream.inputShape, stream.kind === 'classification');
        this.step(() => this.mixedTaskLoss(x, y, examples.tasks));
        tf.dispose([x, y]);
      }
    }
  }
}

export const jointEntry: LearnerEntry<JointOptions> = {
  type: 'joint',
  description: 'Trains i.i.d. on all data seen so far at every task end: the upper bound',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      epochs: { type: 'integer', minimum: 1, default: 1, description: 'Passes over the data seen so far' },
      restart: { type: 'boolean', default: true, description: 'Retrain from scratch at each task end' },
    },
    required: ['lr'],
  },
  create: (options) => new Joint(options),
};

import * as tf from '../backend/tf.js';
import { uploadRows } from '../streams/upload.js';
import { ClbenchError } from '../util/errors.js';
import { ExampleMemory } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { replayBufferFor } from './base/replay-options.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export interface GdumbOptions {
  /** Total examples kept. */
  readonly memorySize: number;
  /** Passes over the memory each time the model is refitted. */
  readonly epochs: number;
  /** Peak learning rate of the refit's schedule. */
  readonly maxLr: number;
  /** Floor of the cosine schedule. */
  readonly minLr: number;
  /** Examples per refit step (default: the protocol batch size). */
  readonly batchSize?: number;
}

/**
 * The refit's learning rate at `epoch` (from 0), as Mammoth's GDumb: one warm-up epoch at maxLr/10,
 * then SGDR (cosine annealing with warm restarts, T_0 = 1 epoch, T_mult = 2) from maxLr down to minLr,
 * the scheduler stepping once per epoch from the third epoch on.
 */
export function gdumbLearningRate(epoch: number, maxLr: number, minLr: number): number {
  if (epoch === 0) return maxLr / 10;
  // SGDR after `epoch - 1` scheduler steps: cycles of 1, 2, 4, ... epochs.
  const steps = epoch - 1;
  const cycle = Math.floor(Math.log2(steps + 1));
  const cycleStart = 2 ** cycle - 1;
  const cycleLength = 2 ** cycle;
  return minLr + ((maxLr - minLr) * (1 + Math.cos((Math.PI * (steps - cycleStart)) / cycleLength))) / 2;
}

/**
 * GDumb (Prabhu, Torr & Dokania, ECCV 2020, "GDumb: a simple approach that questions our progress
 * in continual learning"). Learning from the stream is only storing: a greedy class-balanced
 * sampler keeps the memory as balanced over the classes seen as it can. Before each evaluation
 * (every task end) a model is trained from scratch on the memory alone, with SGD under Mammoth's
 * schedule (gdumbLearningRate). The authors' CutMix augmentation is left out.
 */
export class Gdumb extends ModelLearner {
  private buffer!: ReplayBuffer;

  constructor(private readonly options: GdumbOptions) {
    super({ lr: options.maxLr, optimizer: 'sgd' });
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (ctx.stream.kind !== 'classification') throw new ClbenchError(`learner gdumb: needs class labels, but stream '${ctx.stream.type}' is ${ctx.stream.kind}`);
    const memorySize = this.options.memorySize;
    this.buffer = replayBufferFor('gdumb', ctx, { memorySize, buffer: 'greedy-class-balanced' });
  }

  observe(batch: Batch): void {
    this.buffer.add(ExampleMemory.read(batch));
  }

  /** The memory's model: fresh parameters trained on the memory only. */
  override endTask(_task: TaskInfo): void {
    this.resetParameters();
    const { stream, rng } = this.ctx;
    const maxLr = this.options.maxLr;
    const minLr = this.options.minLr;
    const batchSize = this.options.batchSize ?? this.ctx.batchSize;
    const sgd = this.optimizer as tf.SGDOptimizer;
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      sgd.setLearningRate(gdumbLearningRate(epoch, maxLr, minLr));
      const order = rng.permutation(this.buffer.size);
      for (let start = 0; start < order.length; start += batchSize) {
        const examples = this.buffer.gather(order.subarray(start, start + batchSize));
        const { x, y } = uploadRows(examples, stream);
        this.step(() => this.mixedTaskLoss(x, y, examples.tasks));
        tf.dispose([x, y]);
      }
    }
  }
}

export const gdumbEntry: LearnerEntry<GdumbOptions> = {
  type: 'gdumb',
  description: 'GDumb: a greedy class-balanced memory, and a model trained from scratch on it before each evaluation',
  requiresTaskLabels: true,
  // Defaults: Mammoth's (its seq-mnist runs use buffer 500).
  options: {
    type: 'object',
    properties: {
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Examples kept in memory' },
      epochs: { type: 'integer', minimum: 1, default: 256, description: 'Passes over the memory at each refit' },
      maxLr: { type: 'number', exclusiveMinimum: 0, default: 0.05, description: 'Peak learning rate of the refit (warm-up epoch at maxLr/10, then SGDR)' },
      minLr: { type: 'number', minimum: 0, default: 0.0005, description: 'Floor of the cosine schedule' },
      batchSize: { type: 'integer', minimum: 1, description: 'Examples per refit step (default: the protocol batch size)' },
    },
  },
  create: (options) => new Gdumb(options),
};

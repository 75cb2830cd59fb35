import * as tf from '../backend/tf.js';
import { ExampleMemory } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { disposeDraw, uploadDraw } from './base/replay-draw.js';
import { type ReplayOptions, replayBatchOf, replayBufferFor, replaySchema } from './base/replay-options.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface ErOptions extends OptimizerOptions, ReplayOptions {}

/**
 * Experience Replay (Chaudhry et al. 2019, "tiny episodic memories"; Riemer et al.'s ER): every
 * step trains on the incoming batch together with `replayBatch` examples drawn uniformly from the
 * memory, then offers the incoming examples to the memory. Works without task boundaries when the
 * buffer is a reservoir.
 */
export class Er extends ModelLearner {
  private buffer!: ReplayBuffer;
  private replayBatch = 0;

  constructor(private readonly options: ErOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.buffer = replayBufferFor('er', ctx, this.options);
    this.replayBatch = replayBatchOf(ctx, this.options);
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    let loss: number;
    if (this.buffer.size === 0 || this.replayBatch === 0) {
      loss = this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    } else {
      const draw = uploadDraw(this.ctx, this.buffer.sample(this.replayBatch));
      const x = tf.concat([batch.x, draw.x]);
      const y = tf.concat([batch.y, draw.y]);
      const tasks = Int32Array.from([...incoming.tasks, ...draw.tasks]);
      loss = this.step(() => this.mixedTaskLoss(x, y, tasks));
      tf.dispose([x, y]);
      disposeDraw(draw);
    }
    this.buffer.add(incoming);
    return loss;
  }
}

export const erEntry: LearnerEntry<ErOptions> = {
  type: 'er',
  description: 'Experience replay: each batch is trained together with examples drawn from a fixed-size memory (reservoir by default)',
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...replaySchema({ memorySize: 1000, buffer: 'reservoir' }),
    },
    required: ['lr'],
  },
  create: (options) => new Er(options),
};

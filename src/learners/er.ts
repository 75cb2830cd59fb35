import * as tf from '../backend/tf.js';
import { ClbenchError } from '../util/errors.js';
import { ExampleMemory, toTensors } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { type BufferPolicy, ReplayBuffer, bufferPolicies, labelWidthOf } from './base/replay-buffer.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface ErOptions extends OptimizerOptions {
  /** Total examples kept. */
  readonly memorySize?: number;
  /** Replayed examples added to each incoming batch (default: the protocol's batch size). */
  readonly replayBatch?: number;
  /** Which examples a full memory keeps. */
  readonly buffer?: BufferPolicy;
}

const DEFAULTS = { memorySize: 1000, buffer: 'reservoir' } as const;

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
    const { stream } = ctx;
    const policy = this.options.buffer ?? DEFAULTS.buffer;
    const capacity = this.options.memorySize ?? DEFAULTS.memorySize;
    let perTask: number | undefined;
    if (policy === 'ring-per-task') {
      if (ctx.taskFree) throw new ClbenchError("learner er: buffer 'ring-per-task' needs task ids, but protocol.taskFree is true");
      perTask = Math.floor(capacity / stream.numTasks);
      if (perTask < 1) throw new ClbenchError(`learner er: memorySize ${capacity} leaves no slot per task over ${stream.numTasks} tasks (buffer 'ring-per-task')`);
    }
    if (policy === 'class-balanced' && stream.kind !== 'classification') {
      throw new ClbenchError(`learner er: buffer 'class-balanced' needs class labels, but stream '${stream.type}' is ${stream.kind}`);
    }
    // Relabelled tasks on multi-head streams reuse the ids 0..C-1: a class is then (task, label).
    const classOf = stream.heads > 1 ? (label: number, task: number) => task * stream.outputSize + label : undefined;
    this.buffer = new ReplayBuffer(stream.inputShape, labelWidthOf(stream), { policy, capacity, perTask, classOf }, ctx.rng.fork('replay-buffer'));
    this.replayBatch = this.options.replayBatch ?? ctx.batchSize;
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    let loss: number;
    if (this.buffer.size === 0 || this.replayBatch === 0) {
      loss = this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    } else {
      const replay = this.buffer.sample(this.replayBatch);
      const { stream } = this.ctx;
      const replayed = toTensors(replay, stream.inputShape, stream.kind === 'classification');
      const x = tf.concat([batch.x, replayed.x]);
      const y = tf.concat([batch.y, replayed.y]);
      const tasks = Int32Array.from([...incoming.tasks, ...replay.tasks]);
      loss = this.step(() => this.mixedTaskLoss(x, y, tasks));
      tf.dispose([x, y, replayed.x, replayed.y]);
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
      memorySize: { type: 'integer', minimum: 1, default: DEFAULTS.memorySize, description: 'Examples kept in memory' },
      replayBatch: { type: 'integer', minimum: 0, description: 'Replayed examples per step (default: the protocol batch size)' },
      buffer: {
        enum: [...bufferPolicies], default: DEFAULTS.buffer,
        description: 'reservoir (uniform over the stream), ring-per-task (latest memorySize/T of each task) or class-balanced (CBRS)',
      },
    },
    required: ['lr'],
  },
  create: (options) => new Er(options),
};

import { ClbenchError } from '../../util/errors.js';
import type { JsonSchema } from '../../util/registry.js';
import type { LearnerContext } from '../types.js';
import type { FieldWidths } from './example-memory.js';
import { type BufferPolicy, ReplayBuffer, bufferPolicies } from './replay-buffer.js';

/** The memory options every replay learner shares (ER, DER, DER++, ER-ACE, MIR, ...), with the schema's defaults filled in. */
export interface ReplayOptions {
  /** Total examples kept. */
  readonly memorySize: number;
  /** Replayed examples per step; absent: the protocol's batch size. */
  readonly replayBatch?: number;
  /** Which examples a full memory keeps. */
  readonly buffer: BufferPolicy;
}

/** A learner's defaults for the shared options, stated in its schema; replayBatch undefined = the protocol's batch size. */
export type ReplayDefaults = ReplayOptions;

/** JSON schemas of the shared replay options, with the learner's defaults. */
export function replaySchema(defaults: ReplayDefaults): Record<string, JsonSchema> {
  return {
    memorySize: { type: 'integer', minimum: 1, default: defaults.memorySize, description: 'Examples kept in memory' },
    replayBatch: defaults.replayBatch === undefined
      ? { type: 'integer', minimum: 0, description: 'Replayed examples per step (default: the protocol batch size)' }
      : { type: 'integer', minimum: 0, default: defaults.replayBatch, description: 'Replayed examples per step' },
    buffer: {
      enum: [...bufferPolicies], default: defaults.buffer,
      description: 'reservoir (uniform over the stream), ring-per-task (latest memorySize/T of each task), class-balanced (CBRS) or greedy-class-balanced (GDumb)',
    },
  };
}

/**
 * The replay buffer a learner's options ask for, checked against the stream: `ring-per-task`
 * needs task ids and room for every task, the class-balanced policies need class labels. On
 * multi-head streams a class is (task, label), since relabelled tasks reuse the ids 0..C-1.
 */
export function replayBufferFor(learner: string, ctx: LearnerContext, options: ReplayOptions, fields?: FieldWidths): ReplayBuffer {
  const { stream } = ctx;
  const policy = options.buffer;
  const capacity = options.memorySize;
  let perTask: number | undefined;
  if (policy === 'ring-per-task') {
    if (ctx.taskFree) throw new ClbenchError(`learner ${learner}: buffer 'ring-per-task' needs task ids, but protocol.taskFree is true`);
    perTask = Math.floor(capacity / stream.numTasks);
    if (perTask < 1) throw new ClbenchError(`learner ${learner}: memorySize ${capacity} leaves no slot per task over ${stream.numTasks} tasks (buffer 'ring-per-task')`);
  }
  if ((policy === 'class-balanced' || policy === 'greedy-class-balanced') && stream.kind !== 'classification') {
    throw new ClbenchError(`learner ${learner}: buffer '${policy}' needs class labels, but stream '${stream.type}' is ${stream.kind}`);
  }
  const classOf = stream.heads > 1 ? (label: number, task: number) => task * stream.outputSize + label : undefined;
  return ReplayBuffer.forStream(stream, { policy, capacity, perTask, classOf, fields }, ctx.rng.fork('replay-buffer'));
}

/** Replayed examples per step: the option (or the learner's schema default), else the protocol's batch size. */
export function replayBatchOf(ctx: LearnerContext, options: ReplayOptions): number {
  return options.replayBatch ?? ctx.batchSize;
}

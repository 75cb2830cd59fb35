import * as tf from '../backend/tf.js';
import { ClbenchError } from '../util/errors.js';
import { ExampleMemory } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { disposeDraw, uploadDraw } from './base/replay-draw.js';
import { type ReplayOptions, replayBatchOf, replayBufferFor, replaySchema } from './base/replay-options.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export type ErAceOptions = OptimizerOptions & ReplayOptions;

/** Large negative logit standing for "masked out": exp() of it vanishes next to any real logit. */
const MASKED = -1e9;

/**
 * The columns the incoming batch's loss is taken over (Caccia et al. 2022): the classes present in
 * the batch and, as the reference code does, the columns from the largest class seen so far up
 * (the classes not seen yet), except once the last class has been seen (Mammoth's condition).
 * Returns a 0/1 row of `numClasses` values.
 */
export function aceMask(present: Iterable<number>, maxSeen: number, numClasses: number): Float32Array {
  const mask = new Float32Array(numClasses);
  for (const c of present) mask[c] = 1;
  if (maxSeen < numClasses - 1) for (let c = Math.max(0, maxSeen); c < numClasses; c++) mask[c] = 1;
  return mask;
}

/**
 * Cross-entropy over the unmasked columns only: the masked logits are replaced by a large negative
 * number, so they take no probability mass and get no gradient.
 */
export function maskedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, mask: Float32Array, lossFn: (l: tf.Tensor, y: tf.Tensor) => tf.Scalar): tf.Scalar {
  return tf.tidy(() => {
    const keep = tf.greater(tf.tensor1d(mask), 0);
    return lossFn(tf.where(tf.broadcastTo(keep, logits.shape), logits, tf.fill(logits.shape, MASKED)), labels);
  });
}

/**
 * ER with the asymmetric cross-entropy (ER-ACE; Caccia et al., ICLR 2022, "New insights on reducing
 * abrupt representation change in online continual learning"). Once replay starts, the incoming
 * batch's cross-entropy is taken only over the classes present in it (and the unseen ones), so new
 * classes do not push the old classes' logits down; the replayed examples get the usual
 * cross-entropy over all classes. The step minimises CE_masked(f(x), y) + CE(f(x'), y').
 *
 * As Mammoth's and the authors' code, the mask and the replay start at the second task (without
 * task boundaries: once the memory holds examples). On multi-head streams every head already holds
 * only its own task's classes, so the incoming loss is the plain cross-entropy on its head.
 */
export class ErAce extends ModelLearner {
  private buffer!: ReplayBuffer;
  private replayBatch = 0;
  private readonly seenClasses = new Set<number>();
  private tasksFinished = 0;

  constructor(private readonly options: ErAceOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (ctx.stream.kind !== 'classification') throw new ClbenchError(`learner er-ace: needs class labels, but stream '${ctx.stream.type}' is ${ctx.stream.kind}`);
    this.buffer = replayBufferFor('er-ace', ctx, this.options);
    this.replayBatch = replayBatchOf(ctx, this.options);
  }

  override endTask(_task: TaskInfo): void {
    this.tasksFinished++;
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    const present = new Set(Array.from(incoming.y, (label) => Math.round(label)));
    for (const c of present) this.seenClasses.add(c);
    const replaying = (this.ctx.taskFree ? this.buffer.size > 0 : this.tasksFinished > 0) && this.replayBatch > 0;
    const draw = replaying ? uploadDraw(this.ctx, this.buffer.sample(this.replayBatch)) : null;
    const { outputSize, heads } = this.ctx.stream;
    const mask = replaying && heads === 1 ? aceMask(present, Math.max(...this.seenClasses), outputSize) : null;
    const loss = this.step(() => tf.tidy(() => {
      const logits = this.ctx.model.forward(this.params, batch.x, this.headFor(batch.taskIndex));
      const current = mask ? maskedCrossEntropy(logits, batch.y, mask, this.lossFn) : this.lossFn(logits, batch.y);
      if (!draw) return current;
      return tf.add(current, this.mixedTaskLoss(draw.x, draw.y, draw.tasks)) as tf.Scalar;
    }));
    disposeDraw(draw);
    this.buffer.add(incoming);
    return loss;
  }
}

export const erAceEntry: LearnerEntry<ErAceOptions> = {
  type: 'er-ace',
  description: 'ER with the asymmetric cross-entropy: the incoming batch’s loss only over the classes present in it, replay over all',
  // Defaults: Mammoth's ER-ACE uses ER's settings; seq-mnist buffer 500: lr 0.1, 10 replayed examples.
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...replaySchema({ memorySize: 500, replayBatch: 10, buffer: 'reservoir' }),
    },
    required: ['lr'],
  },
  create: (options) => new ErAce(options),
};

import * as tf from '../backend/tf.js';
import { ExampleMemory, type StoredExamples, gatherRows, withFields } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { ReplayBuffer } from './base/replay-buffer.js';
import { type ReplayDraw, disposeDraw, uploadDraw } from './base/replay-draw.js';
import { mixedTaskForward } from './base/mixed-task-loss.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export interface FdrOptions extends OptimizerOptions {
  /** Total examples kept, shared equally by the tasks seen. */
  readonly memorySize: number;
  /** Stored examples per function-distance step. */
  readonly replayBatch: number;
  /** Weight of the function distance (Mammoth's code at the DER table's commit applies none: 1). */
  readonly alpha: number;
}

/**
 * The function distance FDR regularises: the mean over rows of ‖softmax(f(x)) − softmax(z)‖₂,
 * between the network's outputs now and those stored at the end of the example's task.
 */
export function functionDistance(outputs: tf.Tensor, stored: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.norm(tf.sub(tf.softmax(outputs), tf.softmax(stored)), 2, 1)) as tf.Scalar);
}

/**
 * Function Distance Regularization (Benjamin, Rolnick & Kording, ICLR 2019, "Measuring and
 * regularizing networks in function space"), as in Mammoth. At each task end, memorySize / T random
 * examples of each task seen are kept with the network's outputs at that moment (older tasks keep
 * their first examples). Each incoming batch takes one step on its cross-entropy, then, once there is
 * a memory, a second step on α·‖softmax(f(x′)) − softmax(z′)‖₂ over a draw: the function is held
 * where it was on the old tasks, measured in output space rather than parameter space.
 */
export class Fdr extends ModelLearner {
  private memory!: ReplayBuffer;
  /** A uniform sample of the current task's examples, to store at its end. */
  private taskSamples: ReplayBuffer | null = null;
  private tasksSeen = 0;

  constructor(private readonly options: FdrOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const capacity = this.options.memorySize;
    this.memory = ReplayBuffer.forStream(ctx.stream, { policy: 'reservoir', capacity, fields: { logits: ctx.stream.outputSize } }, ctx.rng.fork('memory'));
  }

  override beginTask(task: TaskInfo): void {
    const { stream, rng } = this.ctx;
    const capacity = this.options.memorySize;
    this.taskSamples = ReplayBuffer.forStream(stream, { policy: 'reservoir', capacity }, rng.fork(`task-samples-${task.index}`));
  }

  observe(batch: Batch): number {
    const loss = this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const replayBatch = this.options.replayBatch;
    if (this.memory.size > 0 && replayBatch > 0) {
      const draw = uploadDraw(this.ctx, this.memory.sample(replayBatch), ['logits']);
      const alpha = this.options.alpha;
      this.step(() => tf.tidy(() => tf.mul(alpha, functionDistance(this.outputsOf(draw), draw.fields.logits)) as tf.Scalar));
      disposeDraw(draw);
    }
    this.taskSamples?.add(ExampleMemory.read(batch));
    return loss;
  }

  /** Every task seen keeps memorySize / T examples: the old ones their first, the new one a random sample. */
  override endTask(task: TaskInfo): void {
    const samples = this.taskSamples;
    this.taskSamples = null;
    this.tasksSeen++;
    const perTask = Math.floor(this.memory.capacity / this.tasksSeen);
    const kept = this.memory.all();
    this.memory.clear();
    const tasks = [...new Set(kept.tasks)].sort((a, b) => a - b);
    for (const t of tasks) {
      const rows = Array.from({ length: kept.n }, (_, i) => i).filter((i) => kept.tasks[i] === t);
      this.memory.add(gatherRows(kept, rows.slice(0, perTask)));
    }
    if (!samples || samples.size === 0) return;
    const fresh = samples.gather(Int32Array.from({ length: Math.min(perTask, samples.size) }, (_, i) => i));
    const withTask: StoredExamples = { ...fresh, tasks: new Int32Array(fresh.n).fill(task.index) };
    this.memory.add(withFields(withTask, { logits: this.outputsNow(withTask) }));
  }

  /** The network's outputs on a draw, each row through its own task's head. */
  private outputsOf(draw: ReplayDraw): tf.Tensor {
    return mixedTaskForward(this.ctx.model, this.params, draw.x, draw.tasks, (t) => this.headFor(t));
  }

  private outputsNow(examples: StoredExamples): Float32Array {
    const draw = uploadDraw(this.ctx, examples);
    const out = this.outputsOf(draw);
    const values = Float32Array.from(out.dataSync());
    tf.dispose(out);
    disposeDraw(draw);
    return values;
  }
}

export const fdrEntry: LearnerEntry<FdrOptions> = {
  type: 'fdr',
  description: 'Function Distance Regularization: holds the softmax outputs stored at each task end, in a separate step per batch',
  requiresTaskLabels: true,
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.1, batch 128, 128 replayed).
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Examples kept, shared equally by the tasks seen' },
      replayBatch: { type: 'integer', minimum: 0, default: 128, description: 'Stored examples per function-distance step' },
      alpha: { type: 'number', minimum: 0, default: 1, description: 'Weight of the function distance (Mammoth’s code applies none: 1)' },
    },
    required: ['lr'],
  },
  create: (options) => new Fdr(options),
};

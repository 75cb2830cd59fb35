import * as tf from '../backend/tf.js';
import { ExampleMemory, withFields } from './base/example-memory.js';
import { meanSquaredError } from '../models/losses.js';
import { mixedTaskForward } from './base/mixed-task-loss.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import type { ReplayBuffer } from './base/replay-buffer.js';
import { type ReplayDraw, disposeDraw, uploadDraw } from './base/replay-draw.js';
import { type ReplayOptions, replayBatchOf, replayBufferFor, replaySchema } from './base/replay-options.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface DerOptions extends OptimizerOptions, ReplayOptions {
  /** Weight α of the logit-matching term α·MSE(f(x'), z'). */
  readonly alpha: number;
}

/**
 * Dark Experience Replay (Buzzega et al., NeurIPS 2020). Every example entering the memory keeps
 * the logits z the network gave it at that moment. Each step minimises
 *
 *   CE(f(x), y) + α·MSE(f(x'), z')
 *
 * on the incoming batch (x, y) and a draw (x', z') from the memory: matching the stored logits
 * keeps the old function, dark knowledge included, rather than only the old labels. Then the
 * incoming examples are offered to the memory (a reservoir) with the logits of this step's
 * forward pass, taken before the update. Works without task boundaries.
 */
export class Der extends ModelLearner {
  protected buffer!: ReplayBuffer;
  protected replayBatch = 0;

  constructor(protected readonly options: DerOptions, private readonly type = 'der') {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.buffer = replayBufferFor(this.type, ctx, this.options, { logits: ctx.stream.outputSize });
    this.replayBatch = replayBatchOf(ctx, this.options);
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    const draws = this.buffer.size > 0 && this.replayBatch > 0 ? this.drawReplay() : [];
    // One forward pass over the batch and the draws where rows do not interact (an MLP, one head;
    // not a batch-norm Conv-4): their rows, joined before the taped step, so the first layer
    // knows its input needs no gradient.
    const oneForward = draws.length > 0 && this.ctx.stream.heads === 1 && this.ctx.model.structure?.kind === 'mlp';
    const joined = oneForward ? tf.concat([batch.x, ...draws.map((d) => d.x)]) : undefined;
    const { loss, outputs } = this.stepWithOutputs(() => {
      const [logits, ...drawOutputs] = this.forwardAll(batch, draws, joined);
      const current = this.lossFn(logits, batch.y);
      const total = draws.length > 0 ? tf.add(current, this.replayLoss(draws, drawOutputs)) as tf.Scalar : current;
      return { loss: total, outputs: { logits } };
    });
    const logits = Float32Array.from(outputs.logits.dataSync());
    tf.dispose([outputs.logits, ...(joined ? [joined] : [])]);
    draws.forEach(disposeDraw);
    this.buffer.add(withFields(incoming, { logits }));
    return loss;
  }

  /** The memory draws one step replays: DER needs one, with its stored logits. */
  protected drawReplay(): ReplayDraw[] {
    return [uploadDraw(this.ctx, this.buffer.sample(this.replayBatch), ['logits'])];
  }

  /** α·MSE between the network's outputs on the draw (`outputs[0]`) and the logits stored with it. */
  protected replayLoss(draws: readonly ReplayDraw[], outputs: readonly tf.Tensor[]): tf.Scalar {
    const [draw] = draws;
    const alpha = this.options.alpha;
    return tf.mul(alpha, meanSquaredError(outputs[0], draw.fields.logits));
  }

  /**
   * The network's outputs on the incoming batch, then on each draw. Given `joined` (the batch's and
   * the draws' rows), one forward pass over them, split back: each row's outputs are those of
   * separate passes (the MLP acts row by row), and the step runs one product per layer
   * instead of one per draw. The weight gradients then sum the rows in one product rather than
   * adding per-draw products, which changes the last bits of an update (docs/performance.md,
   * "split-derpp").
   */
  private forwardAll(batch: Batch, draws: readonly ReplayDraw[], joined: tf.Tensor | undefined): tf.Tensor[] {
    if (!joined) {
      return [this.ctx.model.forward(this.params, batch.x, this.headFor(batch.taskIndex)), ...draws.map((d) => this.outputsOf(d))];
    }
    return tf.split(this.ctx.model.forward(this.params, joined, 0), [batch.x.shape[0], ...draws.map((d) => d.n)]);
  }

  /** The network's outputs on replayed rows, each through its own task's head. */
  protected outputsOf(draw: ReplayDraw): tf.Tensor {
    return mixedTaskForward(this.ctx.model, this.params, draw.x, draw.tasks, (task) => this.headFor(task));
  }
}

/** The schema of α, shared with DER++ (whose default differs by buffer setting). */
export function alphaSchema(fallback: number) {
  return { type: 'number', minimum: 0, default: fallback, description: 'Weight α of the logit-matching term α·MSE(f(x′), z′)' };
}

export const derEntry: LearnerEntry<DerOptions> = {
  type: 'der',
  description: 'Dark Experience Replay: replays stored examples matching the logits they had when stored (α·MSE)',
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.03).
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...replaySchema({ memorySize: 500, replayBatch: 128, buffer: 'reservoir' }),
      alpha: alphaSchema(1),
    },
    required: ['lr'],
  },
  create: (options) => new Der(options),
};

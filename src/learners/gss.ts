import * as tf from '../backend/tf.js';
import { ExampleGradientGram } from './base/example-gradient-gram.js';
import { ExampleMemory, type StoredExamples, gatherRows, withFields } from './base/example-memory.js';
import { flatGradient } from './base/flat-gradients.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { ReplayBuffer } from './base/replay-buffer.js';
import { disposeDraw, uploadDraw } from './base/replay-draw.js';
import type { Batch, LearnerContext, LearnerEntry } from './types.js';

export interface GssOptions extends OptimizerOptions {
  /** Total examples kept. */
  readonly memorySize: number;
  /** Replayed examples added to each incoming batch (Mammoth's minibatch_size). */
  readonly replayBatch: number;
  /** Memory examples whose gradients a newcomer's is compared with (Mammoth's gss_minibatch_size). */
  readonly scoreBatch: number;
  /** Optimizer steps per incoming batch, each with a new replay draw (Mammoth's batch_num). */
  readonly iterations: number;
}

/** Score before the memory holds anything to compare with (Mammoth's). */
const FIRST_SCORE = 0.1;

/**
 * GSS's score of each row of a set of gradients against the memory's: 1 + its largest cosine
 * similarity with any of them, in [0, 2]. Low means unlike everything stored. Takes the inner
 * products ([m, R]) and the norms of both sides ([m] and [R]), however they were found.
 */
function scoresFromDots(dots: tf.Tensor2D, norms: tf.Tensor1D, memoryNorms: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const products = tf.mul(tf.reshape(norms, [-1, 1]), tf.reshape(memoryNorms, [1, -1]));
    return tf.add(tf.max(tf.div(dots, tf.maximum(products, 1e-8)), 1), 1) as tf.Tensor1D;
  });
}

/** GSS's score of one gradient g against the memory's gradients (the rows of G). */
export function gssScore(g: tf.Tensor1D, G: tf.Tensor2D): number {
  const score = tf.tidy(() =>
    scoresFromDots(tf.matMul(tf.reshape(g, [1, -1]), G, false, true) as tf.Tensor2D, tf.reshape(tf.norm(g), [1]) as tf.Tensor1D, tf.norm(G, 2, 1) as tf.Tensor1D),
  );
  const value = score.dataSync()[0];
  score.dispose();
  return value;
}

/** The incoming batch's score and, on demand, each of its examples' own. */
interface BatchScores {
  readonly batch: number;
  example(i: number): number;
  dispose(): void;
}

/**
 * Gradient-based Sample Selection, the greedy version (Aljundi et al., NeurIPS 2019, "Gradient based
 * sample selection for online continual learning"), as in Mammoth. The memory should hold examples
 * whose gradients point in diverse directions. Each step trains on the incoming batch plus a
 * replay draw; then the batch's gradient is compared with those of `scoreBatch` stored examples
 * (score = 1 + the largest cosine similarity). While the memory has room everything enters with the
 * batch's score. Once full, a batch scoring below 1 offers each of its examples with its own
 * score, and each may replace a stored example chosen with probability ∝ its score (greedy-score
 * policy). Works without task boundaries.
 *
 * On a single-head MLP the per-example gradients' inner products come from their layer factors
 * (base/example-gradient-gram.ts) rather than a backward pass per example: the same scores up to
 * float rounding, at a fraction of the cost.
 */
export class Gss extends ModelLearner {
  private buffer!: ReplayBuffer;
  private gram: ExampleGradientGram | undefined;

  constructor(private readonly options: GssOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const capacity = this.options.memorySize;
    this.buffer = ReplayBuffer.forStream(ctx.stream, { policy: 'greedy-score', capacity, fields: { score: 1 } }, ctx.rng.fork('replay-buffer'));
    this.gram = ExampleGradientGram.for(ctx.model, ctx.stream.heads, this.lossFn);
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    let loss = NaN;
    for (let it = 0; it < this.options.iterations; it++) loss = this.trainStep(batch, incoming);
    this.remember(batch, incoming);
    return loss;
  }

  /** One step on the incoming batch together with a uniform draw from the memory. */
  private trainStep(batch: Batch, incoming: StoredExamples): number {
    const replayBatch = this.options.replayBatch;
    if (this.buffer.size === 0 || replayBatch === 0) return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const draw = uploadDraw(this.ctx, this.buffer.sample(replayBatch));
    const loss = this.step(() => tf.tidy(() => {
      const x = tf.concat([batch.x, draw.x]);
      const y = tf.concat([batch.y, draw.y]);
      return this.mixedTaskLoss(x, y, Int32Array.from([...incoming.tasks, ...draw.tasks]));
    }));
    disposeDraw(draw);
    return loss;
  }

  /** Offers the batch to the memory with GSS's scores (computed after the step, as in Mammoth). */
  private remember(batch: Batch, incoming: StoredExamples): void {
    const { size, capacity } = this.buffer;
    if (size === 0) {
      this.buffer.add(withFields(incoming, { score: new Float32Array(incoming.n).fill(FIRST_SCORE) }));
      return;
    }
    const reference = this.buffer.sample(this.options.scoreBatch);
    const score = this.gram ? this.scoresByGram(this.gram, batch, reference) : this.scoresByGradients(batch, incoming, reference);
    const room = Math.max(0, capacity - size);
    const scores = new Float32Array(incoming.n).fill(score.batch);
    // Examples past the free room are offered only when the batch is unlike the memory (score < 1).
    const offered = score.batch < 1 ? incoming.n : Math.min(room, incoming.n);
    for (let i = room; i < offered; i++) scores[i] = score.example(i);
    score.dispose();
    this.buffer.add(gatherRows(withFields(incoming, { score: scores }), Array.from({ length: offered }, (_, i) => i)));
  }

  /** Scores from explicit gradients: one backward pass per stored example, and per offered example when asked. */
  private scoresByGradients(batch: Batch, incoming: StoredExamples, reference: StoredExamples): BatchScores {
    const G = this.exampleGradients(reference);
    const g = this.lossGradient(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    const batchScore = gssScore(g, G);
    g.dispose();
    return {
      batch: batchScore,
      example: (i) => {
        const own = this.exampleGradients(gatherRows(incoming, [i]));
        const row = tf.reshape(own, [-1]) as tf.Tensor1D;
        const value = gssScore(row, G);
        tf.dispose([own, row]);
        return value;
      },
      dispose: () => G.dispose(),
    };
  }

  /**
   * The same scores from the gradients' inner products (all examples at once). The batch's
   * mean-loss gradient is the mean of its examples' gradients, so its products are means of theirs.
   */
  private scoresByGram(gram: ExampleGradientGram, batch: Batch, reference: StoredExamples): BatchScores {
    const draw = uploadDraw(this.ctx, reference);
    const values = tf.tidy(() => {
      const stored = gram.factors(this.params, draw.x, draw.y);
      const own = gram.factors(this.params, batch.x, batch.y);
      const dots = gram.dots(own, stored);
      const storedNorms = tf.sqrt(gram.squaredNorms(stored)) as tf.Tensor1D;
      const n = batch.x.shape[0];
      const batchDots = tf.reshape(tf.mean(dots, 0), [1, -1]) as tf.Tensor2D;
      const batchNorm = tf.reshape(tf.div(tf.sqrt(tf.sum(gram.dots(own, own))), n), [1]) as tf.Tensor1D;
      const examples = scoresFromDots(dots, tf.sqrt(gram.squaredNorms(own)) as tf.Tensor1D, storedNorms);
      return tf.concat([scoresFromDots(batchDots, batchNorm, storedNorms), examples]);
    });
    disposeDraw(draw);
    const read = values.dataSync() as Float32Array;
    values.dispose();
    return { batch: read[0], example: (i) => read[1 + i], dispose: () => {} };
  }

  /** One flat loss gradient per stored example, as the rows of a matrix. */
  private exampleGradients(examples: StoredExamples): tf.Tensor2D {
    const rows: tf.Tensor1D[] = [];
    for (let i = 0; i < examples.n; i++) {
      const draw = uploadDraw(this.ctx, gatherRows(examples, [i]));
      rows.push(this.lossGradient(() => this.batchLoss(draw.x, draw.y, draw.tasks[0] < 0 ? undefined : draw.tasks[0])));
      disposeDraw(draw);
    }
    const G = tf.stack(rows) as tf.Tensor2D;
    tf.dispose(rows);
    return G;
  }

  /** The flat gradient of `loss` (zeros for parameters it does not reach), its value dropped. */
  private lossGradient(loss: () => tf.Scalar): tf.Tensor1D {
    const { value, grad } = flatGradient(this.params, loss);
    value.dispose();
    return grad;
  }
}

export const gssEntry: LearnerEntry<GssOptions> = {
  type: 'gss',
  description: 'Gradient-based sample selection (greedy): keeps the examples whose gradients are least similar to the memory’s',
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.1, batch 128).
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Examples kept in memory' },
      replayBatch: { type: 'integer', minimum: 0, default: 10, description: 'Replayed examples per step' },
      scoreBatch: { type: 'integer', minimum: 1, default: 10, description: 'Stored examples whose gradients a newcomer is compared with' },
      iterations: { type: 'integer', minimum: 1, default: 1, description: 'Optimizer steps per incoming batch (new replay draw each)' },
    },
    required: ['lr'],
  },
  create: (options) => new Gss(options),
};

import * as tf from '../backend/tf.js';
import { uploadRows } from '../streams/upload.js';
import { parameterGradients } from './base/flat-gradients.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { SampledPenaltyLearner } from './base/sampled-penalty-learner.js';
import type { LearnerEntry, TaskInfo } from './types.js';

export interface MasOptions extends OptimizerOptions {
  /** Penalty strength λ in λ Σ Ω (θ − θ*)². */
  readonly lambda: number;
  /** Examples of each finished task kept (uniformly at random) to measure its importance. */
  readonly importanceSamples: number;
  /** Examples per gradient when measuring importance: 1 is the paper's per-example |∂‖f(x)‖²/∂θ|. */
  readonly importanceBatch: number;
}

/**
 * MAS importance (Aljundi et al. 2018, eq. 2–4): Ω = mean over chunks of |∂ ‖f(x)‖²₂ / ∂θ|, where
 * ‖f(x)‖²₂ is the squared L2 norm of the outputs (summed over the chunk's rows, then averaged).
 * With chunks of one example this is the paper's per-example estimate. No labels are used.
 * `outputs(x)` must give the task's outputs (its own head on multi-head models).
 */
export function masImportance(params: readonly tf.Variable[], x: tf.Tensor, outputs: (x: tf.Tensor) => tf.Tensor, batchSize: number): tf.Tensor[] {
  const n = x.shape[0];
  let sums: tf.Tensor[] = params.map((p) => tf.zerosLike(p));
  let chunks = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const next = tf.tidy(() => {
      const xs = tf.slice(x, start, size);
      const { value, grads } = parameterGradients(params, () => tf.div(tf.sum(tf.square(outputs(xs))), size) as tf.Scalar);
      value.dispose();
      return sums.map((s, i) => tf.add(s, tf.abs(grads[i])));
    });
    tf.dispose(sums);
    sums = next;
    chunks++;
  }
  const importance = sums.map((s) => tf.div(s, Math.max(1, chunks)));
  tf.dispose(sums);
  return importance;
}

/**
 * Memory Aware Synapses (Aljundi et al., ECCV 2018). A parameter's importance is how much the
 * learned function's output moves when it changes: the mean absolute gradient of the squared L2
 * norm of the outputs, measured on the task's inputs without labels. Importances accumulate over
 * tasks, and the penalty λ Σ Ω (θ − θ*)² holds the important parameters near the previous task's
 * end point θ*.
 */
export class Mas extends SampledPenaltyLearner {
  constructor(private readonly options: MasOptions) {
    super(options, 'importance-samples');
  }

  /** The accumulated importance Ω; null before a task ends. */
  get importance(): readonly tf.Tensor[] | null {
    return this.penalty.totalImportance;
  }

  protected sampleSize(): number {
    return this.options.importanceSamples;
  }

  protected penaltyScale(): number {
    return this.options.lambda;
  }

  override endTask(task: TaskInfo): void {
    const samples = this.takeSamples();
    if (!samples) return;
    const { stream, model } = this.ctx;
    const { x, y } = uploadRows(samples.all(), stream);
    const head = this.headFor(task.index);
    const importance = masImportance(this.params, x, (xs) => model.forward(this.params, xs, head), this.options.importanceBatch);
    tf.dispose([x, y]);
    // Ω accumulates over tasks (decay 1); the centre moves to this task's end point.
    this.penalty.replaceAnchor(importance, this.params, 1);
  }

}

export const masEntry: LearnerEntry<MasOptions> = {
  type: 'mas',
  description: 'Memory Aware Synapses: label-free importance from the output norm’s gradient, quadratic penalty towards the last task’s weights',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      lambda: { type: 'number', minimum: 0, default: 1, description: 'Penalty strength λ in λ Σ Ω (θ − θ*)²' },
      importanceSamples: { type: 'integer', minimum: 1, default: 200, description: 'Examples of each task kept to measure its importance' },
      importanceBatch: { type: 'integer', minimum: 1, default: 1, description: 'Examples per importance gradient (1: the paper’s per-example estimate)' },
    },
    required: ['lr'],
  },
  create: (options) => new Mas(options),
};

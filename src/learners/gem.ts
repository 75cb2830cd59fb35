import * as tf from '../backend/tf.js';
import { type EpisodicMemoryOptions, EpisodicMemoryLearner, episodicMemorySchema } from './base/episodic-memory-learner.js';
import { flatGradient } from './base/flat-gradients.js';
import { projectGem } from './base/gem-projection.js';
import { optimizerSchema } from './base/optimizer.js';
import type { Batch, LearnerEntry } from './types.js';

export interface GemOptions extends EpisodicMemoryOptions {
  /** Lower bound on the dual variables (GEM's "memory strength"; see base/gem-projection.ts). */
  readonly margin: number;
  /** Ridge ε added to G·Gᵀ before solving the QP. */
  readonly eps: number;
}

/** Where GEM's time goes; read by the `gem` benchmark workload (src/bench/workloads/rotations.ts) and bench/gem-qp-share.mjs. */
export interface GemTiming {
  readonly steps: number;
  /** Steps whose gradient had to be projected. */
  readonly projections: number;
  readonly observeSeconds: number;
  /** Forward/backward passes over the past tasks' memories. */
  readonly memoryGradientSeconds: number;
  /** Inside the quadprog solver. */
  readonly qpSeconds: number;
}

/**
 * Gradient Episodic Memory (Lopez-Paz & Ranzato 2017). Each step computes the gradient of every
 * past task's loss on its episodic memory (with that task's head on multi-head streams). If the
 * current gradient g conflicts with any of them (g·g_k < 0), it is replaced by the closest gradient
 * that does not, found by solving GEM's dual QP with quadprog.
 */
export class Gem extends EpisodicMemoryLearner {
  private timing = { steps: 0, projections: 0, observeSeconds: 0, memoryGradientSeconds: 0, qpSeconds: 0 };

  constructor(private readonly options: GemOptions) {
    super(options);
  }

  get stats(): GemTiming {
    return { ...this.timing };
  }

  observe(batch: Batch): number {
    const started = performance.now();
    const loss = this.constrainedStep(batch, (g) => {
      const memoryStarted = performance.now();
      const G = tf.stack(this.memory.tasks.map((rows) => {
        const { x, y } = this.memory.rows(rows);
        const { value, grad } = flatGradient(this.params, () => this.batchLoss(x, y, rows.task));
        value.dispose();
        return grad;
      })) as tf.Tensor2D;
      // CPU backends (wasm, tfjs-node) run kernels synchronously, so this is the passes' own time.
      this.timing.memoryGradientSeconds += (performance.now() - memoryStarted) / 1000;
      const projection = projectGem(g, G, { margin: this.options.margin, eps: this.options.eps });
      if (projection.projected) this.timing.projections++;
      this.timing.qpSeconds += projection.qpSeconds;
      return projection.gradient;
    });
    this.timing.steps++;
    this.timing.observeSeconds += (performance.now() - started) / 1000;
    return loss;
  }
}

export const gemEntry: LearnerEntry<GemOptions> = {
  type: 'gem',
  description: 'Gradient Episodic Memory: projects each update (dual QP, quadprog) so no past task’s memory loss increases',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      ...episodicMemorySchema,
      margin: { type: 'number', minimum: 0, default: 0.5, description: 'Memory strength: lower bound on the QP’s dual variables' },
      eps: { type: 'number', minimum: 0, default: 1e-3, description: 'Ridge ε added to G·Gᵀ in the QP' },
    },
    required: ['lr'],
  },
  create: (options) => new Gem(options),
};

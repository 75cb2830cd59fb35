import * as tf from '../../backend/tf.js';
import type { Batch, LearnerEntry, MetaBatch } from '../types.js';
import { type ParamLoss, innerLoop } from './functional-sgd.js';
import { MetaLearner, type MetaOptions, metaOptionsSchema } from './meta-learner.js';
import { perTaskCopies } from './task-batched.js';

export interface ReptileOptions extends Omit<MetaOptions, 'metaLr' | 'metaOptimizer'> {
  /** ε: θ ← θ + ε·(mean over tasks of θ̃ − θ). */
  readonly outerStepSize: number;
  /** Anneal ε linearly to 0 over the meta-training run (as in the Reptile paper). */
  readonly anneal: boolean;
  /** Inner minibatch size (cycling through the episode's shuffled data); default: all of it each step. */
  readonly innerBatch?: number;
}

/**
 * Reptile (Nichol, Achiam & Schulman, 2018): train on a task with a few SGD steps, then move θ
 * towards the result. Each episode's support and query are both training data for the inner loop.
 * Serial with metaBatch 1; batched (the mean over the meta-batch's tasks) otherwise.
 */
export class Reptile extends MetaLearner {
  private iteration = 0;

  constructor(private readonly options: ReptileOptions) {
    // Reptile has no meta-optimiser option: its outer step is ε's. The optimizer serves observe() on
    // a continual stream only, with the other meta-learners' default.
    super({ ...options, metaLr: 0.001, metaOptimizer: 'adam' });
  }

  /** ε at the current meta-iteration. */
  private outerStepSize(): number {
    const epsilon = this.options.outerStepSize;
    const total = this.ctx.meta?.iterations;
    if (!this.options.anneal || !total) return epsilon;
    return epsilon * Math.max(0, 1 - this.iteration / total);
  }

  /** The inner loss of step s: all of `data`, or its s-th minibatch of innerBatch rows (along `axis`). */
  private stepLosses(data: Batch, rows: number, axis: 0 | 1, loss: (set: Batch) => ParamLoss): ParamLoss[] {
    const size = Math.min(this.options.innerBatch ?? rows, rows);
    if (size >= rows) return Array.from({ length: this.innerSteps }, () => loss(data));
    const order = Array.from(this.ctx.rng.permutation(rows));
    return Array.from({ length: this.innerSteps }, (_, s) => {
      const start = (s * size) % rows;
      const idx = tf.tensor1d(Array.from({ length: size }, (_, k) => order[(start + k) % rows]), 'int32');
      return loss({ x: tf.gather(data.x, idx, axis), y: tf.gather(data.y, idx, axis), size });
    });
  }

  /** θ̃ − θ for one task (or every task, stacked), off the tape. */
  private taskDeltas(data: Batch, rows: number, stackedTasks: number | undefined): { deltas: tf.Tensor[]; loss: tf.Scalar } {
    const lossOf = (set: Batch) => (stackedTasks ? this.stackedLossOn(set, stackedTasks) : this.lossOn(set));
    const start = stackedTasks ? perTaskCopies(this.params, stackedTasks) : [...this.params];
    const before = stackedTasks ? tf.div(lossOf(data)(start), stackedTasks) : lossOf(data)(start);
    let current = start;
    for (const loss of this.stepLosses(data, rows, stackedTasks ? 1 : 0, lossOf)) {
      current = innerLoop(loss, current, { steps: 1, lr: this.innerLr });
    }
    const deltas = current.map((p, i) => (stackedTasks ? tf.reshape(tf.mean(tf.sub(p, start[i]), 0), this.params[i].shape) : tf.sub(p, start[i])));
    return { deltas, loss: before as tf.Scalar };
  }

  metaObserve(batch: MetaBatch): number {
    const stacked = this.stackedOf(batch);
    const epsilon = this.outerStepSize();
    const { update, loss } = tf.tidy(() => {
      const parts = stacked
        ? [this.taskDeltas(
            { x: tf.concat([stacked.support.x, stacked.query.x], 1), y: tf.concat([stacked.support.y, stacked.query.y], 1), size: 0 },
            stacked.support.x.shape[1]! + stacked.query.x.shape[1]!, batch.size,
          )]
        : batch.episodes.map((e) => this.taskDeltas(
            { x: tf.concat([e.support.x, e.query.x]), y: tf.concat([e.support.y, e.query.y]), size: e.support.size + e.query.size },
            e.support.size + e.query.size, undefined,
          ));
      const mean = (i: number) => tf.div(tf.addN(parts.map((p) => p.deltas[i])), parts.length);
      return {
        update: this.params.map((_, i) => tf.mul(mean(i), epsilon)),
        loss: tf.div(tf.addN(parts.map((p) => p.loss)), parts.length),
      };
    });
    tf.tidy(() => this.params.forEach((p, i) => p.assign(tf.add(p, update[i]))));
    const value = loss.dataSync()[0];
    tf.dispose([...update, loss]);
    this.iteration++;
    return value;
  }
}

export const reptileEntry: LearnerEntry<ReptileOptions> = {
  type: 'reptile',
  description: 'Reptile (Nichol et al. 2018): a few SGD steps per task, then θ moves towards the adapted weights; serial (metaBatch 1) or batched',
  options: {
    type: 'object',
    properties: {
      innerSteps: { ...metaOptionsSchema.innerSteps, default: 5 },
      innerLr: { ...metaOptionsSchema.innerLr, default: 0.02 },
      outerStepSize: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'ε: fraction of the way θ moves towards the adapted weights' },
      anneal: { type: 'boolean', default: true, description: 'Anneal ε linearly to 0 over the meta-training run' },
      innerBatch: { type: 'integer', minimum: 1, description: 'Inner minibatch size (default: the whole episode each step)' },
      metaBatch: { ...metaOptionsSchema.metaBatch, description: 'Episodes per meta-update: 1 for serial Reptile (default: protocol.metaBatch)' },
      vectorise: metaOptionsSchema.vectorise,
    },
  },
  create: (options) => new Reptile(options),
};

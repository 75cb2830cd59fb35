import * as tf from '../../backend/tf.js';
import type { LearnerEntry, MetaBatch } from '../types.js';
import { type ParamLoss, innerLoop, lossAndGrads, summedInnerGradients } from './functional-sgd.js';
import { MetaLearner, type MetaOptions, metaOptionsSchema } from './meta-learner.js';
import { perTaskCopies } from './task-batched.js';

export interface MamlOptions extends MetaOptions {
  /** Drop the second-order term: the meta-gradient is the query gradient at the adapted weights. */
  readonly firstOrder: boolean;
}

/** What differs between MAML, ANIL and Meta-SGD: which parameters adapt, and at which step sizes. */
export interface InnerRule {
  readonly steps: number;
  /** Scalar α, or per-parameter step-size tensors that are meta-learned along with θ (Meta-SGD). */
  readonly lr: number | readonly tf.Tensor[];
  readonly adapt?: readonly boolean[];
  readonly firstOrder: boolean;
}

/** One task (or, vectorised, all tasks at once) as its support loss, query loss and starting point. */
interface TaskLosses {
  readonly support: ParamLoss;
  readonly query: ParamLoss;
  /** θ as the task's starting point: itself, or one copy per task on the vectorised path. */
  readonly start: (theta: readonly tf.Tensor[]) => tf.Tensor[];
}

/**
 * The query loss after adaptation and its gradient with respect to θ (and Meta-SGD's step sizes).
 * Second order differentiates through the inner steps. First order treats the inner gradients as
 * constants, θ' = θ − α·Σ_k stop(g_k), so its gradient is the query gradient at θ'.
 */
function taskGradient(task: TaskLosses, theta: readonly tf.Tensor[], rule: InnerRule): { value: tf.Scalar; grads: tf.Tensor[] } {
  const learned = typeof rule.lr === 'number' ? [] : rule.lr;
  const unpack = (vars: readonly tf.Tensor[]) => ({ params: vars.slice(0, theta.length), lr: learned.length ? vars.slice(theta.length) : rule.lr });
  const stepSums = rule.firstOrder ? summedInnerGradients(task.support, task.start(theta), rule) : []; // off the tape
  return lossAndGrads((vars) => {
    const { params, lr } = unpack(vars);
    const start = task.start(params);
    if (!rule.firstOrder) return task.query(innerLoop(task.support, start, { ...rule, lr }));
    const rate = (i: number) => (typeof lr === 'number' ? lr : lr[i]);
    return task.query(start.map((p, i) => (stepSums[i] ? tf.sub(p, tf.mul(rate(i), stepSums[i]!)) : p)));
  }, [...theta, ...learned]);
}

/** Model-Agnostic Meta-Learning (Finn et al., 2017): learn θ so that a few SGD steps adapt it to any task. */
export class Maml extends MetaLearner {
  constructor(protected readonly options: MamlOptions) {
    super(options);
  }

  /** The inner loop: steps, step sizes, which parameters adapt (overridden by ANIL and Meta-SGD). */
  protected rule(): InnerRule {
    return { steps: this.innerSteps, lr: this.innerLr, firstOrder: this.options.firstOrder };
  }

  /** The variables the meta-gradient is taken for: θ, then any learned inner step sizes. */
  protected metaVariables(): tf.Variable[] {
    return this.params;
  }

  /** Mean post-adaptation query loss of a meta-batch and its meta-gradient (one tensor per meta-variable). */
  metaGradient(batch: MetaBatch): { loss: number; grads: tf.Tensor[] } {
    const stacked = this.stackedOf(batch);
    const tasks: TaskLosses[] = stacked
      ? [{
          support: this.stackedLossOn(stacked.support, batch.size),
          query: (p) => this.lossFn(this.tasksForward!(p, stacked.query.x), stacked.query.y), // mean over tasks
          start: (theta) => perTaskCopies(theta, batch.size),
        }]
      : batch.episodes.map((e) => ({ support: this.lossOn(e.support), query: this.lossOn(e.query), start: (theta) => [...theta] }));
    const rule = this.rule();
    let total: tf.Tensor[] = [];
    let loss = 0;
    for (const task of tasks) {
      const { value, grads } = tf.tidy(() => taskGradient(task, this.params, rule));
      loss += value.dataSync()[0] / tasks.length;
      value.dispose();
      if (tasks.length === 1) return { loss, grads }; // vectorised: already the mean over tasks
      const sum = tf.tidy(() => grads.map((g, i) => (total[i] ? tf.add(total[i], tf.div(g, tasks.length)) : tf.div(g, tasks.length))));
      tf.dispose([...grads, ...total]);
      total = sum;
    }
    return { loss, grads: total };
  }

  metaObserve(batch: MetaBatch): number {
    const { loss, grads } = this.metaGradient(batch);
    this.applyGradients(grads, this.metaVariables());
    tf.dispose(grads);
    return loss;
  }
}

export const mamlOptionsSchema = {
  ...metaOptionsSchema,
  firstOrder: { type: 'boolean', default: false, description: 'First-order approximation (FOMAML): no second derivatives' },
};

export const mamlEntry: LearnerEntry<MamlOptions> = {
  type: 'maml',
  description: 'MAML (Finn et al. 2017): second-order meta-gradient through the inner SGD steps; firstOrder for FOMAML',
  options: { type: 'object', properties: mamlOptionsSchema },
  create: (options) => new Maml(options),
};

export const fomamlEntry: LearnerEntry<MetaOptions> = {
  type: 'fomaml',
  description: 'First-order MAML (Finn et al. 2017; Nichol et al. 2018): the meta-gradient is the query gradient at the adapted weights',
  options: { type: 'object', properties: metaOptionsSchema },
  create: (options) => new Maml({ ...options, firstOrder: true }),
};

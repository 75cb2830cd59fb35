import * as tf from '../../backend/tf.js';
import { glorotUniform } from '../../models/init.js';
import type { EpisodeStreamInfo } from '../../streams/episodes.js';
import { ModelLearner, toVariables } from '../base/model-learner.js';
import type { OptimizerName } from '../base/optimizer.js';
import { crossEntropy } from '../../models/losses.js';
import type { AdaptOptions, Adapted, Batch, LearnerContext, LearnerEntry, MetaBatch } from '../types.js';
import { FastWeights } from './fast-weights.js';
import type { StepSizes } from './functional-sgd.js';

export interface PretrainOptions {
  readonly lr: number;
  readonly optimizer: OptimizerName;
  /** Step size of test-time fine-tuning. */
  readonly adaptLr: number;
  /**
   * Classification: 'class' pretrains a classifier over the original classes of the meta-training
   * pool and fine-tunes from a zero N-way head; 'episode' trains on the episodes' own labels.
   */
  readonly labels: 'class' | 'episode';
}

/** The model's output layer, if it is one kernel [d, out] and one bias [out] (head 0). */
function linearHead(ctx: LearnerContext): { kernel: number; bias: number; width: number } | undefined {
  const idx = ctx.model.params.flatMap((p, i) => (p.head === 0 ? [i] : []));
  const [kernel, bias] = idx.map((i) => ctx.model.params[i]);
  if (idx.length !== 2 || kernel.shape.length !== 2 || bias.shape.length !== 1) return undefined;
  return { kernel: idx[0], bias: idx[1], width: kernel.shape[0] };
}

/**
 * The MAML paper's "pretrained" baseline: one network trained on all meta-training tasks at once
 * (each meta-batch's support and query pooled into one batch), then fine-tuned on each test
 * task's support set by SGD. For few-shot classification, episode labels are arbitrary, so by
 * default it learns to classify the original classes through a head of its own (Chen et al. 2019's
 * "Baseline"), and fine-tunes the model from a zero N-way head.
 */
export class Pretrain extends ModelLearner {
  /** Classifier over the original classes, on the features that feed the model's head ('class' labels). */
  private classHead: tf.Variable[] = [];
  /** The model's head replaced by the identity, so forward() returns the features; and a zero head for fine-tuning. */
  private featureHead: tf.Tensor[] = [];
  private zeroHead: tf.Tensor[] = [];
  private head?: { kernel: number; bias: number; width: number };

  constructor(private readonly options: PretrainOptions) {
    super({ lr: options.lr, optimizer: options.optimizer });
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.disposeHeads();
    const classIds = (ctx.stream as Partial<EpisodeStreamInfo>).classIds;
    const head = linearHead(ctx);
    if (ctx.stream.kind !== 'classification' || !classIds || !head || this.options.labels === 'episode') return;
    this.head = head;
    this.classHead = toVariables([glorotUniform([head.width, classIds], head.width, classIds, ctx.rng), tf.zeros([classIds])]);
    this.featureHead = [tf.eye(head.width), tf.zeros([head.width])];
    const outputs = ctx.model.params[head.kernel].shape[1];
    this.zeroHead = [tf.zeros([head.width, outputs]), tf.zeros([outputs])];
  }

  /** `params` with the head swapped for `head` ([kernel, bias]). */
  private withHead(head: readonly tf.Tensor[]): tf.Tensor[] {
    const params: tf.Tensor[] = [...this.params];
    params[this.head!.kernel] = head[0];
    params[this.head!.bias] = head[1];
    return params;
  }

  /** One optimiser step on every episode of the meta-batch pooled together. */
  metaObserve(batch: MetaBatch): number {
    if (!this.head) {
      const stacked = batch.stacked;
      const flat = (t: tf.Tensor) => tf.reshape(t, [-1, ...t.shape.slice(2)]);
      const all = tf.tidy(() => (stacked
        ? { x: tf.concat([flat(stacked.support.x), flat(stacked.query.x)]), y: tf.concat([flat(stacked.support.y), flat(stacked.query.y)]) }
        : {
            x: tf.concat(batch.episodes.flatMap((e) => [e.support.x, e.query.x])),
            y: tf.concat(batch.episodes.flatMap((e) => [e.support.y, e.query.y])),
          }));
      try {
        return this.step(() => this.batchLoss(all.x, all.y));
      } finally {
        tf.dispose([all.x, all.y]);
      }
    }
    // Original class ids: episode label i is class classes[i].
    const globalLabels = batch.episodes.flatMap((e) => [e.support, e.query].map((set) => ({ set, classes: e.classes ?? [] })));
    const x = tf.concat(globalLabels.map(({ set }) => set.x));
    const y = tf.tidy(() => tf.concat(globalLabels.map(({ set, classes }) => tf.gather(tf.tensor1d(classes as number[], 'int32'), set.y))));
    const trunk = this.params.filter((_, i) => i !== this.head!.kernel && i !== this.head!.bias);
    try {
      const cost = this.optimizer.minimize(() => tf.tidy(() => {
        const features = this.ctx.model.forward(this.withHead(this.featureHead), x);
        return crossEntropy(tf.add(tf.matMul(features, this.classHead[0]), this.classHead[1]), y);
      }), true, [...trunk, ...this.classHead]);
      const value = cost?.dataSync()[0] ?? NaN;
      cost?.dispose();
      return value;
    } finally {
      tf.dispose([x, y]);
    }
  }

  protected override adaptLr(): StepSizes {
    return this.options.adaptLr;
  }

  override adapt(support: Batch, steps: number, options: AdaptOptions = {}): Adapted {
    if (!this.head) return super.adapt(support, steps, options);
    const adapted = new FastWeights(this.withHead(this.zeroHead), support, {
      model: this.ctx.model, lossFn: this.lossFn, lr: options.lr ?? this.adaptLr(),
    });
    adapted.step(steps);
    return adapted;
  }

  /** Under the continual protocol: fine-tuning, like naive. */
  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }

  private disposeHeads(): void {
    tf.dispose([...this.classHead, ...this.featureHead, ...this.zeroHead]);
    this.classHead = [];
    this.featureHead = [];
    this.zeroHead = [];
    this.head = undefined;
  }

  override dispose(): void {
    this.disposeHeads();
    super.dispose();
  }
}

export const pretrainEntry: LearnerEntry<PretrainOptions> = {
  type: 'pretrain',
  description: 'Pretrain on all meta-training tasks pooled, then fine-tune by SGD (the MAML paper’s baseline)',
  options: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Pretraining learning rate' },
      optimizer: { enum: ['sgd', 'momentum', 'adam'], default: 'adam', description: 'Pretraining update rule' },
      adaptLr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'Fine-tuning step size at meta-test' },
      labels: { enum: ['class', 'episode'], default: 'class', description: 'Classification: pretrain on original classes or on episode labels' },
    },
  },
  create: (options) => new Pretrain(options),
};

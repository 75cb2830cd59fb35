import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import { type LossFn, trainingLossFor } from '../../models/losses.js';
import type { StreamInfo } from '../../streams/types.js';
import { uploadRows } from '../../streams/upload.js';
import type { StoredExamples } from '../base/example-memory.js';
import { mixedTaskLoss } from '../base/mixed-task-loss.js';
import type { TaskBatchedForward } from '../meta/task-batched.js';
import { clipByGlobalNorm } from './clip.js';
import type { LookAheadEngine } from './lamaml-engine.js';
import { headsMask, maskedValueAndGrads } from './masked-grads.js';

export interface TfLookAheadSetup {
  readonly model: FunctionalModel;
  readonly stream: StreamInfo;
  /** The learner's parameters θ and step sizes α: the engine updates them in place. */
  readonly theta: readonly tf.Variable[];
  readonly alpha: readonly tf.Variable[];
  /** Head of an example's task (its own head on multi-head streams, else 0). */
  readonly headOf: (task: number) => number;
  /** Single-head MLPs: the forward pass of parameters stacked along a leading axis, for all meta-gradients in one pass. */
  readonly stacked?: TaskBatchedForward;
}

/** A glance's tensors that die with its meta-gradients. */
interface Glance {
  readonly inner: { x: tf.Tensor; y: tf.Tensor };
  readonly meta: { x: tf.Tensor; y: tf.Tensor };
  readonly tasks: Int32Array;
  readonly innerHead: number;
  readonly rates: tf.Tensor[];
  /** θ_i after each inner step (θ_0 is the variables themselves). */
  readonly fast: tf.Tensor[][];
  /** g_i of each inner step. */
  readonly grads: tf.Tensor[][];
  /** The fast weights whose meta-loss was added: θ_i after inner step i. */
  readonly path: (readonly tf.Tensor[])[];
}

/**
 * La-MAML's engine through tfjs, for any functional model (multi-head ones included: each example
 * is scored by its own task's head, and only the parameters a loss reaches get a gradient). θ and
 * α are the learner's variables. The meta-losses are evaluated together in metaGradients():
 * on single-head MLPs all n of them in one batched pass over the stacked θ_i.
 */
export class TfLookAhead implements LookAheadEngine {
  readonly kind = 'tf';
  private readonly loss: LossFn;
  private glance?: Glance;
  private gradients?: { theta: tf.Tensor[]; alpha: tf.Tensor[] };

  constructor(private readonly setup: TfLookAheadSetup) {
    this.loss = trainingLossFor(setup.stream.kind);
  }

  begin(inner: StoredExamples, meta: StoredExamples, innerHead: number): void {
    this.endGlance();
    const { stream, alpha } = this.setup;
    this.glance = {
      inner: uploadRows(inner, stream),
      meta: uploadRows(meta, stream),
      tasks: meta.tasks,
      innerHead,
      rates: tf.tidy(() => alpha.map((a) => tf.relu(a))),
      fast: [],
      grads: [],
      path: [],
    };
  }

  private current(): readonly tf.Tensor[] {
    const g = this.glance!;
    return g.fast.at(-1) ?? this.setup.theta;
  }

  innerStep(row: number): void {
    const g = this.glance!;
    const { model } = this.setup;
    const theta = this.current();
    const mask = headsMask(model, [g.innerHead]);
    const step = tf.tidy(() => {
      const x = tf.slice(g.inner.x, row, 1);
      const y = tf.slice(g.inner.y, row, 1);
      const grads = maskedValueAndGrads((p) => this.loss(model.forward(p, x, g.innerHead), y), theta, mask).grads;
      return { fast: theta.map((p, k) => tf.sub(p, tf.mul(g.rates[k], grads[k]))), grads };
    });
    g.fast.push(step.fast);
    g.grads.push(step.grads);
  }

  addMetaLoss(): void {
    const g = this.glance!;
    g.path.push(this.current());
  }

  metaGradients(): number {
    const g = this.glance!;
    const { model, theta, alpha, headOf, stacked } = this.setup;
    const n = g.path.length;
    const result = tf.tidy(() => {
      // Σ_{j≤i} g_j for every θ_i of the path (one per inner step), along a leading axis.
      const cumulative = theta.map((_, k) => tf.cumsum(tf.stack(g.grads.map((grads) => grads[k])), 0));
      const { x, y } = g.meta;
      let sumTheta: tf.Tensor[];
      let sumAlpha: tf.Tensor[];
      let lossSum: tf.Tensor;
      if (stacked) {
        // All n meta-gradients in one batched pass: each θ_i is one slice of a stacked parameter.
        // Σ_i L(θ_i) = n × the mean loss over n copies of the meta batch, one per θ_i.
        const m = x.shape[0];
        const stackedLoss = (p: readonly tf.Tensor[]) => {
          const out = stacked(p, tf.tile(tf.reshape(x, [1, m, -1]), [n, 1, 1]));
          const labels = y.rank === 1 ? tf.tile(y, [n]) : tf.tile(y, [n, 1]);
          return tf.mul(this.loss(tf.reshape(out, [n * m, -1]), labels), n) as tf.Scalar;
        };
        const params = theta.map((_, k) => tf.stack(g.path.map((f) => f[k])));
        const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => stackedLoss(p))(params);
        lossSum = value;
        sumTheta = grads.map((m) => tf.sum(m, 0));
        sumAlpha = grads.map((m, k) => tf.sum(tf.mul(m, cumulative[k]), 0));
      } else {
        const mask = headsMask(model, Array.from(g.tasks, headOf));
        lossSum = tf.scalar(0);
        sumTheta = theta.map((p) => tf.zerosLike(p));
        sumAlpha = theta.map((p) => tf.zerosLike(p));
        g.path.forEach((f, i) => {
          const { value, grads } = maskedValueAndGrads((p) => mixedTaskLoss(model, this.loss, p, x, y, g.tasks, headOf), f, mask);
          lossSum = tf.add(lossSum, value);
          sumTheta = sumTheta.map((s, k) => tf.add(s, grads[k]));
          sumAlpha = sumAlpha.map((s, k) => tf.add(s, tf.mul(grads[k], tf.squeeze(tf.slice(cumulative[k], i, 1), [0]))));
        });
      }
      return {
        theta: sumTheta.map((s) => tf.div(s, n)),
        alpha: sumAlpha.map((s, k) => tf.mul(tf.div(s, -n), tf.step(alpha[k]))),
        loss: tf.div(lossSum, n) as tf.Scalar,
      };
    });
    this.endGlance();
    this.setGradients(result.theta, result.alpha);
    const loss = result.loss.dataSync()[0];
    result.loss.dispose();
    return loss;
  }

  clipMetaGradients(maxNorm: number): void {
    const { theta, alpha } = this.gradients!;
    this.setGradients(clipByGlobalNorm(theta, maxNorm), clipByGlobalNorm(alpha, maxNorm));
  }

  updateAlpha(lr: number): void {
    const gAlpha = this.gradients!.alpha;
    tf.tidy(() => this.setup.alpha.forEach((a, k) => a.assign(tf.sub(a, tf.mul(gAlpha[k], lr)))));
  }

  updateTheta(rate: number | 'relu-alpha'): void {
    const gTheta = this.gradients!.theta;
    const { theta, alpha } = this.setup;
    tf.tidy(() => theta.forEach((p, k) => {
      const step = rate === 'relu-alpha' ? tf.mul(gTheta[k], tf.relu(alpha[k])) : tf.mul(gTheta[k], rate);
      p.assign(tf.sub(p, step));
    }));
  }

  commit(): void {
    // θ and α are the learner's variables already.
  }

  /** Replaces the held meta-gradients (one set at a time, until the next glance's or dispose()). */
  private setGradients(theta: tf.Tensor[], alpha: tf.Tensor[]): void {
    if (this.gradients) tf.dispose([...this.gradients.theta, ...this.gradients.alpha]);
    this.gradients = { theta, alpha };
  }

  private endGlance(): void {
    const g = this.glance;
    if (!g) return;
    tf.dispose([g.inner.x, g.inner.y, g.meta.x, g.meta.y, ...g.rates, ...g.fast.flat(), ...g.grads.flat()]);
    this.glance = undefined;
  }

  dispose(): void {
    this.endGlance();
    if (this.gradients) tf.dispose([...this.gradients.theta, ...this.gradients.alpha]);
    this.gradients = undefined;
  }
}

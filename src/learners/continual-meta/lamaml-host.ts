import * as tf from '../../backend/tf.js';
import type { StoredExamples } from '../base/example-memory.js';
import { HostBatchGradient } from './host-batch-gradient.js';
import { type HostMlp, type HostParams, copyParams } from './host-mlp.js';
import type { LookAheadEngine } from './lamaml-engine.js';

const zerosLike = (params: HostParams): HostParams => params.map((p) => new Float32Array(p.length));

/** Rescales `grads` in place so that their joint L2 norm is at most maxNorm (PyTorch's clip_grad_norm_). */
function clipInPlace(grads: HostParams, maxNorm: number): void {
  let sq = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) sq += g[j] * g[j];
  const factor = maxNorm / (Math.sqrt(sq) + 1e-6);
  if (factor >= 1) return;
  for (const g of grads) for (let j = 0; j < g.length; j++) g[j] *= factor;
}

/**
 * La-MAML's engine in host memory, for single-head MLPs: the inner single-example steps on
 * HostMlp (which also sums the inner gradients), each meta-gradient by HostBatchGradient (OpenBLAS
 * when available) as soon as its θ_i exists, so no path of fast weights is kept. θ and α live
 * here; commit() writes them into the learner's variables.
 */
export class HostLookAhead implements LookAheadEngine {
  readonly kind = 'host';
  private readonly batch: HostBatchGradient;
  private readonly fast: HostParams;
  private readonly rates: HostParams;
  /** Σ_{j≤i} g_j of the inner gradients so far. */
  private readonly gradSum: HostParams;
  /** Σ_i ∇L(θ_i), then the θ meta-gradient. */
  private readonly sumTheta: HostParams;
  /** Σ_i ∇L(θ_i)⊙Σ_{j≤i} g_j, then the α meta-gradient. */
  private readonly sumAlpha: HostParams;
  private readonly meta: HostParams;
  private inner?: StoredExamples;
  private metaBatch?: StoredExamples;
  private head = 0;
  private lossSum = 0;
  private metaLosses = 0;

  constructor(private readonly mlp: HostMlp, readonly theta: HostParams, readonly alpha: HostParams) {
    this.batch = new HostBatchGradient(mlp);
    [this.fast, this.rates, this.gradSum, this.sumTheta, this.sumAlpha, this.meta] = Array.from({ length: 6 }, () => zerosLike(theta));
  }

  begin(inner: StoredExamples, meta: StoredExamples, innerHead: number): void {
    this.inner = inner;
    this.metaBatch = meta;
    this.head = innerHead;
    this.lossSum = 0;
    this.metaLosses = 0;
    copyParams(this.theta, this.fast);
    for (let k = 0; k < this.alpha.length; k++) {
      const a = this.alpha[k];
      const r = this.rates[k];
      for (let j = 0; j < a.length; j++) r[j] = a[j] > 0 ? a[j] : 0;
      this.gradSum[k].fill(0);
      this.sumTheta[k].fill(0);
      this.sumAlpha[k].fill(0);
    }
  }

  innerStep(row: number): void {
    const inner = this.inner!;
    const d = this.mlp.inputSize;
    const w = inner.y.length / inner.n;
    const target = w === 1 ? inner.y[row] : inner.y;
    // The step adds its gradient into Σ_{j≤i} g_j as it goes.
    this.mlp.step(this.fast, inner.x, row * d, target, row * w, this.head, this.rates, 1, this.gradSum);
  }

  addMetaLoss(): void {
    const m = this.metaBatch!;
    this.lossSum += this.batch.gradient(this.fast, m.x, m.n, m.y, this.head, this.meta);
    this.metaLosses++;
    for (let k = 0; k < this.meta.length; k++) {
      const g = this.meta[k];
      const st = this.sumTheta[k];
      const sa = this.sumAlpha[k];
      const G = this.gradSum[k];
      for (let j = 0; j < g.length; j++) {
        st[j] += g[j];
        sa[j] += g[j] * G[j];
      }
    }
  }

  metaGradients(): number {
    const n = this.metaLosses;
    for (let k = 0; k < this.alpha.length; k++) {
      const st = this.sumTheta[k];
      const sa = this.sumAlpha[k];
      const a = this.alpha[k];
      for (let j = 0; j < st.length; j++) {
        st[j] /= n;
        sa[j] = a[j] > 0 ? -sa[j] / n : 0;
      }
    }
    return this.lossSum / n;
  }

  clipMetaGradients(maxNorm: number): void {
    clipInPlace(this.sumTheta, maxNorm);
    clipInPlace(this.sumAlpha, maxNorm);
  }

  updateAlpha(lr: number): void {
    for (let k = 0; k < this.alpha.length; k++) {
      const a = this.alpha[k];
      const ga = this.sumAlpha[k];
      for (let j = 0; j < a.length; j++) a[j] -= lr * ga[j];
    }
  }

  updateTheta(rate: number | 'relu-alpha'): void {
    for (let k = 0; k < this.theta.length; k++) {
      const p = this.theta[k];
      const a = this.alpha[k];
      const gt = this.sumTheta[k];
      if (rate === 'relu-alpha') for (let j = 0; j < p.length; j++) p[j] -= (a[j] > 0 ? a[j] : 0) * gt[j];
      else for (let j = 0; j < p.length; j++) p[j] -= rate * gt[j];
    }
  }

  commit(theta: readonly tf.Variable[], alpha: readonly tf.Variable[]): void {
    tf.tidy(() => {
      theta.forEach((v, i) => v.assign(tf.tensor(this.theta[i], v.shape)));
      alpha.forEach((v, i) => v.assign(tf.tensor(this.alpha[i], v.shape)));
    });
  }

  dispose(): void {
    this.inner = undefined;
    this.metaBatch = undefined;
  }

  /** Whether the meta-gradients run on OpenBLAS. */
  get native(): boolean {
    return this.batch.native;
  }
}

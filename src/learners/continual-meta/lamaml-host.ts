import type { StoredExamples } from '../base/example-memory.js';
import { HostBatchGradient } from './host-batch-gradient.js';
import { type HostMlp, type HostParams, copyParams } from './host-mlp.js';

export interface GlanceSettings {
  readonly learnLr: boolean;
  readonly syncUpdate: boolean;
  readonly lr: number;
  readonly alphaLr: number;
  readonly clipNorm: number;
}

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
 * La-MAML's glance (lamaml.ts) in host memory for single-head MLPs: the inner single-example
 * steps on HostMlp, the n meta-gradients by HostBatchGradient (OpenBLAS when available), the
 * closed-form first-order gradients of θ and α, clipping and the update. Same arithmetic as
 * laMamlMetaGradients + LaMaml.apply on the tf path, without a tfjs launch.
 */
export class HostLaMaml {
  private readonly batch: HostBatchGradient;
  private readonly fast: HostParams;
  private readonly rates: HostParams;
  private readonly gradSum: HostParams;
  private readonly sumTheta: HostParams;
  private readonly sumAlpha: HostParams;
  private readonly meta: HostParams;

  constructor(private readonly mlp: HostMlp, readonly theta: HostParams, readonly alpha: HostParams) {
    this.batch = new HostBatchGradient(mlp);
    [this.fast, this.rates, this.gradSum, this.sumTheta, this.sumAlpha, this.meta] = Array.from({ length: 6 }, () => zerosLike(theta));
  }

  /** One glance: inner steps on `inner`'s rows in `order`, meta-loss on `metaBatch`; updates θ and α. Returns the mean meta-loss. */
  glance(inner: StoredExamples, order: readonly number[], metaBatch: StoredExamples, head: number, s: GlanceSettings): number {
    const d = this.mlp.inputSize;
    const w = inner.y.length / inner.n;
    copyParams(this.theta, this.fast);
    for (let k = 0; k < this.alpha.length; k++) {
      const a = this.alpha[k];
      const r = this.rates[k];
      for (let j = 0; j < a.length; j++) r[j] = a[j] > 0 ? a[j] : 0;
      this.gradSum[k].fill(0);
      this.sumTheta[k].fill(0);
      this.sumAlpha[k].fill(0);
    }
    let loss = 0;
    for (const i of order) {
      // θ_i = θ_{i−1} − relu(α)⊙g_i, and Σ_{j≤i} g_j accumulates alongside.
      const target = w === 1 ? inner.y[i] : inner.y;
      this.mlp.step(this.fast, inner.x, i * d, target, i * w, head, this.rates, 1, this.gradSum);
      loss += this.batch.gradient(this.fast, metaBatch.x, metaBatch.n, metaBatch.y, head, this.meta);
      for (let k = 0; k < this.meta.length; k++) {
        const m = this.meta[k];
        const st = this.sumTheta[k];
        const sa = this.sumAlpha[k];
        const G = this.gradSum[k];
        for (let j = 0; j < m.length; j++) {
          st[j] += m[j];
          sa[j] += m[j] * G[j];
        }
      }
    }
    const n = order.length;
    for (let k = 0; k < this.alpha.length; k++) {
      const st = this.sumTheta[k];
      const sa = this.sumAlpha[k];
      const a = this.alpha[k];
      for (let j = 0; j < st.length; j++) {
        st[j] /= n;
        sa[j] = a[j] > 0 ? -sa[j] / n : 0;
      }
    }
    clipInPlace(this.sumTheta, s.clipNorm);
    clipInPlace(this.sumAlpha, s.clipNorm);
    for (let k = 0; k < this.theta.length; k++) {
      const p = this.theta[k];
      const a = this.alpha[k];
      const gt = this.sumTheta[k];
      const ga = this.sumAlpha[k];
      if (s.learnLr) for (let j = 0; j < a.length; j++) a[j] -= s.alphaLr * ga[j];
      if (s.syncUpdate) for (let j = 0; j < p.length; j++) p[j] -= s.lr * gt[j];
      else for (let j = 0; j < p.length; j++) p[j] -= (a[j] > 0 ? a[j] : 0) * gt[j];
    }
    return loss / n;
  }

  /** Whether the meta-gradients run on OpenBLAS. */
  get native(): boolean {
    return this.batch.native;
  }
}

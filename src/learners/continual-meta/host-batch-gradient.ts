import * as tf from '../../backend/tf.js';
import { type NativeBlas, loadNativeBlas } from '../../backend/native.js';
import { DENSE } from '../../backend/native-kernels.js';
import type { HostMlp, HostParams, Layer } from './host-mlp.js';

/**
 * The gradient of the mean loss over a batch of rows for a HostMlp, in host memory: OpenBLAS
 * through the native addon when the backend runs its kernels (one gemm per layer forward, one
 * call per layer backward, no tfjs launch), plain loops otherwise. La-MAML takes one such
 * gradient per inner step of every glance, on the replay-plus-incoming batch.
 */
export class HostBatchGradient {
  private readonly trunk: readonly Layer[];
  private readonly heads: readonly Layer[];
  private readonly classification: boolean;
  private readonly blas?: NativeBlas;
  /** acts[l]: input of trunk layer l (acts[0] unused: the rows are read in place); acts[depth]: the head's input. */
  private acts: Float32Array[] = [];
  private deltas: Float32Array[] = [];
  private out = new Float32Array(0);
  private rows = 0;

  constructor(mlp: HostMlp) {
    const { trunk, heads, kind } = mlp.layers;
    this.trunk = trunk;
    this.heads = heads;
    this.classification = kind === 'classification';
    // The addon only where the backend uses it for its own kernels (same switches, same numbers).
    const blas = tf.getKernel(DENSE, tf.getBackend()) ? loadNativeBlas() : undefined;
    this.blas = typeof blas === 'object' ? blas : undefined;
  }

  get native(): boolean {
    return this.blas !== undefined;
  }

  /** Room for m rows in every buffer. */
  private reserve(m: number): void {
    if (m <= this.rows) return;
    const widths = [this.trunk[0]?.din ?? this.heads[0].din, ...this.trunk.map((l) => l.dout)];
    this.acts = widths.map((w) => new Float32Array(m * w));
    this.deltas = widths.map((w) => new Float32Array(m * w));
    this.out = new Float32Array(m * this.heads[0].dout);
    this.rows = m;
  }

  /**
   * ∇ of the mean loss over m rows of x (row-major) with labels y (class ids, or m·outputs targets)
   * at `params`, scored by `head`, written into `grads` (same shapes as params). Returns the mean loss.
   */
  gradient(params: HostParams, x: Float32Array, m: number, y: Float32Array, head: number, grads: HostParams): number {
    this.reserve(m);
    const depth = this.trunk.length;
    let input = x;
    for (let l = 0; l < depth; l++) {
      const layer = this.trunk[l];
      this.affine(layer, params, input, m, this.acts[l + 1], true);
      input = this.acts[l + 1];
    }
    const h = this.heads[head];
    this.affine(h, params, input, m, this.out, false);
    const loss = this.outputDelta(y, m, h.dout);
    this.backward(h, params, depth === 0 ? x : this.acts[depth], m, this.out, undefined, depth === 0 ? undefined : this.deltas[depth], grads);
    for (let l = depth - 1; l >= 0; l--) {
      const layer = this.trunk[l];
      this.backward(layer, params, l === 0 ? x : this.acts[l], m, this.deltas[l + 1], this.acts[l + 1], l === 0 ? undefined : this.deltas[l], grads);
    }
    return loss;
  }

  /** out ← act(input·W + b) for m rows. */
  private affine(layer: Layer, params: HostParams, input: Float32Array, m: number, out: Float32Array, relu: boolean): void {
    const { din, dout } = layer;
    const W = params[layer.kernel];
    const b = params[layer.bias];
    if (this.blas) {
      this.blas.gemm(false, false, m, dout, din, 1, input, 0, 0, W, 0, 0, out, 0, b, 0, dout, relu ? 1 : 0);
      return;
    }
    for (let r = 0; r < m; r++) {
      const o = r * dout;
      for (let j = 0; j < dout; j++) out[o + j] = b[j];
      for (let i = 0; i < din; i++) {
        const xi = input[r * din + i];
        if (xi === 0) continue;
        const row = i * dout;
        for (let j = 0; j < dout; j++) out[o + j] += xi * W[row + j];
      }
      if (relu) for (let j = 0; j < dout; j++) if (out[o + j] < 0) out[o + j] = 0;
    }
  }

  /** out ← ∂(mean loss)/∂output, in place; returns the mean loss. */
  private outputDelta(y: Float32Array, m: number, c: number): number {
    const out = this.out;
    let total = 0;
    for (let r = 0; r < m; r++) {
      const o = r * c;
      if (this.classification) {
        const label = y[r];
        let max = -Infinity;
        for (let j = 0; j < c; j++) if (out[o + j] > max) max = out[o + j];
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp(out[o + j] - max);
        const lse = max + Math.log(sum);
        total += lse - out[o + label];
        for (let j = 0; j < c; j++) out[o + j] = (Math.exp(out[o + j] - lse) - (j === label ? 1 : 0)) / m;
      } else {
        for (let j = 0; j < c; j++) {
          const d = out[o + j] - y[o + j];
          total += (d * d) / c;
          out[o + j] = (2 * d) / (m * c);
        }
      }
    }
    return total / m;
  }

  /**
   * Gradients of one layer from the delta at its output (masked by its ReLU when `output` is
   * given): dW = inputᵀg, db = Σ g, and the delta at its input (unless `dIn` is undefined).
   */
  private backward(
    layer: Layer, params: HostParams, input: Float32Array, m: number, delta: Float32Array, output: Float32Array | undefined,
    dIn: Float32Array | undefined, grads: HostParams,
  ): void {
    const { din, dout } = layer;
    const W = params[layer.kernel];
    const dW = grads[layer.kernel];
    const db = grads[layer.bias];
    if (this.blas) {
      this.blas.denseBackward(m, din, dout, output !== undefined, input, 0, W, 0, output ?? delta, 0, delta, 0, dIn ?? null, 0, dW, 0, db, 0);
      return;
    }
    if (output) for (let k = 0; k < m * dout; k++) if (output[k] <= 0) delta[k] = 0;
    dW.fill(0);
    db.fill(0);
    for (let r = 0; r < m; r++) {
      const g = r * dout;
      for (let j = 0; j < dout; j++) db[j] += delta[g + j];
      for (let i = 0; i < din; i++) {
        const row = i * dout;
        if (dIn) {
          let s = 0;
          for (let j = 0; j < dout; j++) s += W[row + j] * delta[g + j];
          dIn[r * din + i] = s;
        }
        const xi = input[r * din + i];
        if (xi === 0) continue;
        for (let j = 0; j < dout; j++) dW[row + j] += xi * delta[g + j];
      }
    }
  }
}

import * as tf from '../../backend/tf.js';
import type { DenseLayer, FunctionalModel } from '../../models/types.js';
import type { ProblemKind } from '../../streams/types.js';
import { Rng } from '../../util/rng.js';

/** One dense layer of the chain: parameter indices of its kernel [din, dout] and bias [dout]. */
export type Layer = DenseLayer;

/** Parameter values in host memory, in the model's parameter order. */
export type HostParams = Float32Array[];

/** Per-parameter step sizes (La-MAML's relu(α)), same shapes as the parameters. */
export type HostStepSizes = number | readonly Float32Array[];

/** The layer chain of a model that declares itself an MLP (model.structure); undefined for any other. */
export function mlpLayers(model: FunctionalModel): { readonly trunk: readonly Layer[]; readonly heads: readonly Layer[] } | undefined {
  return model.structure?.kind === 'mlp' ? model.structure : undefined;
}

/**
 * An MLP trained one example at a time in host memory: forward, backward and the SGD update of a
 * single example fused into one pass over each weight matrix, with no tfjs kernel launched.
 *
 * Why: MER's inner loop is millions of sequential single-example steps. A tfjs step costs ~36
 * kernel launches (~1 ms on wasm); here a step is ~75k multiply-adds in plain loops, and input
 * pixels that are zero (most of an MNIST image) skip their row of the first layer entirely.
 * Used only when `HostMlp.for` has checked that it computes exactly what model.forward computes.
 */
export class HostMlp {
  /** Activations per trunk layer (index 0 unused: the input is read in place). */
  private readonly acts: Float64Array[];
  private readonly out: Float64Array;
  private readonly deltas: Float64Array[];
  private readonly outputSize: number;
  /** Single-example SGD steps taken (MER's `sgd_steps`). */
  steps = 0;

  private constructor(
    private readonly trunk: readonly Layer[],
    private readonly heads: readonly Layer[],
    private readonly kind: ProblemKind,
  ) {
    this.acts = [new Float64Array(0), ...trunk.map((l) => new Float64Array(l.dout))];
    this.outputSize = heads[0].dout;
    this.out = new Float64Array(this.outputSize);
    const widths = [trunk[0]?.din ?? heads[0].din, ...trunk.map((l) => l.dout)];
    this.deltas = widths.map((w) => new Float64Array(w));
  }

  /**
   * The host engine for `model`, or undefined when the model is not a ReLU MLP chain that this
   * engine reproduces: its output is checked against model.forward on random inputs for every head.
   */
  static for(model: FunctionalModel, kind: ProblemKind): HostMlp | undefined {
    const layers = mlpLayers(model);
    if (!layers) return undefined;
    const engine = new HostMlp(layers.trunk, layers.heads, kind);
    return engine.reproduces(model) ? engine : undefined;
  }

  get inputSize(): number {
    return this.trunk[0]?.din ?? this.heads[0].din;
  }

  /** The layer chain: ReLU trunk layers, then one linear layer per head. */
  get layers(): { readonly trunk: readonly Layer[]; readonly heads: readonly Layer[]; readonly kind: ProblemKind } {
    return { trunk: this.trunk, heads: this.heads, kind: this.kind };
  }

  private reproduces(model: FunctionalModel): boolean {
    const rng = new Rng(12345);
    const tensors = model.init(rng);
    const params = tensors.map((t) => Float32Array.from(t.dataSync()));
    // Random biases too, so a model that ignored them would be caught.
    for (const l of [...this.trunk, ...this.heads]) for (let j = 0; j < l.dout; j++) params[l.bias][j] = rng.uniform(-0.5, 0.5);
    const rows = 3;
    const x = Float32Array.from({ length: rows * this.inputSize }, (_, i) => (i % 3 === 0 ? 0 : rng.uniform(-1, 1)));
    try {
      for (let head = 0; head < this.heads.length; head++) {
        const expected = tf.tidy(() => {
          const values = params.map((p, i) => tf.tensor(p, [...model.params[i].shape]));
          return model.forward(values, tf.tensor2d(x, [rows, this.inputSize]), head).dataSync();
        });
        for (let r = 0; r < rows; r++) {
          this.forward(params, x, r * this.inputSize, head);
          for (let j = 0; j < this.outputSize; j++) {
            const want = expected[r * this.outputSize + j];
            if (!(Math.abs(this.out[j] - want) <= 1e-4 * (1 + Math.abs(want)))) return false;
          }
        }
      }
      return true;
    } catch {
      return false;
    } finally {
      tf.dispose(tensors);
    }
  }

  /** Output of one example (row at xOffset of x) into this.out; fills the trunk activations. */
  private forward(params: HostParams, x: ArrayLike<number>, xOffset: number, head: number): void {
    let input: ArrayLike<number> = x;
    let offset = xOffset;
    for (let l = 0; l < this.trunk.length; l++) {
      const layer = this.trunk[l];
      const a = this.acts[l + 1];
      affine(params[layer.kernel], params[layer.bias], input, offset, layer.din, layer.dout, a);
      for (let j = 0; j < layer.dout; j++) if (a[j] < 0) a[j] = 0;
      input = a;
      offset = 0;
    }
    const h = this.heads[head];
    affine(params[h.kernel], params[h.bias], input, offset, h.din, h.dout, this.out);
  }

  /** Output values of one example (copied), for tests and diagnostics. */
  predict(params: HostParams, x: ArrayLike<number>, xOffset = 0, head = 0): Float64Array {
    this.forward(params, x, xOffset, head);
    return Float64Array.from(this.out);
  }

  /**
   * One SGD step on one example, in place: θ ← θ − lr ⊙ scale·∇ℓ(θ). `target` is a class id, or
   * the row at targetOffset of a regression target array. When `gradSum` is given, scale·∇ℓ is
   * also added into it (La-MAML's Σ of inner gradients). Returns the example's loss before the step.
   */
  step(
    params: HostParams, x: ArrayLike<number>, xOffset: number, target: number | ArrayLike<number>, targetOffset: number,
    head: number, lr: HostStepSizes, scale = 1, gradSum?: HostParams,
  ): number {
    this.forward(params, x, xOffset, head);
    const loss = this.outputDelta(target, targetOffset, scale);
    const depth = this.trunk.length;
    // deltas[l] is ∂ℓ/∂(input of trunk layer l); deltas[depth] is ∂ℓ/∂(input of the head).
    // Backward, top layer first; each layer's input delta is formed before its weights move.
    const inputOf = (l: number): [ArrayLike<number>, number] => (l === 0 ? [x, xOffset] : [this.acts[l], 0]);
    this.update(params, this.heads[head], ...inputOf(depth), this.out, depth === 0 ? undefined : this.deltas[depth], lr, gradSum);
    for (let l = depth - 1; l >= 0; l--) {
      const layer = this.trunk[l];
      // Through the ReLU at layer l's output.
      const delta = this.deltas[l + 1];
      const a = this.acts[l + 1];
      for (let j = 0; j < layer.dout; j++) if (a[j] <= 0) delta[j] = 0;
      this.update(params, layer, ...inputOf(l), delta, l === 0 ? undefined : this.deltas[l], lr, gradSum);
    }
    this.steps++;
    return loss;
  }

  /** this.out ← scale·∂ℓ/∂output (in place); returns ℓ. */
  private outputDelta(target: number | ArrayLike<number>, targetOffset: number, scale: number): number {
    const out = this.out;
    const c = this.outputSize;
    if (this.kind === 'classification') {
      const label = target as number;
      let max = -Infinity;
      for (let j = 0; j < c; j++) if (out[j] > max) max = out[j];
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(out[j] - max);
      const lse = max + Math.log(sum);
      const loss = lse - out[label];
      for (let j = 0; j < c; j++) out[j] = scale * (Math.exp(out[j] - lse) - (j === label ? 1 : 0));
      return loss;
    }
    const y = target as ArrayLike<number>;
    let loss = 0;
    for (let j = 0; j < c; j++) {
      const d = out[j] - y[targetOffset + j];
      loss += d * d;
      out[j] = (scale * 2 * d) / c;
    }
    return loss / c;
  }

  /**
   * For a layer with input a and output delta d: writes the input delta dIn = W d (before the
   * update) when asked, then W ← W − lr ⊙ a dᵀ, b ← b − lr ⊙ d, one pass over W.
   */
  private update(
    params: HostParams, layer: Layer, a: ArrayLike<number>, aOffset: number, d: Float64Array, dIn: Float64Array | undefined,
    lr: HostStepSizes, gradSum: HostParams | undefined,
  ): void {
    const W = params[layer.kernel];
    const b = params[layer.bias];
    const { din, dout } = layer;
    const scalar = typeof lr === 'number';
    const rateW = scalar ? undefined : lr[layer.kernel];
    const rateB = scalar ? undefined : lr[layer.bias];
    const sumW = gradSum?.[layer.kernel];
    const sumB = gradSum?.[layer.bias];
    for (let i = 0; i < din; i++) {
      const row = i * dout;
      if (dIn) {
        let s = 0;
        for (let j = 0; j < dout; j++) s += W[row + j] * d[j];
        dIn[i] = s;
      }
      const ai = a[aOffset + i];
      if (ai === 0) continue;
      if (sumW) for (let j = 0; j < dout; j++) sumW[row + j] += ai * d[j];
      if (scalar) {
        const f = (lr as number) * ai;
        for (let j = 0; j < dout; j++) W[row + j] -= f * d[j];
      } else {
        for (let j = 0; j < dout; j++) W[row + j] -= rateW![row + j] * ai * d[j];
      }
    }
    if (sumB) for (let j = 0; j < dout; j++) sumB[j] += d[j];
    if (scalar) for (let j = 0; j < dout; j++) b[j] -= (lr as number) * d[j];
    else for (let j = 0; j < dout; j++) b[j] -= rateB![j] * d[j];
  }
}

/** out ← xᵀW + b for one input row; zero inputs skip their row of W. */
function affine(W: Float32Array, b: Float32Array, x: ArrayLike<number>, offset: number, din: number, dout: number, out: Float64Array): void {
  for (let j = 0; j < dout; j++) out[j] = b[j];
  for (let i = 0; i < din; i++) {
    const xi = x[offset + i];
    if (xi === 0) continue;
    const row = i * dout;
    for (let j = 0; j < dout; j++) out[j] += xi * W[row + j];
  }
}

/** Host copies of parameter tensors (one device→host read each). */
export function readParams(tensors: readonly tf.Tensor[]): HostParams {
  return tensors.map((t) => Float32Array.from(t.dataSync()));
}

/** Deep copy of host parameters, into `into` when given (no allocation). */
export function copyParams(source: HostParams, into?: HostParams): HostParams {
  if (!into) return source.map((p) => Float32Array.from(p));
  source.forEach((p, i) => into[i].set(p));
  return into;
}

/** Reptile's interpolation in place: θ ← from + rate·(θ − from); with `resave`, also from ← θ (same pass). */
export function interpolateParams(params: HostParams, from: HostParams, rate: number, resave = false): void {
  if (rate === 1) {
    if (resave) copyParams(params, from);
    return;
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const f = from[i];
    if (resave) {
      for (let j = 0; j < p.length; j++) f[j] = p[j] = f[j] + rate * (p[j] - f[j]);
    } else {
      for (let j = 0; j < p.length; j++) p[j] = f[j] + rate * (p[j] - f[j]);
    }
  }
}

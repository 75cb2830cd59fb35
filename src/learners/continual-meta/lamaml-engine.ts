import type * as tf from '../../backend/tf.js';
import type { StoredExamples } from '../base/example-memory.js';

/**
 * Where La-MAML's θ and per-parameter step sizes α live, and the operations its glance is made of
 * (lamaml.ts `laMamlGlance` is the algorithm over them). Two implementations compute the same
 * thing: `host` (lamaml-host.ts: plain loops, single-head MLPs, no tfjs launch) and `tf`
 * (lamaml-tf.ts: any functional model, through tfjs).
 *
 * Within a glance the engine keeps the fast weights θ_i and Σ_{j≤i} g_j of the inner gradients;
 * the meta-gradients and their clipping stay in the engine until the updates read them.
 */
export interface LookAheadEngine {
  readonly kind: 'host' | 'tf';
  /**
   * Starts a glance at θ_0 = θ: `inner`'s rows are the inner steps' examples (scored by
   * `innerHead`), `meta` is the meta-loss batch (each row scored by its own task's head).
   */
  begin(inner: StoredExamples, meta: StoredExamples, innerHead: number): void;
  /** θ_i = θ_{i−1} − relu(α)⊙g_i with g_i = ∇ℓ(θ_{i−1}; row of inner), held constant (first order). */
  innerStep(row: number): void;
  /**
   * Adds L_meta(θ_i), at the fast weights of the inner step just taken, to the meta-objective (the
   * mean of those added); called once after every innerStep. An engine may evaluate it at once
   * or all of a glance's together in metaGradients().
   */
  addMetaLoss(): void;
  /**
   * The first-order meta-gradients of the meta-objective, in closed form:
   * ∂/∂θ = mean_i ∇L(θ_i) and ∂/∂α = −mean_i ∇L(θ_i) ⊙ (Σ_{j≤i} g_j) ⊙ 1[α > 0].
   * Returns the meta-objective's value.
   */
  metaGradients(): number;
  /** Rescales the θ and the α meta-gradients, each on its own, to a global L2 norm of at most maxNorm. */
  clipMetaGradients(maxNorm: number): void;
  /** α ← α − lr·∂/∂α. */
  updateAlpha(lr: number): void;
  /** θ ← θ − lr·∂/∂θ (synchronous SGD), or with 'relu-alpha' θ ← θ − relu(α)⊙∂/∂θ (with α as it is now). */
  updateTheta(rate: number | 'relu-alpha'): void;
  /** Writes θ and α into the learner's variables (a no-op where they live there). */
  commit(theta: readonly tf.Variable[], alpha: readonly tf.Variable[]): void;
  dispose(): void;
}

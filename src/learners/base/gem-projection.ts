import { solveQP } from 'quadprog';
import * as tf from '../../backend/tf.js';

export interface GemProjectionOptions {
  /**
   * Lower bound on each dual variable (GEM's "memory strength"). The GEM code imposes v ≥ margin,
   * which biases the update towards the memories' gradients; 0 gives the plain projection.
   */
  readonly margin: number;
  /** Added to the diagonal of G·Gᵀ so the QP stays strictly convex when memory gradients are collinear. */
  readonly eps: number;
}

/**
 * GEM's dual QP (Lopez-Paz & Ranzato 2017, eq. 11), solved with quadprog's Goldfarb–Idnani method:
 *   min_v ½ vᵀ(G·Gᵀ + εI)v + (G·g)ᵀv   subject to  v ≥ margin,
 * where the rows of G are the past tasks' gradients and g the current one. The projected gradient is
 * then g̃ = Gᵀv + g. Works on host numbers only: the t×t Gram matrix and t dot products.
 *
 * With ε = 0 the optimum satisfies G·g̃ ≥ 0 exactly (KKT); with ε > 0 each constraint k is relaxed
 * by ε·v_k.
 */
export function solveGemDual(gram: ArrayLike<number>, dots: ArrayLike<number>, t: number, options: GemProjectionOptions): Float64Array {
  // quadprog is 1-based (a port of Fortran): row and column 0 stay unused.
  const D: number[][] = [[]];
  const A: number[][] = [[]];
  const d: number[] = [0];
  const b: number[] = [0];
  for (let i = 1; i <= t; i++) {
    D[i] = [0];
    A[i] = [0];
    for (let j = 1; j <= t; j++) {
      // Symmetrised as in the GEM code: float32 Gram entries need not be exactly symmetric.
      const gij = 0.5 * (gram[(i - 1) * t + (j - 1)] + gram[(j - 1) * t + (i - 1)]);
      D[i][j] = gij + (i === j ? options.eps : 0);
      A[i][j] = i === j ? 1 : 0;
    }
    d[i] = -dots[i - 1];
    b[i] = options.margin;
  }
  const result = solveQP(D, d, A, b);
  if (result.message) throw new Error(`GEM quadratic program failed: ${result.message}`);
  return Float64Array.from({ length: t }, (_, k) => result.solution[k + 1]);
}

export interface GemProjection {
  /** The gradient to apply: g itself when no constraint is violated, else Gᵀv + g. */
  readonly gradient: tf.Tensor1D;
  readonly projected: boolean;
  /** Seconds spent inside the QP solver (0 when no projection was needed). */
  readonly qpSeconds: number;
}

/**
 * GEM's projection of a flat gradient `g` against the rows of `memoryGrads` ([t, P]): only when
 * some g·g_k < 0, as in the GEM code. The inputs stay owned by the caller.
 */
export function projectGem(g: tf.Tensor1D, memoryGrads: tf.Tensor2D, options: GemProjectionOptions): GemProjection {
  const t = memoryGrads.shape[0];
  const dotsTensor = tf.tidy(() => tf.reshape(tf.matMul(memoryGrads, tf.reshape(g, [-1, 1])), [-1]));
  const dots = dotsTensor.dataSync();
  dotsTensor.dispose();
  if (!dots.some((v) => v < 0)) return { gradient: tf.clone(g), projected: false, qpSeconds: 0 };

  const gramTensor = tf.matMul(memoryGrads, memoryGrads, false, true);
  const gram = gramTensor.dataSync();
  gramTensor.dispose();
  const started = performance.now();
  const v = solveGemDual(gram, dots, t, options);
  const qpSeconds = (performance.now() - started) / 1000;
  const gradient = tf.tidy(() => {
    const weights = tf.tensor2d(Float32Array.from(v), [1, t]);
    return tf.add(g, tf.reshape(tf.matMul(weights, memoryGrads), [-1])) as tf.Tensor1D;
  });
  return { gradient, projected: true, qpSeconds };
}

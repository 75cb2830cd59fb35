import * as tf from '../../backend/tf.js';

/**
 * The quadratic anchor shared by EWC and SI: Σ_i Ω_i (θ_i − θ*_i)², with a per-parameter importance
 * Ω (a Fisher diagonal, SI's path-integral importance) and a centre θ*.
 *
 * Several anchors (EWC's one penalty per task) are merged into one: Σ_k Ω_k(θ − c_k)² equals
 * A(θ − m)² + const with A = Σ_k Ω_k and m the Ω-weighted mean of the centres. The gradient is
 * exact, the cost per step does not grow with the number of tasks, and the constant is kept so the
 * reported value is the full sum.
 */
export class QuadraticPenalty {
  private importance: tf.Tensor[] | null = null;
  private center: tf.Tensor[] | null = null;
  private offset: tf.Scalar | null = null;

  /** Whether any anchor has been set (before that the penalty is zero). */
  get active(): boolean {
    return this.importance !== null;
  }

  /** penalty += Σ Ω (θ − θ*)². Takes ownership of `importance`; copies `center`. */
  addAnchor(importance: tf.Tensor[], center: readonly tf.Tensor[]): void {
    if (!this.importance || !this.center || !this.offset) {
      this.importance = importance;
      this.center = center.map((c) => tf.clone(c));
      this.offset = tf.scalar(0);
      return;
    }
    const oldA = this.importance;
    const oldM = this.center;
    const merged = tf.tidy(() => {
      const A = oldA.map((a, i) => tf.add(a, importance[i]));
      const M = A.map((sum, i) => {
        const weighted = tf.div(tf.add(tf.mul(oldA[i], oldM[i]), tf.mul(importance[i], center[i])), sum);
        return tf.where(tf.greater(sum, 0), weighted, center[i]);
      });
      // A(θ−a)² + Ω(θ−b)² = (A+Ω)(θ−m)² + AΩ/(A+Ω)·(a−b)²
      const extra = tf.addN(
        A.map((sum, i) => {
          const share = tf.where(tf.greater(sum, 0), tf.div(tf.mul(oldA[i], importance[i]), sum), tf.zerosLike(sum));
          return tf.sum(tf.mul(share, tf.squaredDifference(oldM[i], center[i])));
        }),
      );
      return { A, M, offset: tf.add(this.offset!, extra) as tf.Scalar };
    });
    tf.dispose([...oldA, ...oldM, this.offset, ...importance]);
    this.importance = merged.A;
    this.center = merged.M;
    this.offset = merged.offset;
  }

  /**
   * The running form (online EWC, SI): Ω ← decay·Ω + importance and θ* ← center, forgetting older
   * centres. Takes ownership of `importance`; copies `center`.
   */
  replaceAnchor(importance: tf.Tensor[], center: readonly tf.Tensor[], decay: number): void {
    const previous = this.importance;
    this.importance = previous ? tf.tidy(() => previous.map((a, i) => tf.add(tf.mul(a, decay), importance[i]))) : importance.map((t) => tf.clone(t));
    tf.dispose([...(previous ?? []), ...importance, ...(this.center ?? []), ...(this.offset ? [this.offset] : [])]);
    this.center = center.map((c) => tf.clone(c));
    this.offset = tf.scalar(0);
  }

  /** Σ Ω (θ − θ*)² at `params` (differentiable). Zero before any anchor. */
  value(params: readonly tf.Tensor[]): tf.Scalar {
    const { importance, center, offset } = this;
    if (!importance || !center || !offset) return tf.scalar(0);
    return tf.tidy(() => tf.add(offset, tf.addN(params.map((p, i) => tf.sum(tf.mul(importance[i], tf.squaredDifference(p, center[i])))))) as tf.Scalar);
  }

  /**
   * grads + scale·∂penalty/∂θ, one new tensor per parameter (the inputs stay the caller's). Adding
   * the penalty's exact gradient this way is cheaper than differentiating it through the tape.
   */
  addGradient(grads: readonly tf.Tensor[], params: readonly tf.Tensor[], scale: number): tf.Tensor[] {
    const { importance, center } = this;
    if (!importance || !center) return grads.map((g) => tf.clone(g));
    return tf.tidy(() => params.map((p, i) => tf.add(grads[i], tf.mul(importance[i], tf.mul(tf.sub(p, center[i]), 2 * scale)))));
  }

  /** The merged importance A (for inspection and tests); null before any anchor. */
  get totalImportance(): readonly tf.Tensor[] | null {
    return this.importance;
  }

  dispose(): void {
    tf.dispose([...(this.importance ?? []), ...(this.center ?? []), ...(this.offset ? [this.offset] : [])]);
    this.importance = null;
    this.center = null;
    this.offset = null;
  }
}

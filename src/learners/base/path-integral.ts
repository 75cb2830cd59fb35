import * as tf from '../../backend/tf.js';

/**
 * Synaptic Intelligence's importance (Zenke, Poole & Ganguli 2017). During a task each parameter
 * accumulates ω += −g·Δθ, its share of the loss decrease along the optimisation path (g is the
 * gradient of the task loss alone, Δθ the step actually taken). At the task's end its importance is
 * Ω = ω / ((θ_end − θ_start)² + ξ).
 */
export class PathIntegral {
  private omega: tf.Tensor[] = [];
  private start: tf.Tensor[] = [];

  /** Starts a task at the current parameters: ω = 0. */
  begin(params: readonly tf.Tensor[]): void {
    this.dispose();
    this.omega = params.map((p) => tf.zerosLike(p));
    this.start = params.map((p) => tf.clone(p));
  }

  get started(): boolean {
    return this.start.length > 0;
  }

  /** ω += −g·(after − before) for one step. The inputs stay owned by the caller. */
  accumulate(grads: readonly tf.Tensor[], before: readonly tf.Tensor[], after: readonly tf.Tensor[]): void {
    const previous = this.omega;
    this.omega = tf.tidy(() => previous.map((w, i) => tf.sub(w, tf.mul(grads[i], tf.sub(after[i], before[i])))));
    tf.dispose(previous);
  }

  /**
   * The task's importance Ω = max(0, ω / ((θ − θ_start)² + ξ)) at the current parameters. Negative
   * path integrals (steps that raised the task loss, from gradient noise) are clipped at 0, as the
   * A-GEM/RWalk implementation does, so the penalty stays convex.
   */
  importance(params: readonly tf.Tensor[], xi: number): tf.Tensor[] {
    return tf.tidy(() =>
      params.map((p, i) => tf.relu(tf.div(this.omega[i], tf.add(tf.squaredDifference(p, this.start[i]), xi)))),
    );
  }

  dispose(): void {
    tf.dispose([...this.omega, ...this.start]);
    this.omega = [];
    this.start = [];
  }
}

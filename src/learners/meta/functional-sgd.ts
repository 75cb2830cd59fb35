import * as tf from '../../backend/tf.js';

/** A loss as a function of parameter values (the model and the data closed over). */
export type ParamLoss = (params: readonly tf.Tensor[]) => tf.Scalar;

/** One step size for every parameter, or one per parameter: a number, or a tensor of the parameter's shape (Meta-SGD). */
export type StepSizes = number | readonly (number | tf.Tensor)[];

export interface InnerLoopOptions {
  readonly steps: number;
  readonly lr: StepSizes;
  /** Which parameters adapt (default: all). The others pass through unchanged (ANIL adapts the head only). */
  readonly adapt?: readonly boolean[];
}

/** ∇L with respect to the parameters marked in `adapt` (null for the others). */
function gradientsOf(loss: ParamLoss, params: readonly tf.Tensor[], adapt?: readonly boolean[]): (tf.Tensor | null)[] {
  const movingIdx = params.flatMap((_, i) => ((adapt?.[i] ?? true) ? [i] : []));
  const withMoving = (values: readonly tf.Tensor[]): tf.Tensor[] => {
    const all = [...params];
    movingIdx.forEach((p, k) => (all[p] = values[k]));
    return all;
  };
  const grads = tf.grads((...values: tf.Tensor[]) => loss(withMoving(values)))(movingIdx.map((i) => params[i]));
  const out: (tf.Tensor | null)[] = params.map(() => null);
  movingIdx.forEach((p, k) => (out[p] = grads[k]));
  return out;
}

const rateOf = (lr: StepSizes, i: number): number | tf.Tensor => (typeof lr === 'number' ? lr : lr[i]);

/**
 * One functional SGD step, θ' = θ − α ∇L(θ). Nothing is assigned: the result is new tensors. Run
 * inside an outer tf.grads, the inner gradient is recorded on the outer tape too, so the outer
 * gradient differentiates through this step (second-order MAML); run outside any tape it is a
 * plain step (first-order MAML, Reptile, test-time adaptation).
 */
export function sgdStep(loss: ParamLoss, params: readonly tf.Tensor[], lr: StepSizes, adapt?: readonly boolean[]): tf.Tensor[] {
  const grads = gradientsOf(loss, params, adapt);
  return params.map((p, i) => (grads[i] ? tf.sub(p, tf.mul(rateOf(lr, i), grads[i]!)) : p));
}

/** `steps` functional SGD steps from `params` (the intermediate steps are freed by the caller's tidy). */
export function innerLoop(loss: ParamLoss, params: readonly tf.Tensor[], options: InnerLoopOptions): tf.Tensor[] {
  let current = [...params];
  for (let s = 0; s < options.steps; s++) current = sgdStep(loss, current, options.lr, options.adapt);
  return current;
}

/**
 * Σ_k ∇L(θ_k) along the inner trajectory, so that θ_K = θ − α·Σ_k ∇L(θ_k) for a constant α (null
 * for parameters that do not adapt). First-order MAML treats this sum as a constant.
 */
export function summedInnerGradients(loss: ParamLoss, params: readonly tf.Tensor[], options: InnerLoopOptions): (tf.Tensor | null)[] {
  let current = [...params];
  let sums: (tf.Tensor | null)[] = params.map(() => null);
  for (let s = 0; s < options.steps; s++) {
    const grads = gradientsOf(loss, current, options.adapt);
    current = current.map((p, i) => (grads[i] ? tf.sub(p, tf.mul(rateOf(options.lr, i), grads[i]!)) : p));
    sums = sums.map((sum, i) => (grads[i] ? (sum ? tf.add(sum, grads[i]!) : grads[i]) : sum));
  }
  return sums;
}

/** The value and gradient of `loss` at `params`, every parameter included. */
export function lossAndGrads(loss: ParamLoss, params: readonly tf.Tensor[]): { value: tf.Scalar; grads: tf.Tensor[] } {
  return tf.valueAndGrads((...values: tf.Tensor[]) => loss(values))([...params]);
}

import * as tf from '../../backend/tf.js';

/**
 * Gradient helpers for learners that edit gradients before applying them (GEM, A-GEM, SI): the
 * gradient of a loss per parameter, the same as one flat vector, and the way back.
 */

export interface ParameterGradients {
  /** The loss value (a scalar tensor the caller disposes). */
  readonly value: tf.Scalar;
  /** One gradient per parameter, in parameter order. */
  readonly grads: tf.Tensor[];
}

/**
 * Gradients of `loss` with respect to every parameter, in order. A parameter the loss does not
 * reach (another task's head) gets zeros, so the list always lines up with `params`.
 */
export function parameterGradients(params: readonly tf.Variable[], loss: () => tf.Scalar): ParameterGradients {
  const { value, grads } = tf.variableGrads(loss, [...params]);
  return { value, grads: params.map((p) => grads[p.name] ?? tf.zerosLike(p)) };
}

/** The tensors concatenated into one vector (parameter order, row-major within each). */
export function flatten(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
}

/** Cuts a flat vector back into tensors shaped like `like`. */
export function unflatten(flat: tf.Tensor1D, like: readonly tf.Tensor[]): tf.Tensor[] {
  // One slice per tensor: tf.split is two orders of magnitude slower on the wasm backend.
  return tf.tidy(() => {
    let offset = 0;
    return like.map((t) => {
      const piece = tf.reshape(tf.slice(flat, offset, t.size), t.shape);
      offset += t.size;
      return piece;
    });
  });
}

/** Loss value and its gradient as one flat vector. */
export function flatGradient(params: readonly tf.Variable[], loss: () => tf.Scalar): { value: tf.Scalar; grad: tf.Tensor1D } {
  const { value, grads } = parameterGradients(params, loss);
  const grad = flatten(grads);
  tf.dispose(grads);
  return { value, grad };
}

/** Σ a_i b_i of two flat vectors. */
export function dot(a: tf.Tensor1D, b: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(a, b)) as tf.Scalar);
}

/** One optimizer step with the given per-parameter gradients (which the caller still owns). */
export function applyGradients(optimizer: tf.Optimizer, params: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
  optimizer.applyGradients(params.map((p, i) => ({ name: p.name, tensor: grads[i] })));
}

/** One optimizer step with a flat gradient vector. */
export function applyFlatGradient(optimizer: tf.Optimizer, params: readonly tf.Variable[], flat: tf.Tensor1D): void {
  const grads = unflatten(flat, params);
  applyGradients(optimizer, params, grads);
  tf.dispose(grads);
}

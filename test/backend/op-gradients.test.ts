import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
// As in every clbench process: the learners' registry also registers the gradients tfjs lacks
// (comparisons) and routes conv2d's (src/learners/meta/second-order-gradients.ts).
import '../../src/learners/registry.js';
import { Rng } from '../../src/util/rng.js';

/**
 * The ops learners build losses from must be differentiable on every backend clbench selects
 * (here: wasm and cpu; the native tfjs-node backends carry TensorFlow's own kernels). Each
 * gradient is checked against central finite differences on the same backend.
 */

/** Values in ±[0.2, 1]: away from the kinks of abs, relu, max and where. */
const awayFromZero = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => (rng.uniform(0.2, 1) * (rng.uniform(0, 1) < 0.5 ? -1 : 1)));

const idx = () => tf.tensor1d([2, 0, 2, 3, 1], 'int32');
const OPS: Record<string, { shape: number[]; f: (x: tf.Tensor) => tf.Tensor }> = {
  'gather, axis 0, repeated indices': { shape: [4, 3], f: (x) => tf.gather(x, idx()) },
  'gather, axis 1': { shape: [3, 4], f: (x) => tf.gather(x, idx(), 1) },
  unsortedSegmentSum: { shape: [5, 2], f: (x) => tf.unsortedSegmentSum(x, idx(), 4) },
  abs: { shape: [4, 3], f: (x) => tf.abs(x) },
  'square, sqrt': { shape: [4, 3], f: (x) => tf.sqrt(tf.add(tf.square(x), 1)) },
  'relu, maximum, minimum': { shape: [4, 3], f: (x) => tf.add(tf.relu(x), tf.maximum(x, tf.minimum(x, 0.5))) },
  'sigmoid, tanh, exp, log': { shape: [4, 3], f: (x) => tf.add(tf.add(tf.sigmoid(x), tf.tanh(x)), tf.log(tf.add(tf.exp(x), 1))) },
  'logSoftmax, softmax': { shape: [4, 3], f: (x) => tf.add(tf.logSoftmax(x), tf.softmax(x)) },
  matMul: { shape: [4, 3], f: (x) => tf.matMul(x, tf.transpose(x)) },
  'where, greater, clipByValue': { shape: [4, 3], f: (x) => tf.where(tf.greater(x, 0), tf.clipByValue(tf.mul(x, 3), -1, 2), tf.mul(x, x)) },
  'sum, mean, norm': { shape: [4, 3], f: (x) => tf.add(tf.add(tf.sum(x, 1), tf.mean(x, 1)), tf.norm(x)) },
  'concat, slice, stack, tile, transpose': {
    shape: [4, 3],
    f: (x) => tf.transpose(tf.tile(tf.stack([tf.slice(x, [1, 0], [2, 3]), tf.concat([tf.slice(x, [0, 0], [1, 3]), tf.slice(x, [3, 0], [1, 3])])]), [1, 2, 1])),
  },
  'div, pow, neg': { shape: [4, 3], f: (x) => tf.neg(tf.div(tf.pow(x, 3), tf.add(tf.square(x), 1))) },
  conv2d: { shape: [1, 4, 4, 2], f: (x) => tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 2, 2]), 1, 'same') },
  // Some windows all negative: tfjs's own wasm MaxPoolGrad sent their gradient to the wrong element.
  'conv2d, maxPool': { shape: [1, 4, 4, 2], f: (x) => tf.maxPool(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 2, 2]), 1, 'same'), 2, 2, 'valid') },
  'maxPool, overlapping windows, all negative': { shape: [1, 3, 3, 2], f: (x) => tf.maxPool(tf.sub(x, 2) as tf.Tensor4D, 2, 1, 'valid') },
};

/** Σ w·f(x) with fixed random weights w, so every output element matters differently. */
function scalarLoss(f: (x: tf.Tensor) => tf.Tensor, weights: Map<string, tf.Tensor>, key: string, rng: Rng) {
  return (x: tf.Tensor): tf.Scalar => {
    const y = f(x);
    if (!weights.has(key)) weights.set(key, tf.keep(tf.tensor(awayFromZero(y.size, rng), y.shape)));
    return tf.sum(tf.mul(y, weights.get(key)!));
  };
}

describe.each(['wasm', 'cpu'])('gradients of the ops learners use, on %s', (backendName) => {
  beforeAll(async () => {
    await useBackend(backendName);
  });

  it('maxPool: an all-negative window sends its gradient to its maximum (hand-computed)', () => {
    const x = tf.tensor4d([-3, -1, -2, -4, -5, -1.5, 2, 3], [1, 2, 4, 1]);
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid')))(x);
    expect(Array.from(grad.dataSync())).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    tf.dispose([x, grad]);
  });

  it('gather: the gradient adds up over repeated indices (hand-computed)', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const w = tf.tensor2d([[1, 10], [100, 1000], [10000, 100000]]);
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, tf.tensor1d([2, 0, 2], 'int32')), w)))(x);
    expect(Array.from(grad.dataSync())).toEqual([100, 1000, 0, 0, 10001, 100010]);
    tf.dispose([x, w, grad]);
  });

  it.each(Object.keys(OPS))('%s: matches central finite differences', (name) => {
    const { shape, f } = OPS[name];
    const weights = new Map<string, tf.Tensor>();
    const rng = new Rng(11); // the same values on every backend
    const x0 = awayFromZero(shape.reduce((a, b) => a * b, 1), rng);
    const loss = scalarLoss(f, weights, name, rng);
    const before = tf.memory().numTensors;
    const analytic = tf.tidy(() => tf.grad(loss)(tf.tensor(x0, shape)).dataSync());
    const eps = 1e-3; // small: a max or where must not switch branches between x ± eps
    const at = (values: Float32Array) => tf.tidy(() => loss(tf.tensor(values, shape)).dataSync()[0]);
    for (let i = 0; i < x0.length; i++) {
      const up = x0.slice();
      const down = x0.slice();
      up[i] += eps;
      down[i] -= eps;
      const numeric = (at(up) - at(down)) / (2 * eps);
      expect(Math.abs(analytic[i] - numeric), `${name}, element ${i}: ${analytic[i]} vs ${numeric}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([...weights.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { applyFlatGradient, flatGradient, flatten, parameterGradients, unflatten } from '../../src/learners/base/flat-gradients.js';
import { mlp } from '../../src/models/mlp.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('flat gradients', () => {
  it('flatten and unflatten are inverse', () => {
    const parts = [tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([5]), tf.tensor2d([[6, 7, 8]])];
    const flat = flatten(parts);
    expect(Array.from(flat.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const back = unflatten(flat, parts);
    back.forEach((t, i) => {
      expect(t.shape).toEqual(parts[i].shape);
      expect(Array.from(t.dataSync())).toEqual(Array.from(parts[i].dataSync()));
    });
    tf.dispose([...parts, flat, ...back]);
  });

  it('gives zeros for parameters the loss does not reach (another task’s head), in parameter order', () => {
    const model = mlp({ inputSize: 3, hidden: [4], outputSize: 2, heads: 2 });
    const params = model.init(new Rng(0)).map((t) => tf.variable(t));
    const x = tf.tensor2d([[1, 0, -1]]);
    const { value, grads } = parameterGradients(params, () => tf.sum(model.forward(params, x, 1)) as tf.Scalar);
    expect(grads.map((g) => g.shape)).toEqual(params.map((p) => p.shape));
    // Layout: trunk W, b, head 0 W, b, head 1 W, b. Head 0 is untouched by head 1's output.
    expect(Array.from(grads[2].dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(grads[3].dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(grads[5].dataSync())).toEqual([1, 1]); // d Σ logits / d bias
    tf.dispose([value, ...grads, ...params, x]);
  });

  it('a flat SGD step equals θ − lr·g', () => {
    const params = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.tensor2d([[3]]))];
    const { value, grad } = flatGradient(params, () => tf.add(tf.sum(tf.square(params[0])), tf.sum(params[1])) as tf.Scalar);
    expect(Array.from(grad.dataSync())).toEqual([2, 4, 1]);
    const optimizer = tf.train.sgd(0.5);
    applyFlatGradient(optimizer, params, grad);
    expect(Array.from(params[0].dataSync())).toEqual([0, 0]);
    expect(Array.from(params[1].dataSync())).toEqual([2.5]);
    tf.dispose([value, grad, ...params]);
    optimizer.dispose();
  });
});

import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { ADDON_PATH } from '../../src/backend/native.js';
import { dense } from '../../src/backend/native-dense.js';
import { fusedCrossEntropy } from '../../src/backend/native-xent.js';
import { mlp } from '../../src/models/mlp.js';
import { Rng } from '../../src/util/rng.js';

const addon = existsSync(ADDON_PATH);
const rng = new Rng(7);
const values = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

/** Plain row-major product of op(A) [m,k] and op(B) [k,n], in float64. */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = s;
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe.each(['wasm', 'cpu'])('kernel overrides on %s', (backendName) => {
  let versions: Record<string, string>;
  beforeAll(async () => {
    versions = (await useBackend(backendName)).versions;
  });

  it('records OpenBLAS in the backend versions exactly when the addon is built', () => {
    expect(versions.openblas !== undefined).toBe(addon);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matMul with transposeA=%s transposeB=%s matches a plain product, batched and broadcast', (ta, tb) => {
    const [m, n, k] = [7, 5, 3];
    const a = values(2 * m * k);
    const b = values(k * n);
    const aShape = ta ? [2, k, m] : [2, m, k];
    const bShape = tb ? [n, k] : [k, n];
    const out = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb).dataSync());
    const expected = new Float32Array(2 * m * n);
    for (let i = 0; i < 2; i++) expected.set(reference(a.subarray(i * m * k, (i + 1) * m * k), b, m, n, k, ta, tb), i * m * n);
    expectClose(out, expected);
  });

  it('fuses bias and relu into the matmul, and leaves other activations to tfjs', () => {
    const x = values(4 * 6);
    const w = values(6 * 3);
    const bias = values(3);
    const plain = reference(x, w, 4, 3, 6, false, false).map((v, i) => v + bias[i % 3]);
    const [relu, elu] = tf.tidy(() => {
      const args = { a: tf.tensor2d(x, [4, 6]), b: tf.tensor2d(w, [6, 3]), bias: tf.tensor1d(bias) };
      return [tf.fused.matMul({ ...args, activation: 'relu' }).dataSync(), tf.fused.matMul({ ...args, activation: 'elu' }).dataSync()];
    });
    expectClose(relu, plain.map((v) => Math.max(v, 0)));
    expectClose(elu, plain.map((v) => (v > 0 ? v : Math.expm1(v))));
  });

  it('slices rows (contiguous) and columns (strided) correctly', () => {
    const data = values(6 * 4);
    const [rows, cols] = tf.tidy(() => {
      const t = tf.tensor2d(data, [6, 4]);
      return [tf.slice(t, [2, 0], [3, 4]).dataSync(), tf.slice(t, [1, 1], [2, 2]).dataSync()];
    });
    expectClose(rows, data.subarray(8, 20), 0);
    expectClose(cols, [data[5], data[6], data[9], data[10]], 0);
  });

  it('gathers rows (repeated, of float and int tensors), columns, and rejects an index out of range', () => {
    const data = values(5 * 2 * 3);
    const [rows, labels, cols] = tf.tidy(() => {
      const t = tf.tensor3d(data, [5, 2, 3]);
      const idx = tf.tensor1d([4, 0, 4], 'int32');
      return [
        tf.gather(t, idx).dataSync(),
        tf.gather(tf.tensor1d([7, 8, 9, 10, 11], 'int32'), idx).dataSync(),
        tf.gather(tf.tensor2d(data.subarray(0, 6), [2, 3]), tf.tensor1d([2, 0], 'int32'), 1).dataSync(),
      ];
    });
    expectClose(rows, [...data.subarray(24, 30), ...data.subarray(0, 6), ...data.subarray(24, 30)], 0);
    expect(Array.from(labels)).toEqual([11, 7, 11]);
    expectClose(cols, [data[2], data[0], data[5], data[3]], 0);
    expect(() => tf.tidy(() => tf.gather(tf.tensor1d([1, 2]), tf.tensor1d([2], 'int32')).dataSync())).toThrow(/not in \[0, 1\]/);
  });

  it('gives the dense layer the gradients of matMul + bias + relu', () => {
    const x = tf.tensor2d(values(5 * 4), [5, 4]);
    const w = tf.tensor2d(values(4 * 3), [4, 3]);
    const b = tf.tensor1d(values(3));
    const composite = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(xx, ww), bb)), tf.range(1, 16).reshape([5, 3])));
    const fused = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(dense(xx, ww, bb, 'relu'), tf.range(1, 16).reshape([5, 3])));
    const expected = tf.grads(composite)([x, w, b]);
    const actual = tf.grads(fused)([x, w, b]);
    expected.forEach((g, i) => expectClose(actual[i].dataSync(), g.dataSync()));
    expectClose(tf.tidy(() => fused(x, w, b).dataSync()), tf.tidy(() => composite(x, w, b).dataSync()), 1e-4);
    tf.dispose([x, w, b, ...expected, ...actual]);
  });

  it.skipIf(!addon)('leaves out dx for a data input, computes it when asked, and leaks nothing', async () => {
    const model = mlp({ inputSize: 4, hidden: [3], outputSize: 2 });
    const params = model.init(new Rng(5)).map((t) => tf.variable(t));
    const x = tf.tensor2d(values(6 * 4), [6, 4]);
    const loss = () => tf.sum(tf.square(model.forward(params, x))) as tf.Scalar;
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(loss, params);
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(tf.memory().numTensors).toBe(before);
    // The hidden layer's input comes from the tape (dx, dW, db); the first layer's is data (dW, db).
    const outputs = profile.kernels.filter((k) => k.name === 'ClbenchDenseGrad').map((k) => k.outputShapes.length);
    expect(outputs).toEqual([3, 2]);
    // Differentiating with respect to the input itself still gives dx, as tfjs's composite ops do.
    const composite = (xx: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xx, params[0]), params[1])), params[2]), params[3])));
    const [dx, expected] = [tf.grad((xx: tf.Tensor) => tf.sum(tf.square(model.forward(params, xx))))(x), tf.grad(composite)(x)];
    expectClose(dx.dataSync(), expected.dataSync());
    tf.dispose([x, dx, expected, ...params]);
  });

  it('keeps second-order gradients through the MLP (the MAML case) equal to tfjs’s own', () => {
    const model = mlp({ inputSize: 1, hidden: [8, 8], outputSize: 1 });
    const params = model.init(new Rng(3));
    const x = tf.tensor2d([[-1], [0.5], [2]]);
    const target = tf.tensor2d([[0.3], [-0.2], [1]]);
    const loss = (p: tf.Tensor[]) => tf.mean(tf.square(tf.sub(model.forward(p, x), target)));
    // θ' = θ − α∇L(θ); d/dθ L(θ'), with the inner gradient on the tape (second order).
    const metaLoss = (...p: tf.Tensor[]) => {
      const inner = tf.grads((...q: tf.Tensor[]) => loss(q))(p);
      return loss(p.map((t, i) => tf.sub(t, tf.mul(0.1, inner[i]))));
    };
    const grads = tf.grads(metaLoss)(params);
    // The same computation with only tfjs's composite ops: relu(x·W + b) written out.
    const compositeForward = (p: tf.Tensor[]) => {
      let h: tf.Tensor = x;
      for (let i = 0; i < 4; i += 2) h = tf.relu(tf.add(tf.matMul(h, p[i]), p[i + 1]));
      return tf.add(tf.matMul(h, p[4]), p[5]);
    };
    const compositeLoss = (p: tf.Tensor[]) => tf.mean(tf.square(tf.sub(compositeForward(p), target)));
    const compositeMeta = (...p: tf.Tensor[]) => {
      const inner = tf.grads((...q: tf.Tensor[]) => compositeLoss(q))(p);
      return compositeLoss(p.map((t, i) => tf.sub(t, tf.mul(0.1, inner[i]))));
    };
    const expected = tf.grads(compositeMeta)(params);
    expected.forEach((g, i) => expectClose(grads[i].dataSync(), g.dataSync()));
    tf.dispose([...params, x, target, ...grads, ...expected]);
  });

  it('computes softmax cross-entropy and its gradient as tf.losses.softmaxCrossEntropy does', () => {
    const logits = tf.tensor2d(values(6 * 4).map((v) => 5 * v), [6, 4]);
    const labels = tf.tensor1d([0, 3, 1, 1, 2, 0], 'int32');
    const composite = (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 4), z) as tf.Scalar;
    const fused = (z: tf.Tensor) => fusedCrossEntropy(z, labels)!;
    expect(tf.tidy(() => fused(logits) === undefined)).toBe(false);
    expectClose(tf.tidy(() => fused(logits).dataSync()), tf.tidy(() => composite(logits).dataSync()));
    const [expected, actual] = [tf.grad(composite)(logits), tf.grad(fused)(logits)];
    expectClose(actual.dataSync(), expected.dataSync());
    expect(() => tf.tidy(() => fusedCrossEntropy(logits, tf.tensor1d([0, 4, 1, 1, 2, 0], 'int32')))).toThrow(/label 4 of row 1/);
    tf.dispose([logits, labels, expected, actual]);
  });
});

import { learners } from '../../src/learners/registry.js';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { Maml } from '../../src/learners/meta/maml.js';
import { twiceDifferentiableCrossEntropy } from '../../src/models/losses.js';
import { innerLoop } from '../../src/learners/meta/functional-sgd.js';
import { conv2dFilterGradient } from '../../src/backend/second-order-gradients.js';
import { conv4 } from '../../src/models/conv4.js';
import type { Episode } from '../../src/streams/episodes.js';
import type { Split, StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';
import { metaBatchOf, paramValues, setUp } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function imageEpisodes(count: number, ways: number, perClass: number, size: number, seed: number): Episode[] {
  const rng = new Rng(seed);
  const split = (): Split => {
    const n = ways * perClass;
    return {
      x: Float32Array.from({ length: n * size * size }, () => rng.uniform(0, 1)),
      y: Int32Array.from({ length: n }, (_, i) => i % ways),
      n, inputShape: [size, size, 1],
    };
  };
  return Array.from({ length: count }, (_, index) => {
    const [s, q] = [split(), split()];
    return { index, id: `e${index}`, train: () => s, test: () => q };
  });
}

describe('Conv-4', () => {
  it('computes conv2d filter gradients as a convolution, equal to the Conv2DBackpropFilter kernel', () => {
    const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 7, 7, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ours = conv2dFilterGradient(x, dy, [3, 3, 3, 4], 'same');
    // The cpu backend has the kernel (wasm does not).
    const kernel = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, kernel))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, dy, ours, kernel]);
  });

  it('shrinks 28×28 inputs to one pixel per filter and gives one logit per way', () => {
    const model = conv4({ imageShape: [28, 28, 1], outputSize: 5, filters: 8 });
    const params = model.init(new Rng(0));
    const out = model.forward(params, tf.zeros([3, 28, 28, 1]));
    expect(out.shape).toEqual([3, 5]);
    expect(model.params.find((p) => p.name === 'output/kernel')?.shape).toEqual([8, 5]);
    tf.dispose([...params, out]);
  });

  it('gives MAML a second-order meta-gradient that matches central finite differences', async () => {
    const model = conv4({ imageShape: [6, 6, 1], outputSize: 2, filters: 2, blocks: 2 });
    const info: StreamInfo = { type: 'test', numTasks: 1, inputShape: [6, 6, 1], outputSize: 2, heads: 1, kind: 'classification', description: '' };
    const episodes = imageEpisodes(2, 2, 3, 6, 5);
    const maml = await setUp(learners.create('maml', { innerLr: 0.5, innerSteps: 1 }) as Maml, model, info, 3);
    const batch = metaBatchOf(episodes, 'classification');
    const { grads } = maml.metaGradient(batch);
    const theta = (maml as unknown as { params: tf.Variable[] }).params;
    const values = paramValues(theta);
    const objective = (params: tf.Tensor[]) => tf.tidy(() => {
      let total = 0;
      for (const e of batch.episodes) {
        const fast = innerLoop((p) => twiceDifferentiableCrossEntropy(model.forward(p, e.support.x), e.support.y), params, { steps: 1, lr: 0.5 });
        total += twiceDifferentiableCrossEntropy(model.forward(fast, e.query.x), e.query.y).dataSync()[0];
      }
      return total / batch.size;
    });
    // ReLU and max-pooling have kinks: an entry whose one-sided differences disagree straddles one
    // and has no derivative to compare with. The first four entries of every parameter are checked.
    const h = 1e-3;
    const analytic = paramValues(grads);
    const at = (i: number, j: number, d: number) => {
      const t = values.map((w, k) => {
        const c = Float32Array.from(w);
        if (k === i) c[j] += d;
        return tf.tensor(c, theta[k].shape);
      });
      try {
        return objective(t);
      } finally {
        tf.dispose(t);
      }
    };
    const base = objective(theta);
    let checked = 0;
    let worst = 0;
    const scale = Math.max(...analytic.map((g) => Math.max(...Array.from(g, Math.abs))));
    values.forEach((v, i) => {
      for (let j = 0; j < Math.min(4, v.length); j++) {
        const [up, down] = [at(i, j, h), at(i, j, -h)];
        if (Math.abs((up - base) / h - (base - down) / h) > 0.05 * scale) continue;
        worst = Math.max(worst, Math.abs((up - down) / (2 * h) - analytic[i][j]) / scale);
        checked++;
      }
    });
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(worst).toBeLessThan(2e-2);
    tf.dispose(grads);
    batch.dispose();
    maml.dispose();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { interference, mostInterfered } from '../../src/learners/mir.js';
import { mlp } from '../../src/models/mlp.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('mir learner', () => {
  it('selects the candidates with the largest loss increase, largest first', () => {
    expect(mostInterfered([0.1, -2, 3, 0.5, 3], 3)).toEqual([2, 4, 3]);
    expect(mostInterfered([1, 2], 5)).toEqual([1, 0]);
  });

  it('scores a candidate by ℓ(θ − lr·g) − ℓ(θ)', () => {
    // A linear model f(x) = xW + b with W = 0, b = 0 on 2 classes: every loss is log 2 now.
    const model = mlp({ inputSize: 1, hidden: [], outputSize: 2 });
    const params = [tf.zeros([1, 2]), tf.zeros([2])];
    const grads = [tf.tensor2d([[1, -1]]), tf.tensor1d([0.5, 0])];
    const lr = 0.3;
    const candidates = { x: tf.tensor2d([[1], [2], [-1]]), y: tf.tensor1d([0, 1, 0], 'int32'), tasks: [0, 0, 0] };
    const scores = interference(model, params, grads, lr, candidates, () => 0, 'classification');
    // After the step, logits = −lr·(x·gW + gb); loss of class y = log(1 + e^(z_other − z_y)).
    const expected = [[1, 0], [2, 1], [-1, 0]].map(([x, y]) => {
      const z = [-lr * (x * 1 + 0.5), -lr * (x * -1 + 0)];
      return Math.log(1 + Math.exp(z[1 - y] - z[y])) - Math.log(2);
    });
    const got = Array.from(scores.dataSync());
    got.forEach((s, i) => expect(s).toBeCloseTo(expected[i], 5));
    expect(mostInterfered(got, 1)).toEqual([expected.indexOf(Math.max(...expected))]);
    tf.dispose([...params, ...grads, candidates.x, candidates.y, scores]);
  });

  it('learns the class-incremental split far better than naive', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'mir', lr: 0.1, memorySize: 200 }], backend);
    expect(acc.mir).toBeGreaterThan(acc.naive + 0.35);
  });
});

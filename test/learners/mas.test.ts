import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { masImportance } from '../../src/learners/mas.js';
import { mlp } from '../../src/models/mlp.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('mas learner', () => {
  // f(x) = x·w + b with w = (0.5, −1), b = 0.25; ∂f²/∂w = 2f·x, ∂f²/∂b = 2f.
  // x₁ = (1, 2): f = −1.25; x₂ = (−1, 0.5): f = −0.75.
  const model = mlp({ inputSize: 2, hidden: [], outputSize: 1 });
  const setup = () => ({
    params: [tf.variable(tf.tensor2d([[0.5], [-1]])), tf.variable(tf.tensor1d([0.25]))],
    x: tf.tensor2d([[1, 2], [-1, 0.5]]),
  });

  it('importance is the mean over examples of |∂‖f(x)‖²/∂θ| (per example, the paper’s)', () => {
    const { params, x } = setup();
    const omega = masImportance(params, x, (xs) => model.forward(params, xs), 1);
    // |2f₁x₁| = (2.5, 5), |2f₂x₂| = (1.5, 0.75): mean (2, 2.875); bias: (2.5 + 1.5)/2 = 2.
    expect(Array.from(omega[0].dataSync())).toEqual([2, 2.875]);
    expect(omega[1].dataSync()[0]).toBeCloseTo(2, 6);
    tf.dispose([...params, x, ...omega]);
  });

  it('with chunks, the absolute gradient of the chunk mean', () => {
    const { params, x } = setup();
    const omega = masImportance(params, x, (xs) => model.forward(params, xs), 2);
    // (2f₁x₁ + 2f₂x₂)/2 = ((−2.5, −5) + (1.5, −0.75))/2 = (−0.5, −2.875); bias (−2.5 − 1.5)/2 = −2.
    expect(Array.from(omega[0].dataSync())).toEqual([0.5, 2.875]);
    expect(omega[1].dataSync()[0]).toBeCloseTo(2, 6);
    tf.dispose([...params, x, ...omega]);
  });

  it('forgets less than naive on the two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'mas', lr: 0.1, lambda: 0.3 }], backend);
    expect(f.mas.drop).toBeLessThan(f.naive.drop - 0.15);
    expect(f.mas.learned).toBeGreaterThan(0.6);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { anchorGradients } from '../../src/learners/hal.js';
import { mlp } from '../../src/models/mlp.js';
import { forgettingOnTwoTasks } from './two-task.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('hal learner', () => {
  it('anchor term: ∇_θ λ·mean((f_θ̃(e) − f_θ(e))²) with θ̃ = θ − lr·g fixed', () => {
    // f(x) = x·w + b, w = 1, b = 0; g = (0.5, 0), lr 0.2: θ̃ = (0.9, 0). Anchor e = 2: f_θ̃(e) = 1.8.
    // λ(1.8 − (2w + b))²: ∂/∂w = −2λ(1.8 − 2)·2 = 0.8λ, ∂/∂b = 0.4λ.
    const model = mlp({ inputSize: 1, hidden: [], outputSize: 1 });
    const params = [tf.variable(tf.tensor2d([[1]])), tf.variable(tf.tensor1d([0]))];
    const grads = [tf.tensor2d([[0.5]]), tf.tensor1d([0])];
    const anchors = { x: tf.tensor2d([[2]]), tasks: [0] };
    const [gw, gb] = anchorGradients(model, params, grads, 0.2, anchors, () => 0, 0.5);
    expect(gw.dataSync()[0]).toBeCloseTo(0.4, 5);
    expect(gb.dataSync()[0]).toBeCloseTo(0.2, 5);
    tf.dispose([...params, ...grads, anchors.x, gw, gb]);
  });

  it('forgets less than naive on the two-task problem', async () => {
    const f = await forgettingOnTwoTasks([{ type: 'hal', lr: 0.1, memorySize: 200, replayBatch: 10, anchorSteps: 20 }], backend);
    expect(f.hal.drop).toBeLessThan(f.naive.drop - 0.1);
    expect(f.hal.learned).toBeGreaterThan(0.7);
  });

  it('learns the class-incremental split far better than naive', async () => {
    const acc = await classIncrementalAccuracy([
      { type: 'hal', lr: 0.1, memorySize: 200, replayBatch: 10, anchorSteps: 20 },
      { type: 'er', lr: 0.1, memorySize: 200, buffer: 'ring-per-task', replayBatch: 10 },
    ], backend);
    expect(acc.hal).toBeGreaterThan(acc.naive + 0.3);
  });
});

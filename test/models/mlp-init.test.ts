import { describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { mlp } from '../../src/models/mlp.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { Rng } from '../../src/util/rng.js';

function initValues(init: Parameters<typeof mlp>[0]['init'], seed = 0): Float32Array[] {
  const model = mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10, ...(init ? { init } : {}) });
  const tensors = model.init(new Rng(seed));
  const values = tensors.map((t) => t.dataSync() as Float32Array);
  tf.dispose(tensors);
  return values;
}

function std(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

function maxAbs(values: Float32Array): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('mlp init option', () => {
  it('defaults to Glorot-uniform with zero biases, the draws unchanged by naming it', () => {
    const byDefault = initValues(undefined);
    const named = initValues('glorot-uniform');
    expect(named).toEqual(byDefault);
    const limit = Math.sqrt(6 / (784 + 100));
    expect(maxAbs(byDefault[0])).toBeLessThanOrEqual(limit + 1e-7);
    expect(std(byDefault[0])).toBeCloseTo(limit / Math.sqrt(3), 3);
    expect([...byDefault[1]].every((b) => b === 0)).toBe(true);
  });

  it('kaiming-normal draws N(0, 2/fan_in) weights and zero biases', () => {
    const [w1, b1, w2] = initValues('kaiming-normal');
    expect(std(w1) / Math.sqrt(2 / 784)).toBeCloseTo(1, 1);
    expect(std(w2) / Math.sqrt(2 / 100)).toBeCloseTo(1, 1);
    expect([...b1].every((b) => b === 0)).toBe(true);
  });

  it('truncated-normal keeps weights within 2σ of 0.1, with biases 0.1', () => {
    const [w1, b1, , , , bOut] = initValues('truncated-normal');
    expect(maxAbs(w1)).toBeLessThanOrEqual(0.2 + 1e-7);
    // A normal truncated at ±2σ has standard deviation 0.8796σ.
    expect(std(w1) / (0.1 * 0.8796)).toBeCloseTo(1, 1);
    expect([...b1, ...bOut].every((b) => Math.abs(b - 0.1) < 1e-7)).toBe(true);
  });

  it('is seeded: the same seed gives the same weights, another seed different ones', () => {
    expect(initValues('kaiming-normal', 3)).toEqual(initValues('kaiming-normal', 3));
    expect(initValues('kaiming-normal', 4)[0]).not.toEqual(initValues('kaiming-normal', 3)[0]);
  });

  it('a scenario naming an unknown init is rejected with the field named', () => {
    const scenario = {
      name: 'bad-init',
      stream: { type: 'permuted-mnist', tasks: 2, trainPerTask: 10 },
      model: { type: 'mlp', init: 'he-uniform' },
      learners: [{ type: 'naive', lr: 0.1 }],
    };
    expect(() => resolveScenario(scenario)).toThrow(/model\.init: "he-uniform" is not allowed/);
  });
});

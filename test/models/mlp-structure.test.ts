import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { HostMlp, mlpLayers } from '../../src/learners/continual-meta/host-mlp.js';
import { taskBatchedForward } from '../../src/learners/meta/task-batched.js';
import { mlp } from '../../src/models/mlp.js';
import { tanhNet } from '../meta/helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('the mlp declares its structure', () => {
  it('names, for every layer, the parameters that form it, trunk then one layer per head', () => {
    const model = mlp({ inputSize: 4, hidden: [8, 6], outputSize: 3, heads: 2 });
    const { trunk, heads } = model.structure!;
    expect(trunk.map((l) => [l.din, l.dout])).toEqual([[4, 8], [8, 6]]);
    expect(heads.map((l) => [l.din, l.dout])).toEqual([[6, 3], [6, 3]]);
    for (const [h, layer] of heads.entries()) {
      expect(model.params[layer.kernel]).toMatchObject({ shape: [6, 3], head: h });
      expect(model.params[layer.bias]).toMatchObject({ shape: [3], head: h });
    }
    for (const layer of trunk) {
      expect(model.params[layer.kernel].shape).toEqual([layer.din, layer.dout]);
      expect(model.params[layer.bias].head).toBeUndefined();
    }
  });

  it('is what the fast paths read: a model with MLP-like parameters but no declaration gets none', () => {
    const declared = mlp({ inputSize: 1, hidden: [5], outputSize: 1 });
    const lookalike = tanhNet(5);
    expect(mlpLayers(declared)).toBe(declared.structure);
    expect(mlpLayers(lookalike)).toBeUndefined();
    expect(HostMlp.for(declared, 'regression')).toBeDefined();
    expect(HostMlp.for(lookalike, 'regression')).toBeUndefined();
    expect(taskBatchedForward(declared)).toBeDefined();
    expect(taskBatchedForward(lookalike)).toBeUndefined();
  });
});

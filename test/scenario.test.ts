import { describe, expect, it } from 'vitest';
import { applyQuick, loadScenario, resolveScenario } from '../src/scenario/load.js';

const base = {
  name: 'demo',
  stream: { type: 'rotated-mnist', tasks: 4, trainPerTask: 100 },
  learners: [{ type: 'naive', lr: 0.1 }, { type: 'naive', name: 'slow', lr: 0.01 }],
  seeds: [0, 1, 2],
  quick: { seeds: [0], stream: { tasks: 2 }, learners: { slow: { lr: 0.02 } } },
};

describe('scenario loading', () => {
  it('fills in defaults for the model, protocol and metrics', () => {
    const s = resolveScenario(base);
    expect(s.model).toEqual({ type: 'mlp', hidden: [100, 100] });
    expect(s.protocol).toMatchObject({ batchSize: 10, epochs: 1, lcaBeta: 10, shuffle: true, taskFree: false });
    expect(s.metrics).toEqual({ normalization: 'T-1', lcaRule: 'mean' });
    expect(s.stream).toMatchObject({ dataset: 'mnist', angleRange: [0, 180] });
    expect(s).not.toHaveProperty('quick');
  });

  it('applies quick overrides: objects merged, arrays replaced, learner options by label', () => {
    const s = resolveScenario(base, { quick: true });
    expect(s.seeds).toEqual([0]);
    expect(s.stream).toMatchObject({ tasks: 2, trainPerTask: 100 });
    expect(s.learners.map((l) => l.lr)).toEqual([0.1, 0.02]);
    expect(resolveScenario(base).seeds).toEqual([0, 1, 2]);
  });

  it('rejects quick overrides for a label the scenario lacks', () => {
    expect(() => applyQuick({ ...base, quick: { learners: { fast: { lr: 1 } } } })).toThrow(/quick.learners.fast: no learner has this label; labels: naive, slow/);
  });

  it('lists every problem with its path', () => {
    let message = '';
    try {
      resolveScenario({ name: 'bad name!', stream: { type: 'rotated-mnist' }, learners: [{ type: 'naive' }], protocol: { batchSize: 0 } }, { source: 'x.json' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('x.json: invalid scenario');
    expect(message).toContain('name: must match pattern');
    expect(message).toContain('stream.tasks: is required');
    expect(message).toContain('learners[0].lr: is required');
    expect(message).toContain('protocol.batchSize: must be >= 1');
  });

  it('names the allowed values of an unknown stream type, without noise from the other branches', () => {
    expect(() => resolveScenario({ ...base, stream: { type: 'rotated-cifar', tasks: 2 } })).toThrow(
      /stream.type: "rotated-cifar" is not allowed; choose one of: "rotated-mnist", "permuted-mnist", "split-mnist"(, "[a-z-]+")*; it is not built in: if it is your own stream, load the file that registers it with --plugin \(e\.g\. --plugin my-stream\.ts\)$/,
    );
  });

  it('says an unknown learner type may be a plug-in left out, and shows --plugin', () => {
    expect(() => resolveScenario({ ...base, learners: [{ type: 'my-derpp', lr: 0.1 }] })).toThrow(
      /learners\[0\].type: "my-derpp" is not allowed; choose one of: "naive".*if it is your own learner, load the file that registers it with --plugin \(e\.g\. --plugin my-learner\.ts\)$/,
    );
  });

  it('refuses two learners with the same label', () => {
    expect(() => resolveScenario({ ...base, learners: [{ type: 'naive', lr: 0.1 }, { type: 'naive', lr: 0.2 }] })).toThrow(
      /learners\[1\]: the label 'naive' is already used by learners\[0\]/,
    );
  });

  it('accepts the shipped scenarios, quick or not', () => {
    for (const name of ['quickstart', 'gem-mnist-rotations', 'gem-mnist-permutations', 'stability-gap-rotated-mnist']) {
      expect(loadScenario(`scenarios/${name}.json`).name).toBe(name);
      expect(loadScenario(`scenarios/${name}.json`, { quick: true }).seeds).toEqual([0]);
    }
  });
});

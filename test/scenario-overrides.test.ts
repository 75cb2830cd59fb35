import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/load.js';
import { parseOverride } from '../src/scenario/overrides.js';

const base = {
  name: 'demo',
  stream: { type: 'rotated-mnist', tasks: 4, trainPerTask: 100 },
  learners: [{ type: 'naive', lr: 0.1 }, { type: 'ewc', name: 'EWC++', lr: 0.01 }],
  seeds: [0, 1, 2],
  quick: { seeds: [0], learners: { 'EWC++': { lr: 0.02 } } },
};

describe('--set PATH=VALUE overrides', () => {
  it('parses values as JSON when they parse, else as strings', () => {
    expect(parseOverride('learners.ewc.lambda=10')).toEqual({ path: ['learners', 'ewc', 'lambda'], value: 10 });
    expect(parseOverride('seeds=[0,1]')).toEqual({ path: ['seeds'], value: [0, 1] });
    expect(parseOverride('stream.dataset=fashion-mnist')).toEqual({ path: ['stream', 'dataset'], value: 'fashion-mnist' });
    expect(parseOverride('protocol.taskFree=true').value).toBe(true);
    expect(() => parseOverride('lr')).toThrow(/--set lr: expected PATH=VALUE/);
    expect(() => parseOverride('a..b=1')).toThrow(/expected PATH=VALUE/);
  });

  it('names learners by label or index, creates missing objects, and runs after quick', () => {
    const s = resolveScenario(base, {
      quick: true,
      set: ['learners.EWC++.lr=0.3', 'learners.0.lr=0.5', 'stream.tasks=2', 'metrics.normalization=T'],
    });
    expect(s.learners.map((l) => l.lr)).toEqual([0.5, 0.3]);
    expect(s.stream.tasks).toBe(2);
    expect(s.metrics.normalization).toBe('T');
    expect(s.seeds).toEqual([0]); // quick still applied
    expect(base.learners[1].lr).toBe(0.01); // the parsed scenario is not mutated
  });

  it('is validated by the scenario schema, with the field named', () => {
    expect(() => resolveScenario(base, { set: ['learners.EWC++.lr=fast'] })).toThrow(/learners\[1\]\.lr: must be number \(got "fast"\)/);
    expect(() => resolveScenario(base, { set: ['learners.EWC++.lamda=3'] })).toThrow(/learners\[1\]\.lamda: unknown field/);
    expect(() => resolveScenario(base, { set: ['protocol.batchSize=0'] })).toThrow(/protocol\.batchSize: must be >= 1/);
  });

  it('says which learner labels exist when a label is wrong', () => {
    expect(() => resolveScenario(base, { set: ['learners.DER++.lr=0.1'] })).toThrow(/no learner labelled 'DER\+\+'; the scenario has: naive, EWC\+\+/);
    expect(() => resolveScenario(base, { set: ['seeds.7=1'] })).toThrow(/'seeds' is a list of 3; '7' is not an index in it/);
    expect(() => resolveScenario(base, { set: ['name.first=x'] })).toThrow(/'name' is "demo", not an object/);
  });
});

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { countSweepRuns, expandSweep } from '../../src/sweep/expand.js';
import { canonicalJson, runIdentity } from '../../src/sweep/identity.js';
import { planSweep } from '../../src/sweep/plan.js';
import { tempDir } from '../helpers/scenario.js';

const base = {
  name: 'grid',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 },
  model: { hidden: [16] },
  learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }],
  seeds: [0, 1],
};

describe('sweep grids', () => {
  it('expands learner option grids into labelled learners, with the sweep seeds', () => {
    const scenario = resolveScenario({ ...base, sweep: { learners: { naive: { lr: [0.01, 0.1], optimizer: ['sgd', 'adam'] } }, seeds: [3, 4, 5] } });
    expect(countSweepRuns(scenario)).toBe(5 * 3);
    const expanded = expandSweep(scenario);
    expect(expanded.learners.map((l) => l.name ?? l.type)).toEqual([
      'naive[lr=0.01,optimizer=sgd]', 'naive[lr=0.01,optimizer=adam]', 'naive[lr=0.1,optimizer=sgd]', 'naive[lr=0.1,optimizer=adam]', 'joint',
    ]);
    expect(expanded.learners[3]).toMatchObject({ type: 'naive', lr: 0.1, optimizer: 'adam', momentum: 0.9 }); // defaults filled in
    expect(expanded.seeds).toEqual([3, 4, 5]);
    expect(expanded.sweep).toBeUndefined();
    // The expansion is an ordinary scenario: it validates again unchanged.
    expect(resolveScenario(expanded)).toEqual(expanded);
  });

  it('without a sweep key, a sweep is the scenario’s learners × seeds', () => {
    const scenario = resolveScenario(base);
    expect(countSweepRuns(scenario)).toBe(4);
    expect(expandSweep(scenario).learners).toEqual(scenario.learners);
  });

  it('validates every grid point as a learner spec, naming the point and the option', () => {
    const bad = resolveScenario({ ...base, sweep: { learners: { naive: { lr: [0.1, -1] } } } });
    expect(() => expandSweep(bad)).toThrow(/sweep\.learners\.naive: grid point naive\[lr=-1\]: lr: must be > 0/);
    const unknownOption = resolveScenario({ ...base, sweep: { learners: { naive: { lrr: [0.1] } } } });
    expect(() => expandSweep(unknownOption)).toThrow(/grid point naive\[lrr=0\.1\]: lrr: unknown field/);
    const unknownLabel = resolveScenario({ ...base, sweep: { learners: { ewc: { lr: [0.1] } } } });
    expect(() => countSweepRuns(unknownLabel)).toThrow("sweep.learners.ewc: no learner has this label; labels: naive, joint");
    const typeGrid = resolveScenario({ ...base, sweep: { learners: { naive: { type: ['joint'] } } } });
    expect(() => expandSweep(typeGrid)).toThrow(/sweep\.learners\.naive\.type: cannot be swept/);
  });

  it('names the entries of the file whose labels clash after expansion, and the file (issue #18, defect 11)', () => {
    const clash = resolveScenario({
      ...base,
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }, { type: 'naive', name: 'naive[lr=0.1]', lr: 0.1 }],
      sweep: { learners: { naive: { lr: [0.01, 0.1] } } },
    });
    expect(() => expandSweep(clash)).toThrow(
      "sweep: the label 'naive[lr=0.1]' of learners[2] is also the label of a grid point of learners[0] ('naive'); rename one",
    );
    const file = join(tempDir(), 'clash.json');
    writeFileSync(file, JSON.stringify(clash));
    const r = spawnSync('node', ['bin/clbench.js', 'sweep', file, '--dry-run', '--db', join(tempDir(), 'x.db')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: sweep: the label 'naive[lr=0.1]' of learners[2]`);
  });

  it('rejects a malformed sweep key through the scenario schema', () => {
    expect(() => resolveScenario({ ...base, sweep: { learners: { naive: { lr: 0.1 } } } })).toThrow(/sweep\.learners\.naive\.lr: must be array/);
    expect(() => resolveScenario({ ...base, sweep: { grid: {} } })).toThrow(/sweep\.grid: unknown field/);
  });
});

describe('run identity', () => {
  const scenario = resolveScenario(base);
  const naive = scenario.learners[0];

  it('is stable across key order and explicit defaults', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const reordered = resolveScenario({ seeds: [0], learners: [{ lr: 0.05, type: 'naive', optimizer: 'sgd' }], model: { hidden: [16], type: 'mlp' }, stream: base.stream, name: 'grid' });
    expect(runIdentity(reordered, reordered.learners[0], 0, 'wasm')).toBe(runIdentity(scenario, naive, 0, 'wasm'));
    expect(runIdentity(scenario, naive, 0, 'wasm')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the seed, the backend, a learner option or the stream, not with the other learners', () => {
    const id = runIdentity(scenario, naive, 0, 'wasm');
    expect(runIdentity(scenario, naive, 1, 'wasm')).not.toBe(id);
    expect(runIdentity(scenario, naive, 0, 'cpu')).not.toBe(id);
    expect(runIdentity(scenario, { ...naive, lr: 0.06 }, 0, 'wasm')).not.toBe(id);
    expect(runIdentity({ ...scenario, stream: { ...scenario.stream, tasks: 3 } }, naive, 0, 'wasm')).not.toBe(id);
    expect(runIdentity({ ...scenario, learners: [naive], description: 'other words' }, naive, 0, 'wasm')).toBe(id);
  });

  it('plans one run per learner and seed, each with a one-run scenario', async () => {
    const plan = await planSweep(expandSweep(resolveScenario({ ...base, sweep: { learners: { naive: { lr: [0.01, 0.1] } } } })), 'wasm');
    expect(plan.runs.map((r) => `${r.label}/${r.seed}`)).toEqual([
      'naive[lr=0.01]/0', 'naive[lr=0.01]/1', 'naive[lr=0.1]/0', 'naive[lr=0.1]/1', 'joint/0', 'joint/1',
    ]);
    expect(new Set(plan.runs.map((r) => r.id)).size).toBe(6);
    for (const run of plan.runs) {
      expect(run.scenario.learners).toEqual([run.learner]);
      expect(run.scenario.seeds).toEqual([run.seed]);
    }
  });
});

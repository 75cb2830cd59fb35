import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { Naive } from '../../src/learners/naive.js';
import { learners } from '../../src/learners/registry.js';
import { optimizerSchema } from '../../src/learners/base/optimizer.js';
import type { RunEvent } from '../../src/runner/events.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ResultsStore } from '../../src/store/results-store.js';
import { runDir } from '../../src/sweep/artefacts.js';
import { InProcessExecutor } from '../../src/sweep/executors/in-process.js';
import { expandSweep } from '../../src/sweep/expand.js';
import { planSweep } from '../../src/sweep/plan.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

/** A learner that throws when its second task begins. */
class ThrowsOnSecondTask extends Naive {
  override beginTask(task: { index: number }): void {
    if (task.index === 1) throw new Error('out of cheese on task 1');
  }
}

/** A run's numbers, without what depends on the machine's load (time, memory). */
const withoutWall = ({ wallSeconds: _w, peakRssBytes: _r, peakTensorBytes: _t, ...rest }: RunRecord) => rest;
const stream = { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 };

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
  if (!learners.has('throws-on-second-task')) {
    learners.register({
      type: 'throws-on-second-task',
      description: 'test learner that throws',
      options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] },
      create: (o: { lr: number }) => new ThrowsOnSecondTask(o),
    });
  }
});

describe('runSweep (in process)', () => {
  it('gives exactly the records `clbench run` gives, stores them, and skips them when resumed', async () => {
    const scenario = expandSweep(tinyScenario({
      stream, model: { hidden: [16] }, protocol: { evalEvery: 4, lcaBeta: 2 },
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }], seeds: [0],
      sweep: { learners: { naive: { lr: [0.02, 0.1] } }, seeds: [0, 1] },
    }));
    const plan = await planSweep(scenario, backend.name);
    expect(plan.runs).toHaveLength(6);
    const store = ResultsStore.open(join(tempDir(), 'clbench.db'));
    const outDir = tempDir();
    const tensorsBefore = tf.memory().numTensors;
    const first = await runSweep(plan, { store, executor: new InProcessExecutor(), outDir, command: 'clbench sweep test' });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(first.ran).toHaveLength(6);
    expect(first.failed).toBe(0);

    const direct = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(first.result!.runs.map(withoutWall)).toEqual(direct.runs.map(withoutWall));
    expect(first.result!.summary['naive[lr=0.1]'].ACC.n).toBe(2);
    expect(first.result!.runs[0].peakRssBytes).toBeGreaterThan(0); // fields beyond the columns survive the store

    const onDisk = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as RunResult;
    expect(onDisk.complete).toBe(true);
    expect(onDisk.command).toBe('clbench sweep test');
    expect(existsSync(join(outDir, 'report.md'))).toBe(true);
    // The same report page as `clbench run` writes, with the grid points as learners.
    expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toContain('naive[lr=0.1]');
    for (const run of plan.runs) {
      const dir = runDir(outDir, run.label, run.seed, run.id);
      const single = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
      expect(single.runs).toHaveLength(1);
      expect(single.runs[0].learner).toBe(run.label);
      const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
      expect(events.filter((e) => e.type === 'run-start')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('run-end');
    }

    const again = await runSweep(plan, { store, executor: new InProcessExecutor(), outDir });
    expect(again.ran).toHaveLength(0);
    expect(again.skipped).toHaveLength(6);
    expect(again.result!.runs).toEqual(first.result!.runs);
    expect(store.listRuns().map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    store.close();
  });

  it('stores meta-learning runs too, list-valued metrics included', async () => {
    const scenario = expandSweep(resolveScenario({
      name: 'meta-sweep',
      stream: { type: 'sine', shots: 5, queries: 5, testQueries: 20 },
      model: { type: 'mlp', hidden: [16] },
      protocol: { kind: 'meta', metaIterations: 10, metaBatch: 2, evalEpisodes: 4, adaptSteps: 2, adaptLr: 0.01 },
      learners: [{ type: 'maml', innerSteps: 1, innerLr: 0.01, metaLr: 0.001 }, { type: 'pretrain', lr: 0.001 }],
      seeds: [0],
    }));
    const store = ResultsStore.open(join(tempDir(), 'clbench.db'));
    const swept = await runSweep(await planSweep(scenario, backend.name), { store, executor: new InProcessExecutor(), outDir: tempDir() });
    const direct = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(swept.result!.runs.map(withoutWall)).toEqual(direct.runs.map(withoutWall));
    expect(Array.isArray(swept.result!.runs[0].metrics.adaptationCurve)).toBe(true);
    store.close();
  });

  it('records a run that throws or diverges, with its error, and goes on', async () => {
    const scenario = expandSweep(tinyScenario({
      stream, model: { hidden: [16] }, protocol: { lcaBeta: 2 }, seeds: [0],
      learners: [{ type: 'throws-on-second-task', lr: 0.05 }, { type: 'naive', name: 'exploding', lr: 1e30 }, { type: 'naive', lr: 0.05 }],
    }));
    const plan = await planSweep(scenario, backend.name);
    const store = ResultsStore.open(join(tempDir(), 'clbench.db'));
    const summary = await runSweep(plan, { store, executor: new InProcessExecutor(), outDir: tempDir() });
    expect(summary.failed).toBe(1);
    expect(summary.diverged).toBe(1);
    const runs = store.listRuns();
    expect(runs.map((r) => r.status)).toEqual(['failed', 'diverged', 'completed']);
    expect(runs[0].error).toBe('out of cheese on task 1');
    expect(runs[1].diverged?.task).toBe(0);
    expect(runs[2].metrics.ACC).toBeGreaterThan(0.1);

    // Failed runs are kept on resume unless asked; --retry-failed redoes exactly those.
    expect((await runSweep(plan, { store, executor: new InProcessExecutor(), outDir: tempDir() })).ran).toHaveLength(0);
    const retried = await runSweep(plan, { store, executor: new InProcessExecutor(), outDir: tempDir(), retryFailed: true });
    expect(retried.ran.map((r) => r.label)).toEqual(['throws-on-second-task']);
    expect(store.listRuns().map((r) => r.attempts)).toEqual([2, 1, 1]);
    store.close();
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { RunEvent } from '../../src/events/run-events.js';
import type { RunResult } from '../../src/runner/result.js';
import { writeRunReports } from '../../src/report/write-run-reports.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('runScenario', () => {
  it('writes events.jsonl, result.json and report.md with a full accuracy matrix', async () => {
    const outDir = tempDir();
    const scenario = tinyScenario({ learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }] });
    const result = await runScenario(scenario, { outDir, backend });
    await writeRunReports(result, outDir);

    for (const file of ['events.jsonl', 'result.json', 'report.md']) expect(existsSync(join(outDir, file))).toBe(true);
    const onDisk = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as RunResult;
    expect(onDisk.complete).toBe(true);
    expect(onDisk.backend).toBe('wasm');
    expect(onDisk.versions['tfjs-core']).toMatch(/^4\./);
    expect(onDisk.runs.map((r) => r.learner)).toEqual(['naive', 'joint']);

    for (const run of result.runs) {
      expect(run.status).toBe('completed');
      expect(run.accuracyMatrix).toHaveLength(3);
      for (const row of run.accuracyMatrix) for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
      expect(run.baseline.every((v) => v !== null && v < 0.4)).toBe(true); // untrained: near chance
      expect(run.lcaCurve).toHaveLength(4);
      for (const m of ['ACC', 'BWT', 'FWT', 'LA', 'forgetting', 'LCA']) expect(run.metrics[m]).not.toBeNull();
      expect(run.metrics.LA).toBeGreaterThan(0.3); // 20 batches already take MNIST well past chance (0.1)
    }
    expect(result.summary.naive.ACC.n).toBe(1);

    const events = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    expect(events.filter((e) => e.type === 'run-end')).toHaveLength(2);
    // 3 tasks of 20 batches, evalEvery 5: curve evals at batches 5, 10, 15 on all 3 tasks.
    expect(events.filter((e) => e.type === 'eval' && e.phase === 'curve' && e.learner === 'naive')).toHaveLength(3 * 3 * 3);
  });

  it('starts events.jsonl afresh when a new run writes into the same folder', async () => {
    const outDir = tempDir();
    const scenario = tinyScenario();
    await runScenario(scenario, { outDir, backend });
    await runScenario(scenario, { outDir, backend });
    const events = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    // One run's events, matching the result.json beside them: not the first run's followed by the second's.
    expect(events.filter((e) => e.type === 'run-start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run-end')).toHaveLength(1);
  });

  it('gives identical numbers for the same seed and backend', async () => {
    const scenario = tinyScenario();
    const a = await runScenario(scenario, { outDir: tempDir(), backend });
    const b = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(b.runs[0].accuracyMatrix).toEqual(a.runs[0].accuracyMatrix);
    expect(b.runs[0].metrics).toEqual(a.runs[0].metrics);
    const c = await runScenario({ ...scenario, seeds: [1] }, { outDir: tempDir(), backend });
    expect(c.runs[0].accuracyMatrix).not.toEqual(a.runs[0].accuracyMatrix);
  });

  it('keeps the tensor count flat from task to task', async () => {
    const scenario = tinyScenario({
      stream: { type: 'rotated-mnist', tasks: 5, trainPerTask: 50, testPerTask: 50 },
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }, { type: 'independent', lr: 0.05, init: 'previous' }],
    });
    const counts = new Map<string, number[]>();
    await runScenario(scenario, {
      outDir: tempDir(),
      backend,
      onEvent: (e) => {
        if (e.type === 'task-end') counts.set(e.learner, [...(counts.get(e.learner) ?? []), tf.memory().numTensors]);
      },
    });
    const before = tf.memory().numTensors;
    expect(counts.get('naive')![0]).toBe(counts.get('naive')![4]);
    expect(counts.get('joint')![0]).toBe(counts.get('joint')![4]);
    // independent keeps one model per task: exactly one parameter set more per task.
    const perTask = counts.get('independent')![1] - counts.get('independent')![0];
    expect(counts.get('independent')![4] - counts.get('independent')![0]).toBe(4 * perTask);
    await runScenario(scenario, { outDir: tempDir(), backend });
    expect(tf.memory().numTensors).toBe(before); // nothing survives a run
  });

  it('marks a diverging run and goes on with the others', async () => {
    const scenario = tinyScenario({
      learners: [{ type: 'naive', name: 'exploding', lr: 1e30 }, { type: 'naive', lr: 0.05 }],
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    const [bad, good] = result.runs;
    expect(bad.status).toBe('diverged');
    expect(bad.diverged?.task).toBe(0);
    expect(bad.diverged?.step).toBeGreaterThan(0);
    expect(bad.metrics.ACC).toBeNull();
    expect(good.status).toBe('completed');
    expect(good.metrics.ACC).not.toBeNull();
  });
});

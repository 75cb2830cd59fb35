import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { tempDir } from '../helpers/scenario.js';

const PLUGIN = 'test/continual-meta/fixtures/task-spy-plugin.mjs';

/** Every meta-continual learner (and ER), each wrapped by the spy, on a task-free blurred stream. */
const wrapped = [
  { wraps: 'mer', options: { lr: 0.05, steps: 2, replay: 3, memorySize: 20 } },
  { wraps: 'gradalign', options: { lr: 0.05, memorySize: 20, replayBatch: 3 } },
  { wraps: 'cmaml', options: { lr: 0.05, glances: 1, memorySize: 20, replayBatch: 3 } },
  { wraps: 'lamaml-sync', options: { glances: 1, memorySize: 20, replayBatch: 3 } },
  { wraps: 'lamaml', options: { glances: 1, memorySize: 20, replayBatch: 3 } },
  { wraps: 'er', options: { lr: 0.05, memorySize: 20, replayBatch: 3 } },
  {
    wraps: 'oml',
    options: {
      representationLayers: 1,
      metaTraining: { stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 8, testPerTask: 4 }, iterations: 1, batchSize: 4, stepsPerTask: 2, rememberPerTask: 4 },
    },
  },
];

type SpyRecord = Record<string, unknown>;

/** `clbench run` of the spied learners on 3 blurred rotated-MNIST tasks of 20 examples; what the spy saw, and result.json. */
function runSpied(taskFree: boolean, list: readonly (typeof wrapped)[number][]): { records: SpyRecord[]; result: RunResult } {
  const dir = tempDir();
  const spyFile = join(dir, 'spy.jsonl');
  const scenario = join(dir, 'scenario.json');
  writeFileSync(scenario, JSON.stringify({
    name: 'task-free-blurred',
    stream: { type: 'blurred', width: 4, of: { type: 'rotated-mnist', tasks: 3, trainPerTask: 20, testPerTask: 30 } },
    model: { type: 'mlp', hidden: [8] },
    protocol: { batchSize: 5, taskFree, shuffle: false, evalEvery: 2, lcaBeta: 2 },
    learners: list.map((w) => ({ type: 'task-spy', name: `spy-${w.wraps}`, ...w })),
    seeds: [0],
  }));
  const out = join(dir, 'out');
  const r = spawnSync('node', ['bin/clbench.js', 'run', scenario, '--plugin', PLUGIN, '--out', out, '--backend', 'wasm', '-q'], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CLBENCH_TASK_SPY: spyFile },
  });
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  const records = readFileSync(spyFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SpyRecord);
  return { records, result: JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult };
}

describe('clbench run on a task-free scenario', () => {
  it('never shows a learner a task id or boundary, while the runner scores every task', () => {
    const { records, result } = runSpied(true, wrapped);
    for (const { wraps } of wrapped) {
      const own = records.filter((rec) => rec.wraps === wraps);
      // One setup per run (row b scores the learner right after it), told the protocol is task-free.
      expect(own.filter((rec) => rec.event === 'setup').map((rec) => rec.taskFree), wraps).toEqual([true]);
      // 3 tasks × 20 examples in batches of 5; each batch is its examples and nothing else.
      const observed = own.filter((rec) => rec.event === 'observe');
      expect(observed.length, wraps).toBe(12);
      for (const rec of observed) expect(rec.fields, wraps).toEqual(['x', 'y', 'size']);
      // Evaluations happen (baseline, LCA, curves, task ends), all without a task id for the head.
      const predicted = own.filter((rec) => rec.event === 'predict');
      expect(predicted.length, wraps).toBeGreaterThan(0);
      for (const rec of predicted) expect([rec.taskIndex, rec.extraArgs], wraps).toEqual([null, 0]);
      expect(own.filter((rec) => ['beginTask', 'endTask'].includes(String(rec.event))), wraps).toEqual([]);
    }

    expect(result.runs.map((run) => run.status)).toEqual(wrapped.map(() => 'completed'));
    for (const run of result.runs) {
      expect(run.accuracyMatrix.flat().every((v) => typeof v === 'number'), run.learner).toBe(true);
      expect(typeof run.metrics.ACC, run.learner).toBe('number');
    }
  });

  it('the spy does see task ids and boundaries when the protocol shows them', () => {
    const { records } = runSpied(false, wrapped.filter((w) => w.wraps === 'er'));
    expect(records.filter((rec) => rec.event === 'setup').map((rec) => rec.taskFree)).toEqual([false]);
    const observed = records.filter((rec) => rec.event === 'observe');
    expect(observed.map((rec) => rec.taskIndex)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    for (const rec of observed) expect(rec.fields).toEqual(['x', 'y', 'size', 'taskIndex']);
    expect(records.filter((rec) => rec.event === 'beginTask').map((rec) => rec.task)).toEqual([0, 1, 2]);
    expect(records.filter((rec) => rec.event === 'endTask').map((rec) => rec.task)).toEqual([0, 1, 2]);
  });
});

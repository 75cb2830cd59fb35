import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend/select.js';
import type { RunResult } from '../src/runner/result.js';
import { runAndCollect } from '../src/runner/run-plan.js';
import { resolveScenario } from '../src/scenario/load.js';
import { tempDir } from './helpers/scenario.js';

/**
 * Speed work must not change the numbers. This pins the spine's naive learner on a tiny rotated
 * stream, every setting spelled out (so changed defaults elsewhere do not move it), against values
 * recorded with tfjs's own kernels (CLBENCH_NATIVE=0, wasm and cpu gave the same). It checks the
 * default, fast path in this process and the stock kernels through the CLI: if only the first
 * fails, a kernel changed the numbers; if both fail, the stream, model, learner or runner did, and
 * when that was on purpose the values below need re-recording.
 */
const SCENARIO = {
  name: 'perf-pin',
  stream: { type: 'rotated-mnist', dataset: 'mnist', tasks: 3, trainPerTask: 300, testPerTask: 300, angleRange: [0, 180] },
  model: { type: 'mlp', hidden: [100, 100] },
  protocol: { batchSize: 10, epochs: 1, evalEvery: 0, lcaBeta: 5, shuffle: true, taskFree: false, evalBatchSize: 1000 },
  learners: [{ type: 'naive', lr: 0.03, optimizer: 'sgd' }],
  seeds: [0],
  metrics: { normalization: 'T-1', lcaRule: 'mean' },
};

const PINNED = {
  R: [
    [0.4266666666666667, 0.10333333333333333, 0.11666666666666667],
    [0.31, 0.38333333333333336, 0.20666666666666667],
    [0.23666666666666666, 0.35333333333333333, 0.45666666666666667],
  ],
  metrics: { ACC: 0.34888888888888886, BWT: -0.11000000000000003, FWT: 0.07, LA: 0.4222222222222222 },
};
/** One test image of 300 is 0.0033: float-level kernel differences may flip at most a few. */
const ACCURACY_TOLERANCE = 0.01;

function expectPinned(R: (number | null)[][], metrics: Record<string, number | null>): void {
  PINNED.R.forEach((row, i) => row.forEach((v, j) => expect(Math.abs((R[i][j] ?? NaN) - v)).toBeLessThanOrEqual(ACCURACY_TOLERANCE)));
  for (const [name, v] of Object.entries(PINNED.metrics)) {
    expect(Math.abs((metrics[name] ?? NaN) - v), name).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
  }
}

describe('pinned numbers of the naive learner on a tiny rotated stream', () => {
  it('are reproduced on the default backend with the fast kernels', async () => {
    await useBackend();
    const scenario = resolveScenario(SCENARIO);
    const learner = scenario.learners[0];
    const record = await runAndCollect({ scenario, learner, seed: 0 });
    expect(record.status).toBe('completed');
    expectPinned(record.accuracyMatrix, record.metrics);
  });

  it('are reproduced by tfjs’s own kernels (CLBENCH_NATIVE=0, through the CLI)', () => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(SCENARIO));
    const r = spawnSync('node', ['bin/clbench.js', 'run', file, '--out', join(dir, 'out'), '--backend', 'wasm', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, CLBENCH_NATIVE: '0' },
    });
    expect(r.stderr).toBe('');
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    expect(result.versions.openblas).toBeUndefined();
    expectPinned(result.runs[0].accuracyMatrix, result.runs[0].metrics);
  });
});

/**
 * The quickstart a newcomer runs first, as shipped (`--quick`: seed 0), on wasm: values recorded
 * with the fast kernels and, identically, with tfjs's own (CLBENCH_NATIVE=0). A change to the
 * scenario file, a default, the data draws or a kernel that moves them shows here.
 */
const QUICKSTART_PINNED: Record<string, Record<string, number>> = {
  naive: { ACC: 0.488, BWT: -0.186, FWT: 0.2535, LA: 0.6368, forgetting: 0.206 },
  joint: { ACC: 0.6868, BWT: -0.0375, FWT: 0.253, LA: 0.7168, forgetting: 0.053 },
};

describe('pinned numbers of the quickstart', () => {
  it('are reproduced by `clbench run scenarios/quickstart.json --quick`', () => {
    const out = join(tempDir(), 'out');
    const r = spawnSync('node', ['bin/clbench.js', 'run', 'scenarios/quickstart.json', '--quick', '--out', out, '--backend', 'wasm', '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
    expect(result.runs.map((run) => `${run.learner}:${run.seed}`)).toEqual(['naive:0', 'joint:0']);
    for (const run of result.runs) {
      for (const [name, v] of Object.entries(QUICKSTART_PINNED[run.learner])) {
        // 500 test images per task: one image is 0.002; float-level differences may flip a few.
        expect(Math.abs((run.metrics[name] ?? NaN) - v), `${run.learner} ${name}`).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
      }
    }
  });
});

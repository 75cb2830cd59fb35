import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { type WorkerLine, runBench } from '../../src/bench/run-bench.js';
import { median } from '../../src/bench/stats.js';
import { DEFAULT_REFERENCE_SCRIPT, runTorch } from '../../src/bench/torch-reference.js';
import { runContinual } from '../../src/bench/workloads/continual.js';
import { DEFAULT_WORKLOADS, WORKLOADS, workloadNamed } from '../../src/bench/workloads/index.js';
import { defaultDatasetDir } from '../../src/streams/datasets/image-dataset.js';

const SMALL_STREAM = { type: 'rotated-mnist', dataset: 'mnist', tasks: 3, trainPerTask: 100, testPerTask: 100 };

describe('benchmark workloads', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('offers the three raced workloads, the GEM and MER slots and the few-shot Conv-4', () => {
    expect(DEFAULT_WORKLOADS).toEqual(['rotations-naive', 'rotations-er', 'maml-sine']);
    expect(WORKLOADS.map((w) => w.name)).toEqual(['rotations-naive', 'rotations-er', 'maml-sine', 'gem', 'rotations-mer', 'few-shot-conv4', 'split-derpp']);
    expect(WORKLOADS.map((w) => w.model)).toEqual(['mlp', 'mlp', 'mlp', 'mlp', 'mlp', 'conv4', 'mlp']);
    const splitDerpp = WORKLOADS.find((w) => w.name === 'split-derpp')!;
    expect(splitDerpp.torchArgs({ seed: 0, k: 10 })).toEqual(['split-derpp', '--buffer', '500']);
    expect(splitDerpp.torchArgs({ seed: 0, k: 10, limit: 50 })).toBeUndefined();
    expect(WORKLOADS.find((w) => w.name === 'few-shot-conv4')!.torchArgs({ seed: 0, k: 1 })).toBeUndefined();
    expect(WORKLOADS.find((w) => w.name === 'maml-sine')!.torchArgs({ seed: 0, k: 5 })).toEqual(['maml-sine', '--iters', '300', '--k', '5']);
    expect(WORKLOADS.find((w) => w.name === 'gem')!.torchArgs({ seed: 0, iters: 1, k: 1 })).toBeUndefined();
    expect(WORKLOADS.find((w) => w.name === 'rotations-mer')!.torchArgs({ seed: 0, iters: 1, k: 1, limit: 50 })).toEqual(['rotations-mer', '--limit', '50']);
  });

  it.each([
    ['naive', { type: 'naive', lr: 0.003 }],
    ['er', { type: 'er', lr: 0.1, memorySize: 200, replayBatch: 10, buffer: 'reservoir' }],
  ])('times a continual run of %s through the runner and scores it, leaking no tensor', async (_name, learner) => {
    const before = tf.memory().numTensors;
    const result = await runContinual({ learner, seed: 0, stream: SMALL_STREAM });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(result.quality).sort()).toEqual(['ACC', 'BWT', 'LA']);
    expect(result.quality.LA).toBeGreaterThan(0.1);
    expect(result.wallSeconds).toBeGreaterThan(0);
    expect(result.cpuSeconds).toBeGreaterThan(0);
    expect(result.tensorGrowth).toBe(0);
  });
});

describe('split-derpp', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('runs DER++ 500 of scenarios/der-seq-mnist.json, scored class-IL and task-IL, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const result = await workloadNamed('split-derpp').run({ seed: 0, k: 10, limit: 100 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(result.quality).sort()).toEqual(['ACC', 'ACC-taskIL', 'BWT', 'LA']);
    // 100 images of each digit pair: each task is learnt, and the task-IL view forgets less.
    expect(result.quality.LA).toBeGreaterThan(0.8);
    expect(result.quality['ACC-taskIL']).toBeGreaterThan(result.quality.ACC);
    expect(result.tensorGrowth).toBe(0);
  });
});

describe('runBench', () => {
  const line = (wall: number): WorkerLine => ({
    workload: 'rotations-naive', backend: 'wasm', wall_s: wall, cpu_s: wall / 2, peak_rss_mb: 100 + wall,
    tensors_leaked: 0, quality: { ACC: 0.5, BWT: -0.05, LA: 0.55 },
  });

  it('reports the median of the runs, the largest peak RSS, and an unavailable workload as such', async () => {
    const walls = [3, 1, 2];
    const printed: Record<string, unknown>[] = [];
    await runBench({
      workloads: ['rotations-naive'],
      runs: 3,
      workload: { seed: 0, iters: 1, k: 1 },
      runWorker: async () => line(walls.shift()!),
      print: (l) => printed.push(l),
    });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ workload: 'rotations-naive', runs: 3, wall_s: 2, cpu_s: 1, peak_rss_mb: 103, ACC: 0.5, wall_s_runs: [3, 1, 2] });
    expect(printed[0].ratio).toBeUndefined();
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe.skipIf(!existsSync(DEFAULT_REFERENCE_SCRIPT) || !existsSync('/usr/bin/python3'))('the PyTorch reference', () => {
  it('runs one workload and returns its wall time and quality figures', async () => {
    const run = await runTorch(
      { python: '/usr/bin/python3', script: DEFAULT_REFERENCE_SCRIPT, mnist: defaultDatasetDir('mnist'), threads: 1, seed: 0 },
      ['maml-sine', '--iters', '2', '--k', '5'],
    );
    expect(run.engine).toMatch(/^torch /);
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(Object.keys(run.quality).sort()).toEqual(['mse_after_1', 'mse_after_10']);
  });
});

describe('clbench bench (CLI)', () => {
  const clbench = (...args: string[]) => spawnSync('node', ['bin/clbench.js', 'bench', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('names the known workloads when given an unknown one', () => {
    const r = clbench('nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown workload 'nope'; choose from: rotations-naive, rotations-er, maml-sine, gem, rotations-mer");
  });

  it('rejects a run count below 1', () => {
    const r = clbench('rotations-naive', '--runs', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--runs must be an integer ≥ 1');
  });
});

// How large a reproduction record is (docs/reports.md, "Reproduction records"): records of
// synthetic runs of the shipped scenarios, with the real learner specs and reference blocks and
// matrices of scores on 2000 (der-seq-mnist) or 1000 (many permutations) test images.
// Metrics are 12 full-precision values per run, as class-incremental runs report them.
//   node bench/record-size.mjs        (npm run build first)
import process from 'node:process';
import { loadScenario } from '../dist/scenario/load.js';
import { learnerLabel } from '../dist/scenario/types.js';
import { recordFromResult } from '../dist/report/records/from-result.js';
import { recordText } from '../dist/report/records/write.js';

let state = 1;
const uniform = () => (state = (state * 16807) % 2147483647) / 2147483647;
const score = (images) => () => Math.round(uniform() * images) / images;
const METRICS = ['ACC', 'BWT', 'FWT', 'LA', 'forgetting', 'LCA', 'minACC', 'WC-ACC', 'AAA', 'ACC-taskIL', 'BWT-taskIL', 'forgetting-taskIL'];

function record(file, { tasks, seeds, images, taskIL }) {
  const scenario = loadScenario(file);
  const matrix = () => Array.from({ length: tasks }, () => Array.from({ length: tasks }, score(images)));
  const runs = scenario.learners.flatMap((spec) => seeds.map((seed) => {
    const { type, name: _name, ...options } = spec;
    return {
      learner: learnerLabel(spec), learnerType: type, options, seed, status: 'completed', wallSeconds: 100 * uniform(),
      accuracyMatrix: matrix(), ...(taskIL ? { taskILAccuracyMatrix: matrix() } : {}),
      baseline: Array.from({ length: tasks }, score(images)), lcaCurve: Array.from({ length: 11 }, uniform), curves: [],
      metrics: Object.fromEntries(METRICS.map((m) => [m, uniform()])),
    };
  }));
  const result = {
    clbench: '0.1.0', createdAt: '2026-12-04T00:00:00.000Z', command: `clbench run ${file} -q`, complete: true, backend: 'wasm',
    versions: { clbench: '0.1.0', node: '20.20.2', 'tfjs-core': '4.22.0', 'tfjs-backend-wasm': '4.22.0' },
    scenario, stream: { type: scenario.stream.type, numTasks: tasks, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: '' },
    taskIds: Array.from({ length: tasks }, (_, i) => `task-${i}`), metricOptions: { normalization: 'T-1', lcaBeta: 10, lcaRule: 'mean' }, runs, summary: {},
  };
  const text = recordText(recordFromResult(result, 'reports/x/result.json', process.cwd()));
  const line = { scenario: scenario.name, learners: scenario.learners.length, seeds: seeds.length, tasks, kib: +(text.length / 1024).toFixed(1), kibPerRun: +(text.length / 1024 / runs.length).toFixed(2), lines: text.split('\n').length };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

record('scenarios/der-seq-mnist.json', { tasks: 5, seeds: [0, 1, 2], images: 2000, taskIL: true });
record('scenarios/der-perm-mnist.json', { tasks: 20, seeds: [0, 1, 2], images: 10000, taskIL: false });
record('scenarios/lamaml-mnist-many-permutations.json', { tasks: 100, seeds: [0, 1, 2], images: 1000, taskIL: false });

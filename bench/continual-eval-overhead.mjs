// What continual evaluation costs: the rotations-naive workload (MNIST rotations, 1000 train and
// 1000 test images per task, MLP 784-100-100-10, batch 10, plain SGD) evaluated at task ends only,
// at the quickstart's density (every 10 batches) and after every batch (k = 1), both on fixed
// 1000-image subsets of every seen task (protocol.evalSubset). Interleaved rounds; prints one JSON
// line with the median wall and CPU seconds of the loop (first task start to last task end) and
// the ratios to task-end only. The targets: k = 1 at most 2×, every 10 batches at most 1.25×.
// A smaller subset shows what size meets the targets (the cost is proportional to it).
//   npm run build && node bench/continual-eval-overhead.mjs [tasks=20] [rounds=3] [backend=wasm] [subset=1000]
import process from 'node:process';
import { useBackend } from '../dist/index.js';
import { ROTATIONS_STREAM, runContinual } from '../dist/bench/workloads/continual.js';

const [tasksArg = '20', roundsArg = '3', backendName = 'wasm', subsetArg = '1000'] = process.argv.slice(2);
const tasks = Number(tasksArg);
const rounds = Number(roundsArg);
const subset = Number(subsetArg);
const backend = await useBackend(backendName);
const settings = {
  task_end_only: { evalEvery: 0 },
  every_10: { evalEvery: 10, evalSubset: subset },
  every_1: { evalEvery: 1, evalSubset: subset },
};
const learner = { type: 'naive', lr: 0.003 };
const runs = Object.fromEntries(Object.keys(settings).map((name) => [name, { wall: [], cpu: [] }]));
for (let round = 0; round < rounds; round++) {
  for (const [name, protocol] of Object.entries(settings)) {
    const result = await runContinual({ learner, seed: 0, stream: { ...ROTATIONS_STREAM, tasks }, protocol });
    runs[name].wall.push(result.wallSeconds);
    runs[name].cpu.push(result.cpuSeconds);
    process.stderr.write(`round ${round + 1}/${rounds} ${name}: ${result.wallSeconds.toFixed(2)} s\n`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x) => Math.round(x * 1000) / 1000;
const out = { backend: backend.name, openblas: backend.versions.openblas ?? null, tasks, rounds, subset };
for (const [name, { wall, cpu }] of Object.entries(runs)) {
  out[`${name}_wall_s`] = round3(median(wall));
  out[`${name}_cpu_s`] = round3(median(cpu));
}
out.every_10_ratio = round3(out.every_10_wall_s / out.task_end_only_wall_s);
out.every_1_ratio = round3(out.every_1_wall_s / out.task_end_only_wall_s);
process.stdout.write(`${JSON.stringify(out)}\n`);

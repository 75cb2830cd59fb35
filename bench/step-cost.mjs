// Where a rotations step's time goes: kernels per SGD step and per evaluation, and the time of
// each, on the MLP 784-100-100-10 of the benchmark workloads. Prints one JSON line.
//   node bench/step-cost.mjs [backend] [steps]      (npm run build first; CLBENCH_NATIVE=0 for stock kernels)
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { tf, useBackend, mlp, Rng, learners } from '../dist/index.js';
import { evaluate, uploadSplit } from '../dist/runner/evaluate.js';

const [backendName = 'wasm', stepsArg = '1000'] = process.argv.slice(2);
const steps = Number(stepsArg);
const backend = await useBackend(backendName);
const rng = new Rng(0);
const model = mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10 });
const stream = { type: 'rotated-mnist', numTasks: 20, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: '' };
const learner = learners.get('naive').create({ lr: 0.003 });
await learner.setup({ stream, model, rng: rng.fork('learner'), batchSize: 10, epochs: 1, taskFree: false });

const random = (n) => Float32Array.from({ length: n }, () => rng.next());
const labels = (n) => Int32Array.from({ length: n }, () => rng.int(10));
const train = uploadSplit({ x: random(1000 * 784), y: labels(1000), n: 1000, inputShape: [784] }, 'classification');
const test = uploadSplit({ x: random(1000 * 784), y: labels(1000), n: 1000, inputShape: [784] }, 'classification');

const batch = (i) => {
  const start = (i * 10) % 1000;
  return tf.tidy(() => [tf.slice(train.x, start, 10), tf.slice(train.y, start, 10)]);
};
const oneStep = (i) => {
  const [x, y] = batch(i);
  learner.observe({ x, y, size: 10, taskIndex: 0 });
  tf.dispose([x, y]);
};

const kernelsOf = async (f) => (await tf.profile(f)).kernels.map((k) => k.name);
const stepKernels = await kernelsOf(() => oneStep(0));
const evalKernels = await kernelsOf(() => evaluate(learner, test, 0, 'classification', 1000));

function timed(f, n) {
  for (let i = 0; i < Math.min(20, n); i++) f(i); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  const wall = (performance.now() - t0) / n;
  const cpu = process.cpuUsage(cpu0);
  return { wall_ms: +wall.toFixed(4), cpu_ms: +((cpu.user + cpu.system) / 1000 / n).toFixed(4) };
}

const count = (names) => names.reduce((m, n) => ((m[n] = (m[n] ?? 0) + 1), m), {});
const step = timed(oneStep, steps);
const evaluation = timed(() => evaluate(learner, test, 0, 'classification', 1000), Math.max(10, steps / 20));
const before = tf.memory().numTensors;
timed(oneStep, 50);
process.stdout.write(`${JSON.stringify({
  backend: backend.name, openblas: backend.versions.openblas ?? null,
  step, step_kernels: stepKernels.length, eval_1000: evaluation, eval_kernels: evalKernels.length,
  tensors_leaked_per_50_steps: tf.memory().numTensors - before,
  step_kernel_counts: count(stepKernels),
})}\n`);

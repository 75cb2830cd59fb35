// The figures that decide where a GPU backend pays (docs/performance.md, "GPU"): a 2048³ matmul,
// the evaluation product [20000,784]×[784,100], clbench's real SGD step (the naive learner on the
// MLP 784-100-100-10) at batch 10, 100 and 1000, and scoring 20 test sets of 1000 images (the
// evaluation after each rotations task). One JSON line per figure, printed as it is measured.
//   node bench/backend-micro.mjs [backend]        (npm run build first; backend default wasm)
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { tf, useBackend, mlp, Rng, learners } from '../dist/index.js';
import { evaluate, uploadSplit } from '../dist/runner/evaluate.js';

const [backendName = 'wasm'] = process.argv.slice(2);
const backend = await useBackend(backendName);
const print = (line) => process.stdout.write(`${JSON.stringify({ backend: backend.name, ...line })}\n`);
print({ versions: backend.versions });
// A GPU backend queues work: a read of a value computed after it waits until the queue has drained.
const probe = tf.randomNormal([8, 8]);
const drain = async () => {
  const t = tf.matMul(probe, probe);
  await t.data();
  t.dispose();
};
const gpu = backend.name === 'webgpu' || backend.name === 'tfjs-node-gpu';

/** Mean milliseconds of `f` over `reps` calls after 2 warm-up calls (shader compilation), queue drained. */
async function msPer(f, reps) {
  for (let i = 0; i < 2; i++) tf.dispose(f(i));
  await drain();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.dispose(f(i));
  await drain();
  return +((performance.now() - t0) / reps).toFixed(3);
}

{
  const n = 2048;
  const [a, b] = [tf.randomNormal([n, n]), tf.randomNormal([n, n])];
  const ms = await msPer(() => tf.matMul(a, b), gpu ? 20 : 3);
  print({ figure: 'matmul_2048', ms, gflops: +((2 * n ** 3) / ms / 1e6).toFixed(1) });
  tf.dispose([a, b]);
}
{
  const [x, w] = [tf.randomNormal([20000, 784]), tf.randomNormal([784, 100])];
  print({ figure: 'eval_product_20000x784x100', ms: await msPer(() => tf.matMul(x, w), gpu ? 50 : 5) });
  tf.dispose([x, w]);
}

const rng = new Rng(0);
const stream = { type: 'rotated-mnist', numTasks: 20, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: '' };
const random = (n) => Float32Array.from({ length: n }, () => rng.next());
const labels = (n) => Int32Array.from({ length: n }, () => rng.int(10));
for (const size of [10, 100, 1000]) {
  const learner = learners.get('naive').create({ lr: 0.003 });
  await learner.setup({ stream, model: mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10 }), rng: rng.fork(`b${size}`), batchSize: size, epochs: 1, taskFree: false });
  const train = uploadSplit({ x: random(size * 784), y: labels(size), n: size, inputShape: [784] }, 'classification');
  const step = () => learner.observe({ x: train.x, y: train.y, size, taskIndex: 0 });
  const steps = size === 1000 && !gpu ? 50 : 200;
  const ms = await msPer(step, steps);
  // A learner that reads the loss on the host each step pays a round trip on a GPU.
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    step();
    await drain();
  }
  print({ figure: `sgd_step_batch_${size}`, ms, ms_with_readback: +((performance.now() - t0) / 20).toFixed(3) });
  tf.dispose([train.x, train.y]);
  learner.dispose?.();
}

{
  // The evaluation after one rotations task: 20 resident test sets of 1000 images, one pass each.
  const learner = learners.get('naive').create({ lr: 0.003 });
  await learner.setup({ stream, model: mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10 }), rng: rng.fork('eval'), batchSize: 10, epochs: 1, taskFree: false });
  const sets = Array.from({ length: 20 }, () => uploadSplit({ x: random(1000 * 784), y: labels(1000), n: 1000, inputShape: [784] }, 'classification'));
  const evalAll = () => sets.forEach((set) => evaluate(learner, set, 0, 'classification', 1000));
  evalAll();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) evalAll();
  const evalMs = (performance.now() - t0) / 5;
  // What evaluating on a second backend adds: the 89 610 parameters uploaded once per evaluation.
  const params = random(89610);
  const t1 = performance.now();
  for (let i = 0; i < 20; i++) {
    const t = tf.tensor1d(params);
    const s = tf.sum(t);
    await s.data();
    tf.dispose([t, s]);
  }
  print({ figure: 'eval_20_sets_of_1000', ms: +evalMs.toFixed(3), param_upload_ms: +((performance.now() - t1) / 20).toFixed(3) });
  sets.forEach((set) => tf.dispose([set.x, set.y]));
  learner.dispose?.();
}
print({ figure: 'tensors_alive', count: tf.memory().numTensors });
process.exit(0); // Dawn's GPU instance would keep Node running

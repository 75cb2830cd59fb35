// One SGD step of the benchmark MLP (784-100-100-10, batch 10) with and without the two op-level
// levers, in one process, alternating in short blocks so machine load drifts over all variants
// alike: dense layers as tfjs's fused matMul (un-fused when taped) or the native dense op, and
// softmax cross-entropy as tfjs's composite op or the fused kernels. Reports kernels per step,
// median CPU ms per step, and the largest gradient difference from the all-tfjs variant.
//   node bench/step-levers.mjs [backend] [blocks]      (npm run build first)
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { tf, useBackend, mlp, Rng } from '../dist/index.js';
import { dense } from '../dist/backend/native-dense.js';
import { fusedCrossEntropy } from '../dist/backend/native-xent.js';

const [backendName = 'wasm', blocksArg = '20'] = process.argv.slice(2);
const backend = await useBackend(backendName);
const rng = new Rng(0);
const model = mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10 });
const params = model.init(rng).map((t) => tf.variable(t));
const x = tf.tensor2d(Float32Array.from({ length: 10 * 784 }, () => rng.next()), [10, 784]);
const y = tf.tensor1d(Int32Array.from({ length: 10 }, () => rng.int(10)), 'int32');
const optimizer = tf.train.sgd(0);

const tfjsForward = (p) => {
  let h = x;
  for (let i = 0; i < 4; i += 2) h = tf.fused.matMul({ a: h, b: p[i], bias: p[i + 1], activation: 'relu' });
  return tf.fused.matMul({ a: h, b: p[4], bias: p[5] });
};
const nativeForward = (p) => {
  let h = x;
  for (let i = 0; i < 4; i += 2) h = dense(h, p[i], p[i + 1], 'relu');
  return dense(h, p[4], p[5], 'linear');
};
const compositeLoss = (z) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), z);
const fusedLoss = (z) => fusedCrossEntropy(z, y);
const variants = {
  'tfjs layers + composite loss': () => compositeLoss(tfjsForward(params)),
  'dense op + composite loss': () => compositeLoss(nativeForward(params)),
  'tfjs layers + fused loss': () => fusedLoss(tfjsForward(params)),
  'dense op + fused loss': () => fusedLoss(nativeForward(params)),
};
const step = (loss) => tf.tidy(() => optimizer.minimize(loss, true, params).dataSync());
const gradients = (loss) => tf.tidy(() => {
  const { grads } = tf.variableGrads(loss, params);
  return params.map((p) => grads[p.name].dataSync().slice());
});

const reference = gradients(variants['tfjs layers + composite loss']);
const report = { backend: backend.name, openblas: backend.versions.openblas ?? null };
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const [name, loss] of Object.entries(variants)) {
  const g = gradients(loss);
  let diff = 0;
  g.forEach((arr, i) => arr.forEach((v, j) => (diff = Math.max(diff, Math.abs(v - reference[i][j])))));
  const kernels = (await tf.profile(() => step(loss))).kernels.length;
  report[name] = { kernels, max_gradient_difference: diff };
  for (let i = 0; i < 50; i++) step(loss); // warm-up
}
for (let block = 0; block < Number(blocksArg); block++) {
  for (const [name, loss] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) step(loss);
    const c = process.cpuUsage(c0);
    samples[name].push({ cpu: (c.user + c.system) / 1000 / 50, wall: (performance.now() - t0) / 50 });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const name of Object.keys(variants)) {
  report[name].cpu_ms = +median(samples[name].map((s) => s.cpu)).toFixed(3);
  report[name].wall_ms = +median(samples[name].map((s) => s.wall)).toFixed(3);
}
process.stdout.write(`${JSON.stringify(report)}\n`);

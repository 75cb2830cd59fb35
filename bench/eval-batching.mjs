// The end-of-task evaluation of the rotations workloads: 20 test sets of 1000 images scored one
// forward pass each (as the runner does) against one pass over all 20000 images. Prints one JSON
// line with milliseconds per end-of-task evaluation.   node bench/eval-batching.mjs [backend] [reps]
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { tf, useBackend, mlp, Rng, learners } from '../dist/index.js';
import { evaluate, uploadSplit } from '../dist/runner/evaluate.js';

const [backendName = 'wasm', repsArg = '20'] = process.argv.slice(2);
const reps = Number(repsArg);
const backend = await useBackend(backendName);
const rng = new Rng(0);
const model = mlp({ inputSize: 784, hidden: [100, 100], outputSize: 10 });
const stream = { type: 'x', numTasks: 20, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: '' };
const learner = learners.get('naive').create({ lr: 0.003 });
await learner.setup({ stream, model, rng, batchSize: 10, epochs: 1, taskFree: false });
const sets = Array.from({ length: 20 }, () => uploadSplit({
  x: Float32Array.from({ length: 1000 * 784 }, () => rng.next()), y: Int32Array.from({ length: 1000 }, () => rng.int(10)), n: 1000, inputShape: [784],
}, 'classification'));
const allX = tf.concat(sets.map((s) => s.x));
const allY = tf.concat(sets.map((s) => s.y));

const separate = () => sets.map((s, t) => evaluate(learner, s, t, 'classification', 1000).accuracy);
const batched = () => {
  const correct = tf.tidy(() => {
    const hits = tf.cast(tf.equal(tf.argMax(learner.predict(allX, 0), 1), allY), 'float32');
    return tf.sum(tf.reshape(hits, [20, 1000]), 1);
  });
  const values = Array.from(correct.dataSync(), (c) => c / 1000);
  correct.dispose();
  return values;
};

function time(f) {
  f();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return { wall_ms: +((performance.now() - t0) / reps).toFixed(2), cpu_ms: +((c.user + c.system) / 1000 / reps).toFixed(2) };
}
const same = JSON.stringify(separate()) === JSON.stringify(batched());
process.stdout.write(`${JSON.stringify({ backend: backend.name, openblas: backend.versions.openblas ?? null, same_accuracies: same, separate: time(separate), batched: time(batched), separate_again: time(separate), batched_again: time(batched) })}\n`);

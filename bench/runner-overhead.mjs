// The costs around the kernels in one rotations run: the event stream through collectRun's RxJS
// operators (metrics, curves), the metric computation, and uploading a task's data. The events are
// those of rotations-naive (20 tasks x 100 steps, 20 x 20 evaluations) without any training, so
// the time is the runner's and the operators' own.   node bench/runner-overhead.mjs [reps]
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { Observable } from 'rxjs';
import { tf, useBackend, computeMetrics } from '../dist/index.js';
import { collectRun } from '../dist/runner/collect-run.js';
import { uploadSplit } from '../dist/runner/evaluate.js';

const reps = Number(process.argv[2] ?? 5);
const backend = await useBackend('wasm');
const T = 20;
const key = { learner: 'naive', seed: 0 };
function events() {
  return new Observable((s) => {
    let step = 0;
    s.next({ ...key, type: 'run-start', numTasks: T, time: '' });
    for (let j = 0; j < T; j++) s.next({ ...key, type: 'eval', phase: 'baseline', afterTask: -1, evalTask: j, batchInTask: 0, step, accuracy: 0.1, loss: 2.3 });
    for (let t = 0; t < T; t++) {
      s.next({ ...key, type: 'task-start', task: t, taskId: `t${t}`, trainSize: 1000 });
      for (let b = 1; b <= 100; b++) s.next({ ...key, type: 'train-step', task: t, step: ++step, batchInTask: b, batchesInTask: 100, loss: 1 });
      for (let j = 0; j < T; j++) s.next({ ...key, type: 'eval', phase: 'task-end', afterTask: t, evalTask: j, batchInTask: 100, step, accuracy: 0.5, loss: 1.5 });
      s.next({ ...key, type: 'task-end', task: t });
    }
    s.next({ ...key, type: 'run-end', status: 'completed', wallSeconds: 1 });
    s.complete();
  });
}
const identity = { learner: 'naive', learnerType: 'naive', options: {}, seed: 0, numTasks: T, score: 'accuracy' };
const metricOptions = { normalization: 'T-1', lcaBeta: 0, lcaRule: 'mean' };

const time = async (f) => {
  await f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await f();
  return +((performance.now() - t0) / reps).toFixed(3);
};
const record = await collectRun(events(), identity, metricOptions);
const split = { x: new Float32Array(1000 * 784).fill(0.5), y: new Int32Array(1000), n: 1000, inputShape: [784] };
process.stdout.write(`${JSON.stringify({
  backend: backend.name,
  events_per_run: 2 + T + T * (102 + T),
  collect_run_ms: await time(() => collectRun(events(), identity, metricOptions)),
  compute_metrics_ms: await time(() => computeMetrics({ R: record.accuracyMatrix, b: record.baseline, Z: [] }, metricOptions)),
  upload_1000_images_ms: await time(() => { const s = uploadSplit(split, 'classification'); tf.dispose([s.x, s.y]); }),
})}\n`);

import { type Observable, lastValueFrom, toArray } from 'rxjs';
import * as tf from '../backend/tf.js';
import type { Learner, LearnerContext, LearnerSpec, TaskInfo } from '../learners/types.js';
import { type Scenario, learnerBatchSize, learnerLabel } from '../scenario/types.js';
import type { Task, TaskStream } from '../streams/types.js';
import { Rng } from '../util/rng.js';
import { createLearner, createModel, driverEvents, memoryPeaks, yielder } from './driver.js';
import { type EvalSet, evaluate, evaluateMany, subsetOf, uploadSplit } from './evaluate.js';
import type { EvalPhase, EvalSubsetRecord, RunEvent, RunKey, RunStatus } from './events.js';
import { type Registries, registries as defaultRegistries } from './registries.js';

export interface RunPlan {
  readonly scenario: Scenario;
  readonly learner: LearnerSpec;
  readonly seed: number;
}

/** The stream a run sees: seeded by the run's seed unless the scenario pins `stream.seed`. */
export function createStream(scenario: Scenario, seed: number, regs: Registries = defaultRegistries): TaskStream {
  const pinned = scenario.stream.seed;
  const rng = typeof pinned === 'number' ? new Rng(pinned) : new Rng(seed).fork('stream');
  return regs.streams.get(scenario.stream.type).create(scenario.stream, rng);
}

/**
 * The protocol driver for one (learner, seed): feeds each task's batches to the learner and
 * evaluates it at the points the protocol names, emitting one typed event per step. Cold: each
 * subscription is a fresh run. A learner that throws ends its run as 'failed', never the stream.
 */
export function runOne(plan: RunPlan, regs: Registries = defaultRegistries): Observable<RunEvent> {
  return driverEvents((emit, cancelled) => execute(plan, regs, emit, cancelled));
}

async function execute(plan: RunPlan, regs: Registries, emit: (e: RunEvent) => void, cancelled: () => boolean): Promise<void> {
  const { scenario, seed } = plan;
  const { protocol } = scenario;
  const key: RunKey = { learner: learnerLabel(plan.learner), seed };
  const batchSize = learnerBatchSize(plan.learner, protocol);
  const started = performance.now();
  const wallSeconds = () => (performance.now() - started) / 1000;
  const rng = new Rng(seed);
  const maybeYield = yielder();
  const memory = memoryPeaks();

  let learner: Learner | undefined;
  const testSets: EvalSet[] = [];
  const subsets: EvalSet[] = [];
  let status: RunStatus = 'completed';
  let error: string | undefined;
  let step = 0;
  try {
    const stream = createStream(scenario, seed, regs);
    const { info } = stream;
    const tasks: Task[] = await lastValueFrom(stream.tasks().pipe(toArray()));
    for (const task of tasks) testSets.push(uploadSplit(task.test(), info.kind));
    const evalSubset = protocol.evalSubset === undefined ? undefined : drawSubsets(testSets, protocol.evalSubset, rng, subsets);
    emit({ ...key, type: 'run-start', numTasks: tasks.length, time: new Date().toISOString(), ...(evalSubset ? { evalSubset } : {}) });

    const model = createModel(scenario, info, regs);
    const context: LearnerContext = {
      stream: info, model, rng: rng.fork('learner'),
      batchSize, epochs: protocol.epochs, taskFree: protocol.taskFree,
    };
    const makeLearner = async (): Promise<Learner> => {
      const created = createLearner(plan.learner, regs);
      await created.setup({ ...context, rng: rng.fork('learner') });
      return created;
    };
    const visibleTask = (t: number) => (protocol.taskFree ? undefined : t);
    const score = (l: Learner, evalTask: number) =>
      evaluate(l, testSets[evalTask], visibleTask(evalTask), info.kind, protocol.evalBatchSize, tasks[evalTask].taskOutputs);
    const emitEval = (l: Learner, phase: EvalPhase, afterTask: number, evalTask: number, batchInTask: number) =>
      emit({ ...key, type: 'eval', phase, afterTask, evalTask, batchInTask, step, ...score(l, evalTask) });
    const evalAll = (l: Learner, phase: EvalPhase, afterTask: number, batchInTask: number) => {
      for (let j = 0; j < tasks.length; j++) emitEval(l, phase, afterTask, j, batchInTask);
    };
    // Dense evaluation: tasks first..last on their subsets, read back from the backend at once.
    const evalSubsets = (l: Learner, afterTask: number, first: number, last: number, batchInTask: number) => {
      const seen = Array.from({ length: last - first + 1 }, (_, k) => first + k);
      const scores = evaluateMany(
        l, seen.map((j) => subsets[j]), seen.map(visibleTask), info.kind, protocol.evalBatchSize, seen.map((j) => tasks[j].taskOutputs),
      );
      seen.forEach((evalTask, k) => emit({ ...key, type: 'eval', phase: 'curve', afterTask, evalTask, batchInTask, step, ...scores[k] }));
    };
    const dense = subsets.length > 0;
    const curveAt = (l: Learner, t: number, batchInTask: number) => {
      if (dense) evalSubsets(l, t, 0, t, batchInTask);
      else evalAll(l, 'curve', t, batchInTask);
    };

    // The untrained model's scores (row b): a second instance set up exactly like the real one.
    const untrained = await makeLearner();
    try {
      evalAll(untrained, 'baseline', -1, 0);
    } finally {
      untrained.dispose();
    }

    learner = await makeLearner();
    const orderRng = rng.fork('batch-order');
    training: for (const task of tasks) {
      if (cancelled()) break;
      const t = task.index;
      const taskInfo: TaskInfo = { index: t, id: task.id, classes: task.classes };
      const split = task.train();
      emit({ ...key, type: 'task-start', task: t, taskId: task.id, trainSize: split.n });
      if (!protocol.taskFree) await learner.beginTask?.(taskInfo);
      emitEval(learner, 'lca', t, t, 0);
      if (dense) evalSubsets(learner, t, t, t, 0);

      const train = uploadSplit(split, info.kind);
      const batchesPerEpoch = Math.ceil(split.n / batchSize);
      const batchesInTask = batchesPerEpoch * protocol.epochs;
      let batchInTask = 0;
      try {
        for (let epoch = 0; epoch < protocol.epochs; epoch++) {
          const order = protocol.shuffle ? orderRng.permutation(split.n) : null;
          for (let start = 0; start < split.n; start += batchSize) {
            const size = Math.min(batchSize, split.n - start);
            const [x, y] = tf.tidy(() => {
              if (!order) return [tf.slice(train.x, start, size), tf.slice(train.y, start, size)];
              const idx = tf.tensor1d(order.subarray(start, start + size), 'int32');
              return [tf.gather(train.x, idx), tf.gather(train.y, idx)];
            });
            let loss: number | void;
            try {
              loss = await learner.observe({ x, y, size, taskIndex: visibleTask(t) });
              memory.sample();
            } finally {
              tf.dispose([x, y]);
            }
            step++;
            batchInTask++;
            emit({ ...key, type: 'train-step', task: t, step, batchInTask, batchesInTask, loss: loss ?? undefined });
            if (typeof loss === 'number' && !Number.isFinite(loss)) {
              status = 'diverged';
              emit({ ...key, type: 'diverged', task: t, step, loss });
              break training;
            }
            if (epoch === 0 && batchInTask <= protocol.lcaBeta) emitEval(learner, 'lca', t, t, batchInTask);
            if (protocol.evalEvery > 0 && batchInTask % protocol.evalEvery === 0 && batchInTask < batchesInTask) {
              curveAt(learner, t, batchInTask);
            }
            await maybeYield();
          }
        }
        if (!protocol.taskFree) await learner.endTask?.(taskInfo, { x: train.x, y: train.y, size: split.n, taskIndex: t });
      } finally {
        tf.dispose([train.x, train.y]);
      }
      memory.sample();
      if (dense) evalSubsets(learner, t, 0, t, batchInTask);
      evalAll(learner, 'task-end', t, batchInTask);
      emit({ ...key, type: 'task-end', task: t });
    }
  } catch (err) {
    status = 'failed';
    error = err instanceof Error ? err.message : String(err);
  } finally {
    learner?.dispose();
    // A whole-set subset shares its test set's tensors: dispose each set once.
    for (const set of new Set([...testSets, ...subsets])) tf.dispose([set.x, set.y]);
  }
  emit({ ...key, type: 'run-end', status, wallSeconds: wallSeconds(), ...(error ? { error } : {}), ...memory.peaks() });
}

/** Each task's fixed evaluation subset, drawn from the run's seed (one generator per task), into `into`. */
function drawSubsets(testSets: readonly EvalSet[], size: number, rng: Rng, into: EvalSet[]): EvalSubsetRecord {
  const indices = testSets.map((set, j) => {
    const drawn = subsetOf(set, size, rng.fork(`eval-subset-${j}`));
    into.push(drawn.set);
    return drawn.indices;
  });
  return { size, indices };
}

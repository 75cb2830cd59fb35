import { EMPTY, type Observable, catchError, concatMap, defer, lastValueFrom, take, takeWhile } from 'rxjs';
import * as tf from '../backend/tf.js';
import type { Learner, TaskInfo } from '../learners/types.js';
import { type ContinualProtocol, learnerBatchSize } from '../scenario/types.js';
import type { ProblemKind, StreamInfo, Task } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { type RunLife, type RunPlan, type Schedule, driveRun } from './driver.js';
import { type EvalSet, evaluate, evaluateMany, subsetOf, uploadSplit } from './evaluate.js';
import type { EvalPhase, EvalSubsetRecord, RunEvent } from '../events/run-events.js';
import { createLearner, createModel, createStream } from './factories.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';

/**
 * The continual protocol for one (learner, seed): feeds each task's batches to the learner as the
 * tasks arrive and evaluates it at the points the protocol names, emitting one typed event per
 * step. A learner or stream that throws ends its run as 'failed', never the Observable.
 */
export function runOne(plan: RunPlan, regs: Registries = defaultRegistries, signal?: AbortSignal): Observable<RunEvent> {
  return driveRun(plan, regs, continual, signal);
}

/**
 * Tasks a run trains on: the stream's, cut at protocol.maxTasks. An endless stream needs the cut,
 * so the accuracy matrix has a size.
 */
export function runLength(info: StreamInfo, protocol: Pick<ContinualProtocol, 'maxTasks'>): number {
  const length = Math.min(info.numTasks, protocol.maxTasks ?? Infinity);
  if (!Number.isFinite(length)) throw new ClbenchError(`stream '${info.type}' is endless: set protocol.maxTasks to bound the run`);
  return length;
}

const continual: Schedule = async (life) => {
  const { plan, regs } = life;
  const protocol = plan.scenario.protocol as ContinualProtocol;
  const stream = createStream(plan.scenario, plan.seed, regs);
  const { info } = stream;
  const numTasks = runLength(info, protocol);
  const tasks = stream.tasks().pipe(take(numTasks));
  // A stream that knows its length is scored on every task from the start: the full matrix, with
  // the untrained row b, scored before the learner sees any data. An endless one is scored on the
  // tasks seen so far.
  const knownLength = Number.isFinite(info.numTasks);
  const tests = life.own(new TestSets(info.kind));
  if (knownLength) await tasks.forEach((task) => tests.add(task));
  const evalSubset = protocol.evalSubset === undefined ? undefined : tests.drawSubsets(protocol.evalSubset, life.rng, knownLength);
  life.emit({ ...life.key, type: 'run-start', numTasks, time: new Date().toISOString(), ...(evalSubset ? { evalSubset } : {}) });

  const learner = createLearner(plan.learner, regs);
  await learner.setup({
    stream: info, model: createModel(plan.scenario, info, regs), rng: life.rng.fork('learner'),
    batchSize: learnerBatchSize(plan.learner, protocol), epochs: protocol.epochs, taskFree: protocol.taskFree,
  });
  life.own(learner);
  const run = new ContinualRun(life, { ...protocol, batchSize: learnerBatchSize(plan.learner, protocol) }, info.kind, learner, tests);
  if (knownLength) run.evalAll('baseline', -1, 0);
  // A stream that fails ends the run once the tasks it delivered before failing are trained.
  let streamError: { error: unknown } | undefined;
  const delivered = tasks.pipe(
    catchError((error: unknown) => {
      streamError = { error };
      return EMPTY;
    }),
  );
  await lastValueFrom(delivered.pipe(concatMap((task) => defer(() => run.train(task))), takeWhile((goOn) => goOn)), { defaultValue: true });
  if (streamError && !run.diverged && !life.stopped()) throw streamError.error;
  return run.diverged ? 'diverged' : 'completed';
};

/** The test splits scored so far, resident on the backend, by task index; with protocol.evalSubset, each one's subset. */
class TestSets {
  readonly sets: EvalSet[] = [];
  readonly subsets: EvalSet[] = [];
  /** Each task's own output units (class-incremental streams), for its task-IL score. */
  readonly outputs: (readonly number[] | undefined)[] = [];
  constructor(private readonly kind: ProblemKind) {}

  add(task: Task): void {
    if (this.sets[task.index] !== undefined) return;
    this.sets[task.index] = uploadSplit(task.test(), this.kind);
    this.outputs[task.index] = task.taskOutputs;
  }

  /** Each task's fixed evaluation subset, drawn from the run's seed (one generator per task). */
  drawSubsets(size: number, rng: Rng, allKnown: boolean): EvalSubsetRecord {
    if (!allKnown) throw new ClbenchError('protocol.evalSubset needs a stream of known length: its subsets are drawn before training');
    const indices = this.sets.map((set, j) => {
      const drawn = subsetOf(set, size, rng.fork(`eval-subset-${j}`));
      this.subsets.push(drawn.set);
      return drawn.indices;
    });
    return { size, indices };
  }

  dispose(): void {
    // A whole-set subset shares its test set's tensors: dispose each set once.
    for (const set of new Set([...this.sets, ...this.subsets])) if (set) tf.dispose([set.x, set.y]);
  }
}

/** One continual run's training and evaluation, task by task. */
class ContinualRun {
  diverged = false;
  private step = 0;
  private readonly orderRng;

  constructor(
    private readonly life: RunLife,
    private readonly protocol: ContinualProtocol,
    private readonly kind: ProblemKind,
    private readonly learner: Learner,
    readonly tests: TestSets,
  ) {
    this.orderRng = life.rng.fork('batch-order');
  }

  private visibleTask(t: number): number | undefined {
    return this.protocol.taskFree ? undefined : t;
  }

  private emitEval(phase: EvalPhase, afterTask: number, evalTask: number, batchInTask: number): void {
    const { sets, outputs } = this.tests;
    const score = evaluate(this.learner, sets[evalTask], this.visibleTask(evalTask), this.kind, this.protocol.evalBatchSize, outputs[evalTask]);
    this.life.emit({ ...this.life.key, type: 'eval', phase, afterTask, evalTask, batchInTask, step: this.step, ...score });
  }

  evalAll(phase: EvalPhase, afterTask: number, batchInTask: number): void {
    for (let j = 0; j < this.tests.sets.length; j++) if (this.tests.sets[j]) this.emitEval(phase, afterTask, j, batchInTask);
  }

  /** Dense evaluation (protocol.evalSubset): tasks first..last on their subsets, read back from the backend at once. */
  private evalSubsets(afterTask: number, first: number, last: number, batchInTask: number): void {
    const seen = Array.from({ length: last - first + 1 }, (_, k) => first + k);
    const sets = seen.map((j) => this.tests.subsets[j]);
    const outputs = seen.map((j) => this.tests.outputs[j]);
    const scores = evaluateMany(this.learner, sets, seen.map((j) => this.visibleTask(j)), this.kind, this.protocol.evalBatchSize, outputs);
    seen.forEach((evalTask, k) => this.life.emit({ ...this.life.key, type: 'eval', phase: 'curve', afterTask, evalTask, batchInTask, step: this.step, ...scores[k] }));
  }

  private get dense(): boolean {
    return this.tests.subsets.length > 0;
  }

  /** Learning-curve points: every task's full test set, or with protocol.evalSubset the seen tasks' subsets. */
  private curveAt(t: number, batchInTask: number): void {
    if (this.dense) this.evalSubsets(t, 0, t, batchInTask);
    else this.evalAll('curve', t, batchInTask);
  }

  /** Trains on one task; false when the run must stop (diverged or cancelled). */
  async train(task: Task): Promise<boolean> {
    if (this.life.stopped()) return false;
    const { life, protocol, learner } = this;
    const t = task.index;
    const taskInfo: TaskInfo = { index: t, id: task.id, classes: task.classes };
    const split = task.train();
    this.tests.add(task);
    life.emit({ ...life.key, type: 'task-start', task: t, taskId: task.id, trainSize: split.n });
    const train = uploadSplit(split, this.kind);
    // beginTask and endTask see the task's training split, freed after endTask.
    const trainSplit = { x: train.x, y: train.y, size: split.n, taskIndex: t };
    let batchInTask: number;
    try {
      if (!protocol.taskFree) await learner.beginTask?.(taskInfo, trainSplit);
      this.emitEval('lca', t, t, 0);
      if (this.dense) this.evalSubsets(t, t, t, 0);
      batchInTask = await this.trainEpochs(t, train);
      if (batchInTask >= 0 && !protocol.taskFree) await learner.endTask?.(taskInfo, trainSplit);
    } finally {
      tf.dispose([train.x, train.y]);
    }
    if (batchInTask < 0) return false;
    life.memory.sample();
    if (this.dense) this.evalSubsets(t, 0, t, batchInTask);
    this.evalAll('task-end', t, batchInTask);
    life.emit({ ...life.key, type: 'task-end', task: t });
    return true;
  }

  /** The task's batches, epoch by epoch; returns the batches done, or -1 if the run stopped within the task. */
  private async trainEpochs(t: number, train: EvalSet): Promise<number> {
    const { life, protocol, learner } = this;
    const batchesInTask = Math.ceil(train.n / protocol.batchSize) * protocol.epochs;
    let batchInTask = 0;
    for (let epoch = 0; epoch < protocol.epochs; epoch++) {
      const order = protocol.shuffle ? this.orderRng.permutation(train.n) : null;
      for (let start = 0; start < train.n; start += protocol.batchSize) {
        if (life.stopped()) return -1;
        const size = Math.min(protocol.batchSize, train.n - start);
        const [x, y] = tf.tidy(() => {
          if (!order) return [tf.slice(train.x, start, size), tf.slice(train.y, start, size)];
          const idx = tf.tensor1d(order.subarray(start, start + size), 'int32');
          return [tf.gather(train.x, idx), tf.gather(train.y, idx)];
        });
        let loss: number | void;
        try {
          loss = await learner.observe({ x, y, size, taskIndex: this.visibleTask(t) });
          life.memory.sample();
        } finally {
          tf.dispose([x, y]);
        }
        this.step++;
        batchInTask++;
        life.emit({ ...life.key, type: 'train-step', task: t, step: this.step, batchInTask, batchesInTask, loss: loss ?? undefined });
        if (typeof loss === 'number' && !Number.isFinite(loss)) {
          this.diverged = true;
          life.emit({ ...life.key, type: 'diverged', task: t, step: this.step, loss });
          return -1;
        }
        if (epoch === 0 && batchInTask <= protocol.lcaBeta) this.emitEval('lca', t, t, batchInTask);
        if (protocol.evalEvery > 0 && batchInTask % protocol.evalEvery === 0 && batchInTask < batchesInTask) {
          this.curveAt(t, batchInTask);
        }
        await life.maybeYield();
      }
    }
    return batchInTask;
  }
}

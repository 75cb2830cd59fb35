import { type Observable, lastValueFrom, take, toArray } from 'rxjs';
import * as tf from '../backend/tf.js';
import { EpisodeMetaBatch, uploadSplits } from '../learners/meta/meta-batch.js';
import type { Adapted, Batch, Learner, LearnerContext } from '../learners/types.js';
import { defaultReportSteps } from '../metrics/adaptation.js';
import { type MetaProtocol, isMetaProtocol, learnerLabel } from '../scenario/types.js';
import { type Episode, type EpisodeStream, isTaskDistribution } from '../streams/episodes.js';
import type { ProblemKind } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { createLearner, createModel, driverEvents, memoryPeaks, yielder } from './driver.js';
import type { AdaptPhase, RunEvent, RunKey, RunStatus } from './events.js';
import { type Registries, registries as defaultRegistries } from './registries.js';
import { type RunPlan, createStream, runOne } from './run-one.js';

/** The driver a scenario's protocol names: the continual one (runOne) or the meta-learning one (runMeta). */
export function runPlan(plan: RunPlan, regs: Registries = defaultRegistries): Observable<RunEvent> {
  return isMetaProtocol(plan.scenario.protocol) ? runMeta(plan, regs) : runOne(plan, regs);
}

/** The scenario's stream as a task distribution; a ClbenchError naming the stream if it is not one. */
export function createTaskDistribution(plan: Pick<RunPlan, 'scenario' | 'seed'>, regs: Registries = defaultRegistries): EpisodeStream {
  const stream = createStream(plan.scenario, plan.seed, regs);
  if (!isTaskDistribution(stream)) {
    throw new ClbenchError(
      `stream '${plan.scenario.stream.type}' is a task stream, not a task distribution: protocol.kind "meta" needs ` +
        'a stream of episodes such as "sine" or "few-shot"',
    );
  }
  return stream;
}

/** Query accuracy and mean loss of adapted weights, read back in one device→host transfer. */
function scoreQuery(adapted: Adapted, query: Batch, kind: ProblemKind): { accuracy: number; loss: number } {
  const sums = tf.tidy(() => {
    const out = adapted.predict(query.x);
    if (kind === 'regression') return tf.stack([tf.scalar(NaN), tf.mean(tf.squaredDifference(out, tf.reshape(query.y, out.shape)))]);
    const classes = out.shape[out.shape.length - 1]!;
    const correct = tf.mean(tf.cast(tf.equal(tf.argMax(out, -1), query.y), 'float32'));
    return tf.stack([correct, tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(query.y, 'int32'), classes), out)]);
  });
  const [accuracy, loss] = sums.dataSync();
  sums.dispose();
  return { accuracy, loss };
}

/** Feeds a learner without metaObserve each episode's support and query through observe(); returns the mean loss. */
async function observeEpisodes(learner: Learner, batch: EpisodeMetaBatch): Promise<number | undefined> {
  let total = 0;
  let known = 0;
  for (let i = 0; i < batch.size; i++) {
    const data = batch.episodeData(i);
    try {
      const loss = await learner.observe(data);
      if (typeof loss === 'number') {
        total += loss;
        known++;
      }
    } finally {
      tf.dispose([data.x, data.y]);
    }
  }
  return known ? total / known : undefined;
}

/**
 * The meta-learning protocol driver for one (learner, seed): meta-trains on episodes drawn one
 * meta-batch at a time from the task distribution, and scores few-shot adaptation on held-out
 * meta-test episodes (after 0..K steps on each support set) every evalEvery meta-iterations and at
 * the end. Emits typed events like runOne, so the same sinks and collectRun fold it. Cold: each
 * subscription is a fresh run; a learner that throws ends its run as 'failed'.
 */
export function runMeta(plan: RunPlan, regs: Registries = defaultRegistries): Observable<RunEvent> {
  return driverEvents((emit, cancelled) => execute(plan, regs, emit, cancelled));
}

async function execute(plan: RunPlan, regs: Registries, emit: (e: RunEvent) => void, cancelled: () => boolean): Promise<void> {
  const { scenario, seed } = plan;
  const key: RunKey = { learner: learnerLabel(plan.learner), seed };
  const started = performance.now();
  const rng = new Rng(seed);
  const maybeYield = yielder();
  const memory = memoryPeaks();
  let learner: Learner | undefined;
  let status: RunStatus = 'completed';
  let error: string | undefined;
  try {
    if (!isMetaProtocol(scenario.protocol)) throw new ClbenchError(`runMeta needs protocol.kind "meta", got "${scenario.protocol.kind}"`);
    const protocol: MetaProtocol = scenario.protocol;
    const stream = createTaskDistribution(plan, regs);
    const { info } = stream;
    emit({ ...key, type: 'run-start', numTasks: 0, time: new Date().toISOString() });

    const model = createModel(scenario, info, regs);
    const created = createLearner(plan.learner, regs);
    learner = created;
    const metaBatch = created.metaBatch ?? protocol.metaBatch;
    const context: LearnerContext = {
      stream: info, model, rng: rng.fork('learner'), batchSize: protocol.batchSize, epochs: protocol.epochs, taskFree: false,
      meta: { iterations: protocol.metaIterations, metaBatch },
    };
    await created.setup(context);
    if (!created.adapt) {
      throw new ClbenchError(`learner '${plan.learner.type}' has no adapt(): the meta protocol scores how it adapts to new tasks`);
    }
    const adaptSteps = protocol.adaptSteps;
    emit({
      ...key, type: 'meta-start', metaIterations: protocol.metaIterations, metaBatch, adaptSteps,
      evalEpisodes: protocol.evalEpisodes, score: info.kind === 'classification' ? 'accuracy' : 'loss',
      reportSteps: (protocol.reportSteps ?? defaultReportSteps(adaptSteps)).filter((k) => k <= adaptSteps),
      ...(protocol.adaptTarget !== undefined ? { adaptTarget: protocol.adaptTarget } : {}),
    });

    const testEpisodes: Episode[] = await lastValueFrom(stream.metaTest(protocol.evalEpisodes).pipe(toArray()));
    const interimEpisodes = testEpisodes.slice(0, protocol.interimEpisodes);
    let iteration = 0;
    const evaluate = async (episodes: readonly Episode[], phase: AdaptPhase) => {
      for (const episode of episodes) {
        const support = uploadSplits([episode.train()], info.kind);
        const query = uploadSplits([episode.test()], info.kind);
        let adapted: Adapted | undefined;
        try {
          adapted = created.adapt!(support, 0, protocol.adaptLr !== undefined ? { lr: protocol.adaptLr } : {});
          for (let steps = 0; steps <= adaptSteps; steps++) {
            if (steps > 0) adapted.step(1);
            emit({ ...key, type: 'adapt-eval', phase, iteration, episode: episode.index, steps, ...scoreQuery(adapted, query, info.kind) });
          }
          memory.sample();
        } finally {
          adapted?.dispose();
          tf.dispose([support.x, support.y, query.x, query.y]);
        }
        await maybeYield();
      }
    };

    if (protocol.evalEvery > 0) await evaluate(interimEpisodes, 'interim');
    for (; iteration < protocol.metaIterations; ) {
      if (cancelled()) break;
      const episodes = await lastValueFrom(stream.metaTrain(iteration * metaBatch).pipe(take(metaBatch), toArray()));
      const batch = new EpisodeMetaBatch(episodes, info.kind);
      let loss: number | void | undefined;
      try {
        loss = created.metaObserve ? await created.metaObserve(batch) : await observeEpisodes(created, batch);
        memory.sample();
      } finally {
        batch.dispose();
      }
      iteration++;
      emit({ ...key, type: 'meta-step', iteration, iterations: protocol.metaIterations, loss: loss ?? undefined });
      if (typeof loss === 'number' && !Number.isFinite(loss)) {
        status = 'diverged';
        emit({ ...key, type: 'diverged', task: -1, step: iteration, loss });
        break;
      }
      if (protocol.evalEvery > 0 && iteration % protocol.evalEvery === 0 && iteration < protocol.metaIterations) {
        await evaluate(interimEpisodes, 'interim');
      }
      await maybeYield();
    }
    if (status === 'completed' && !cancelled()) await evaluate(testEpisodes, 'final');
  } catch (err) {
    status = 'failed';
    error = err instanceof Error ? err.message : String(err);
  } finally {
    learner?.dispose();
  }
  emit({ ...key, type: 'run-end', status, wallSeconds: (performance.now() - started) / 1000, ...(error ? { error } : {}), ...memory.peaks() });
}

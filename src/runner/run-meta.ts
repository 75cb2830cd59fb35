import { type Observable, concatMap, defer, lastValueFrom, take, toArray } from 'rxjs';
import * as tf from '../backend/tf.js';
import { EpisodeMetaBatch, uploadSplits } from '../learners/meta/meta-batch.js';
import type { Adapted, Batch, Learner } from '../learners/types.js';
import { lossFor } from '../models/losses.js';
import { defaultReportSteps } from '../metrics/adaptation.js';
import { type MetaProtocol, isMetaProtocol } from '../scenario/types.js';
import type { Episode, EpisodeStream } from '../streams/episodes.js';
import type { ProblemKind } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { type RunLife, type RunPlan, type Schedule, driveRun } from './driver.js';
import type { AdaptPhase, RunEvent } from '../events/run-events.js';
import { createLearner, createModel, createTaskDistribution } from './factories.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';

/** Query accuracy and mean loss of adapted weights, read back in one device→host transfer. */
function scoreQuery(adapted: Adapted, query: Batch, kind: ProblemKind): { accuracy: number; loss: number } {
  const sums = tf.tidy(() => {
    const out = adapted.predict(query.x);
    const loss = lossFor(kind)(out, query.y);
    if (kind === 'regression') return tf.stack([tf.scalar(NaN), loss]);
    const correct = tf.mean(tf.cast(tf.equal(tf.argMax(out, -1), query.y), 'float32'));
    return tf.stack([correct, loss]);
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
 * The meta-learning protocol for one (learner, seed): meta-trains on episodes pulled one
 * meta-batch at a time from the task distribution, and scores few-shot adaptation on held-out
 * meta-test episodes (after 0..K steps on each support set) every evalEvery meta-iterations and at
 * the end. Emits typed events like runOne, so the same sinks and collectRun fold it.
 */
export function runMeta(plan: RunPlan, regs: Registries = defaultRegistries, signal?: AbortSignal): Observable<RunEvent> {
  return driveRun(plan, regs, meta, signal);
}

const meta: Schedule = async (life) => {
  const { plan, regs } = life;
  const { scenario } = plan;
  if (!isMetaProtocol(scenario.protocol)) throw new ClbenchError(`runMeta needs protocol.kind "meta", got "${scenario.protocol.kind}"`);
  const protocol: MetaProtocol = scenario.protocol;
  const stream = createTaskDistribution(scenario, plan.seed, regs);
  const { info } = stream;
  life.emit({ ...life.key, type: 'run-start', numTasks: 0, time: new Date().toISOString() });

  const learner = life.own(createLearner(plan.learner, regs));
  const metaBatch = learner.metaBatch ?? protocol.metaBatch;
  await learner.setup({
    stream: info, model: createModel(scenario, info, regs), rng: life.rng.fork('learner'),
    batchSize: protocol.batchSize, epochs: protocol.epochs, taskFree: false,
    meta: { iterations: protocol.metaIterations, metaBatch },
  });
  if (!learner.adapt) {
    throw new ClbenchError(`learner '${plan.learner.type}' has no adapt(): the meta protocol scores how it adapts to new tasks`);
  }
  const { adaptSteps } = protocol;
  life.emit({
    ...life.key, type: 'meta-start', metaIterations: protocol.metaIterations, metaBatch, adaptSteps,
    evalEpisodes: protocol.evalEpisodes, score: info.kind === 'classification' ? 'accuracy' : 'loss',
    reportSteps: (protocol.reportSteps ?? defaultReportSteps(adaptSteps)).filter((k) => k <= adaptSteps),
    ...(protocol.adaptTarget !== undefined ? { adaptTarget: protocol.adaptTarget } : {}),
  });
  const run = new MetaRun(life, protocol, learner, stream, metaBatch);
  return run.schedule();
};

/** One meta-learning run: meta-training iterations, with adaptation scored on held-out episodes. */
class MetaRun {
  private iteration = 0;

  constructor(
    private readonly life: RunLife,
    private readonly protocol: MetaProtocol,
    private readonly learner: Learner,
    private readonly stream: EpisodeStream,
    private readonly metaBatch: number,
  ) {}

  async schedule(): Promise<'completed' | 'diverged'> {
    const { protocol, life } = this;
    // Interim evaluations score the first interimEpisodes of the meta-test episodes (episode i is the same in both).
    const interim = Math.min(protocol.interimEpisodes, protocol.evalEpisodes);
    if (protocol.evalEvery > 0) await this.evaluate(interim, 'interim');
    while (this.iteration < protocol.metaIterations) {
      if (life.stopped()) return 'completed';
      const loss = await this.metaStep();
      if (typeof loss === 'number' && !Number.isFinite(loss)) {
        life.emit({ ...life.key, type: 'diverged', task: -1, step: this.iteration, loss });
        return 'diverged';
      }
      if (protocol.evalEvery > 0 && this.iteration % protocol.evalEvery === 0 && this.iteration < protocol.metaIterations) {
        await this.evaluate(interim, 'interim');
      }
      await life.maybeYield();
    }
    if (!life.stopped()) await this.evaluate(protocol.evalEpisodes, 'final');
    return 'completed';
  }

  /**
   * One meta-update on the next meta-batch of episodes. The episodes are pulled from the stream
   * one meta-batch at a time: the array is that window of `metaBatch` episodes, never the stream.
   */
  private async metaStep(): Promise<number | undefined> {
    const { life, learner, metaBatch } = this;
    const episodes = await lastValueFrom(this.stream.metaTrain(this.iteration * metaBatch).pipe(take(metaBatch), toArray()));
    const batch = new EpisodeMetaBatch(episodes, this.stream.info.kind);
    let loss: number | void | undefined;
    try {
      loss = learner.metaObserve ? await learner.metaObserve(batch) : await observeEpisodes(learner, batch);
      life.memory.sample();
    } finally {
      batch.dispose();
    }
    this.iteration++;
    life.emit({ ...life.key, type: 'meta-step', iteration: this.iteration, iterations: this.protocol.metaIterations, loss: loss ?? undefined });
    return loss ?? undefined;
  }

  /** Scores adaptation on the first `count` meta-test episodes, as they arrive. */
  private async evaluate(count: number, phase: AdaptPhase): Promise<void> {
    const episodes = this.stream.metaTest(count).pipe(concatMap((episode) => defer(() => this.adaptOn(episode, phase))));
    await lastValueFrom(episodes, { defaultValue: undefined });
  }

  private async adaptOn(episode: Episode, phase: AdaptPhase): Promise<void> {
    const { life, protocol, learner } = this;
    const { kind } = this.stream.info;
    if (life.stopped()) return;
    const support = uploadSplits([episode.train()], kind);
    const query = uploadSplits([episode.test()], kind);
    let adapted: Adapted | undefined;
    try {
      adapted = learner.adapt!(support, 0, protocol.adaptLr !== undefined ? { lr: protocol.adaptLr } : {});
      for (let steps = 0; steps <= protocol.adaptSteps; steps++) {
        if (steps > 0) adapted.step(1);
        life.emit({ ...life.key, type: 'adapt-eval', phase, iteration: this.iteration, episode: episode.index, steps, ...scoreQuery(adapted, query, kind) });
      }
      life.memory.sample();
    } finally {
      adapted?.dispose();
      tf.dispose([support.x, support.y, query.x, query.y]);
    }
    await life.maybeYield();
  }
}

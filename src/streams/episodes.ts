import { type Observable, defer, map, range } from 'rxjs';
import { lazyTasks } from './lazy-tasks.js';
import type { Rng } from '../util/rng.js';
import type { StreamInfo, Task, TaskStream } from './types.js';

/**
 * Meta-learning streams are task distributions. An episode is a Task whose train() is the support
 * set (what a learner adapts on) and test() the query set (what it is scored on); for few-shot
 * classification `classes` lists the original class of each episode label (label i ↔ classes[i]).
 */
export type Episode = Task;

/** StreamInfo of a task distribution: what a learner may know before meta-training starts. */
export interface EpisodeStreamInfo extends StreamInfo {
  /** Support examples per episode (N·K for N-way K-shot, K for sine). */
  readonly supportSize: number;
  /** Query examples per meta-training episode. */
  readonly querySize: number;
  /** Query examples per meta-test episode. */
  readonly testQuerySize: number;
  /**
   * Classification: one more than the largest class id of the meta-training pool, so a learner
   * that pretrains on original classes (the `pretrain` baseline) can size its head.
   */
  readonly classIds?: number;
}

/**
 * A seeded distribution over tasks. Both streams are cold and lazy: an episode's data is drawn only
 * when its train() or test() is called, and episode i is the same on every subscription, so a
 * driver can pull one meta-batch at a time (`metaTrain(i)` starts at episode i) without any
 * episode being buffered ahead.
 */
export interface TaskDistribution {
  readonly info: EpisodeStreamInfo;
  /** Meta-training episodes from index `from` (default 0) on, without end. */
  metaTrain(from?: number): Observable<Episode>;
  /** `n` held-out meta-test episodes (drawn from the meta-test pool, e.g. unseen classes). */
  metaTest(n: number): Observable<Episode>;
}

/**
 * A task distribution that is also a TaskStream: tasks() gives `info.numTasks` meta-test episodes
 * in a row, so the continual protocol (and continual meta-test streams) can use it too.
 */
export interface EpisodeStream extends TaskStream, TaskDistribution {
  readonly info: EpisodeStreamInfo;
}

export function isTaskDistribution(stream: TaskStream | TaskDistribution): stream is EpisodeStream {
  const s = stream as Partial<TaskDistribution>;
  return typeof s.metaTrain === 'function' && typeof s.metaTest === 'function';
}

/** Draws episode `index` of one pool; `rng` is that episode's own generator. */
export type EpisodeSampler = (rng: Rng, index: number) => Episode;

/**
 * The Observables of a task distribution, from one sampler per pool. Episode i of a pool draws
 * from `rng.fork(pool).fork(i)`, so it does not depend on which episodes were drawn before it.
 */
export function episodeStream(
  info: EpisodeStreamInfo,
  rng: Rng,
  samplers: { readonly metaTrain: EpisodeSampler; readonly metaTest: EpisodeSampler },
): EpisodeStream {
  const trainRng = rng.fork('meta-train');
  const testRng = rng.fork('meta-test');
  const metaTest = (n: number): Observable<Episode> =>
    defer(() => range(0, n).pipe(map((i) => samplers.metaTest(testRng.fork(String(i)), i))));
  return {
    info,
    metaTrain: (start = 0) =>
      defer(() => range(start, Number.MAX_SAFE_INTEGER - start).pipe(map((i) => samplers.metaTrain(trainRng.fork(String(i)), i)))),
    metaTest,
    // The continual view: a fixed sequence of held-out tasks, as a continual stream expects.
    tasks: () => lazyTasks(info.numTasks, (i) => samplers.metaTest(testRng.fork(`task-${i}`), i)),
  };
}

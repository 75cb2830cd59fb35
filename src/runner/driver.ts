import { Observable } from 'rxjs';
import * as tf from '../backend/tf.js';
import type { LearnerSpec } from '../learners/types.js';
import { type Scenario, learnerLabel } from '../scenario/types.js';
import { Rng } from '../util/rng.js';
import type { RunEvent, RunKey, RunStatus } from '../events/run-events.js';
import type { Registries } from '../scenario/registries.js';

/** One (learner, seed) run of a scenario. */
export interface RunPlan {
  readonly scenario: Scenario;
  readonly learner: LearnerSpec;
  readonly seed: number;
}

/** What the driver hands a protocol's schedule: the run's identity and the hooks of its life. */
export interface RunLife {
  readonly plan: RunPlan;
  readonly regs: Registries;
  readonly key: RunKey;
  /** The run's generator (seeded by the run's seed); a schedule forks it by purpose. */
  readonly rng: Rng;
  readonly emit: (e: RunEvent) => void;
  /** True once the run is cancelled (unsubscribed or aborted); a schedule checks it at every step. */
  readonly stopped: () => boolean;
  /** Lets timers (progress bars, signal handlers) run during long synchronous stretches of training. */
  readonly maybeYield: () => Promise<void>;
  readonly memory: MemoryPeaks;
  /** Disposes `resource` when the run ends, however it ends. */
  own<T extends { dispose(): void }>(resource: T): T;
}

/** A protocol: runs the steps of one run and says how they ended; throwing ends the run as 'failed'. */
export type Schedule = (life: RunLife) => Promise<'completed' | 'diverged'>;

/**
 * The one place a run lives: builds its key and generator, runs the protocol's schedule, and
 * always ends with `run-end` (status, error, wall time, memory peaks). Cold: each subscription is
 * a fresh run. Unsubscribing, or aborting `signal`, stops the schedule at its next step; with the
 * signal, the subscriber still gets the events so far and a run-end with status 'cancelled'.
 */
export function driveRun(plan: RunPlan, regs: Registries, schedule: Schedule, signal?: AbortSignal): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let unsubscribed = false;
    const stopped = () => unsubscribed || signal?.aborted === true;
    live(plan, regs, schedule, (e) => subscriber.next(e), stopped).then(
      () => subscriber.complete(),
      (err: unknown) => subscriber.error(err),
    );
    return () => {
      unsubscribed = true;
    };
  });
}

async function live(plan: RunPlan, regs: Registries, schedule: Schedule, emit: (e: RunEvent) => void, stopped: () => boolean): Promise<void> {
  const key: RunKey = { learner: learnerLabel(plan.learner), seed: plan.seed };
  const started = performance.now();
  const memory = memoryPeaks();
  const owned: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(resource: T): T => {
    owned.push(resource);
    return resource;
  };
  let status: RunStatus;
  let error: string | undefined;
  try {
    const life: RunLife = { plan, regs, key, rng: new Rng(plan.seed), emit, stopped, maybeYield: yielder(), memory, own };
    const ended = await schedule(life);
    status = ended === 'completed' && stopped() ? 'cancelled' : ended;
  } catch (err) {
    status = 'failed';
    error = err instanceof Error ? err.message : String(err);
  } finally {
    for (const resource of owned.reverse()) resource.dispose();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  emit({ ...key, type: 'run-end', status, wallSeconds, ...(error ? { error } : {}), ...memory.peaks() });
}

/** Yields to the event loop, at most every `intervalMs`. */
export function yielder(intervalMs = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < intervalMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

export interface MemoryPeaks {
  /** Takes a sample; called at the driver's checkpoints (while a batch and the current task are on the device). */
  sample(): void;
  peaks(): { peakRssBytes: number; peakTensorBytes: number };
}

/** High-water marks of process RSS and tensor bytes. RSS is read at most every 50 ms: it costs a syscall. */
export function memoryPeaks(): MemoryPeaks {
  let rss = process.memoryUsage.rss();
  let tensors = tf.memory().numBytes;
  let rssReadAt = performance.now();
  const readRss = () => {
    rss = Math.max(rss, process.memoryUsage.rss());
    rssReadAt = performance.now();
  };
  return {
    sample(): void {
      tensors = Math.max(tensors, tf.memory().numBytes);
      if (performance.now() - rssReadAt >= 50) readRss();
    },
    peaks() {
      readRss();
      return { peakRssBytes: rss, peakTensorBytes: tensors };
    },
  };
}

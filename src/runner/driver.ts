import { Observable } from 'rxjs';
import * as tf from '../backend/tf.js';
import type { Learner, LearnerSpec } from '../learners/types.js';
import type { FunctionalModel } from '../models/types.js';
import { type Scenario, learnerOptions } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';
import type { RunEvent } from './events.js';
import type { Registries } from './registries.js';

/**
 * What the two protocol drivers (runOne for continual streams, runMeta for task distributions)
 * share: the cold Observable around a run, building the model and learner, yielding to the event
 * loop, and the memory high-water marks a run reports.
 */

/** A driver's body: emits a run's events and resolves when the run is over; it checks `cancelled` between steps. */
export type DriverBody = (emit: (e: RunEvent) => void, cancelled: () => boolean) => Promise<void>;

/** Cold: each subscription runs `body` afresh; unsubscribing asks it to stop at its next check. */
export function driverEvents(body: DriverBody): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let cancelled = false;
    body((e) => subscriber.next(e), () => cancelled).then(
      () => subscriber.complete(),
      (err: unknown) => subscriber.error(err),
    );
    return () => {
      cancelled = true;
    };
  });
}

/** The scenario's model, shaped for the stream. */
export function createModel(scenario: Scenario, info: StreamInfo, regs: Registries): FunctionalModel {
  return regs.models.get(scenario.model.type).create(scenario.model, info);
}

/**
 * A new learner of the spec's type with its options, not set up yet: the caller sets it up and
 * disposes it. `streamBatch` is the driver's (how the stream is cut), not the learner's.
 */
export function createLearner(spec: LearnerSpec, regs: Registries): Learner {
  const { streamBatch: _driverOnly, ...options } = learnerOptions(spec);
  return regs.learners.get(spec.type).create(options as never);
}

/** Lets timers (progress bars, signal handlers) run during long synchronous stretches of training. */
export function yielder(intervalMs = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < intervalMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

/**
 * High-water marks of process RSS and tensor bytes, sampled at the driver's checkpoints (while a
 * batch and the current task are on the device). RSS is read at most every 50 ms: it costs a syscall.
 */
export function memoryPeaks() {
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
    peaks(): { peakRssBytes: number; peakTensorBytes: number } {
      readRss();
      return { peakRssBytes: rss, peakTensorBytes: tensors };
    },
  };
}

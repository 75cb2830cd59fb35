import { type Job, Queue, QueueEvents } from 'bullmq';
import type { RunOutcome } from '../../store/types.js';
import type { RunExecutor, RunHooks } from '../executors/types.js';
import type { RunJob } from '../job.js';
import { type RedisTarget, closeQuietly, connectionFor, probeRedis, whenConnected } from './connection.js';

/** BullMQ refuses purely numeric custom ids, and a prefix makes the keys readable in redis-cli. */
export const jobIdOf = (runId: string) => `run-${runId}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A worker's return value, checked before it reaches the store. */
function checkOutcome(value: unknown, job: RunJob): RunOutcome {
  const record = isObject(value) ? value.record : undefined;
  if (!isObject(value) || value.id !== job.id || !isObject(record) || typeof record.status !== 'string' || !isObject(record.metrics)) {
    throw new Error(`run ${job.id}: the worker returned a malformed result (is it running the same clbench version as the sweep?)`);
  }
  if (value.backend !== job.backend) throw new Error(`run ${job.id}: ran on backend ${String(value.backend)}, not ${job.backend}`);
  return value as unknown as RunOutcome;
}

export interface QueueWatchOptions {
  /** How often a waiting run checks that its job is still in Redis (ms). */
  readonly checkMs?: number;
  /** Told when a lost job is queued again. */
  readonly notice?: (line: string) => void;
}

type Watched = { readonly state: 'lost' } | { readonly state: 'completed'; readonly value: unknown };

/**
 * Sends runs to a BullMQ queue on Redis, where `clbench worker` processes on any machine take them,
 * and waits for their results (the jobs' return values). Job ids are run identities, so a resumed
 * sweep waits on runs already queued instead of queueing them twice, and picks up results that
 * arrived while it was away. A job is removed once the store holds its outcome.
 */
export class QueueExecutor implements RunExecutor {
  readonly concurrency = Number.POSITIVE_INFINITY;
  private readonly hooks = new Map<string, RunHooks>();
  private readonly checkMs: number;
  private readonly notice: (line: string) => void;

  private constructor(private readonly queue: Queue, private readonly events: QueueEvents, watch: QueueWatchOptions) {
    this.checkMs = watch.checkMs ?? 5000;
    this.notice = watch.notice ?? (() => {});
    // One listener per waiting run: many runs are expected.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    events.on('active', ({ jobId }) => this.hooks.get(jobId)?.started(null));
    events.on('progress', ({ jobId, data }) => {
      if (isObject(data) && typeof data.task === 'number') this.hooks.get(jobId)?.progress(data.task);
    });
  }

  static async connect(target: RedisTarget, queueName: string, onError: (err: Error) => void, watch: QueueWatchOptions = {}): Promise<QueueExecutor> {
    const connection = connectionFor(target);
    await probeRedis(target);
    const queue = new Queue(queueName, { connection });
    const events = new QueueEvents(queueName, { connection });
    // Once connected, connection errors are retried by ioredis: report them without ending the
    // sweep. Before that, whenConnected turns the first one into the error; later ones are moot.
    let connected = false;
    const report = (err: Error) => {
      if (connected) onError(err);
    };
    queue.on('error', report);
    events.on('error', report);
    try {
      await Promise.all([whenConnected(target, queue.waitUntilReady(), queue), whenConnected(target, events.waitUntilReady(), events)]);
    } catch (err) {
      await closeQuietly(queue, events);
      throw err;
    }
    connected = true;
    return new QueueExecutor(queue, events, watch);
  }

  async execute(job: RunJob, _eventsPath: string, hooks: RunHooks): Promise<RunOutcome> {
    const jobId = jobIdOf(job.id);
    this.hooks.set(jobId, hooks);
    try {
      for (;;) {
        const queued = await this.enqueue(job, jobId);
        const watching = { stopped: false };
        const finished = queued.waitUntilFinished(this.events).then((value: unknown): Watched => ({ state: 'completed', value }));
        try {
          const outcome = await Promise.race([finished, this.watch(jobId, watching)]);
          if (outcome.state === 'completed') return checkOutcome(outcome.value, job);
        } finally {
          watching.stopped = true;
          finished.catch(() => {}); // abandoned when the job was lost
        }
        this.notice(`run ${job.id}: its job is gone from the queue (did Redis restart without persistence?); queued it again`);
      }
    } finally {
      this.hooks.delete(jobId);
    }
  }

  /** The job of this run, added unless it is already queued (a resumed sweep) or failed last time. */
  private async enqueue(job: RunJob, jobId: string): Promise<Job> {
    const queued = await this.queue.getJob(jobId);
    // A failed attempt left by an interrupted sweep: this invocation redoes the run.
    if (queued && (await queued.isFailed())) await queued.remove();
    else if (queued) return queued;
    return this.queue.add('run', job, {
      jobId,
      // Only for errors outside the run (a worker missing data or a backend): the run itself
      // never throws, and a worker that dies is handled by BullMQ's stalled-job check.
      attempts: 3,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  /**
   * Polls the job while the sweep waits on its events: resolves when Redis no longer has it (lost
   * with a restart), or when it finished without the event reaching us (the event stream is lost
   * too). Errors while Redis is away are retried at the next check.
   */
  private async watch(jobId: string, watching: { stopped: boolean }): Promise<Watched> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, this.checkMs).unref());
      if (watching.stopped) return new Promise<never>(() => {});
      let seen: Watched | { state: 'failed'; reason: string } | undefined;
      try {
        seen = await this.check(jobId);
      } catch {
        continue; // Redis is away: the connection retries, and so does the next check
      }
      if (seen?.state === 'failed') throw new Error(seen.reason);
      if (seen) return seen;
    }
  }

  private async check(jobId: string): Promise<Watched | { state: 'failed'; reason: string } | undefined> {
    const current = await this.queue.getJob(jobId);
    if (current === undefined) return { state: 'lost' };
    const state = await current.getState();
    if (state === 'completed') return { state: 'completed', value: current.returnvalue };
    if (state === 'failed') return { state: 'failed', reason: current.failedReason };
    return undefined;
  }

  async settled(id: string): Promise<void> {
    try {
      await (await this.queue.getJob(jobIdOf(id)))?.remove();
    } catch {
      // Already gone, or locked by a worker retrying it: a later sweep finds and collects it.
    }
  }

  /** Runs of this queue that are waiting or being run (for messages). */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  async close(): Promise<void> {
    await closeQuietly(this.events, this.queue);
  }
}

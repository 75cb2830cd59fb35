import { Queue, QueueEvents } from 'bullmq';
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

/**
 * Sends runs to a BullMQ queue on Redis, where `clbench worker` processes on any machine take them,
 * and waits for their results (the jobs' return values). Job ids are run identities, so a resumed
 * sweep waits on runs already queued instead of queueing them twice, and picks up results that
 * arrived while it was away. A job is removed once the store holds its outcome.
 */
export class QueueExecutor implements RunExecutor {
  readonly concurrency = Number.POSITIVE_INFINITY;
  private readonly hooks = new Map<string, RunHooks>();

  private constructor(private readonly queue: Queue, private readonly events: QueueEvents) {
    // One listener per waiting run: many runs are expected.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    events.on('active', ({ jobId }) => this.hooks.get(jobId)?.started(null));
    events.on('progress', ({ jobId, data }) => {
      if (isObject(data) && typeof data.task === 'number') this.hooks.get(jobId)?.progress(data.task);
    });
  }

  static async connect(target: RedisTarget, queueName: string, onError: (err: Error) => void): Promise<QueueExecutor> {
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
    return new QueueExecutor(queue, events);
  }

  async execute(job: RunJob, _eventsPath: string, hooks: RunHooks): Promise<RunOutcome> {
    const jobId = jobIdOf(job.id);
    this.hooks.set(jobId, hooks);
    try {
      let queued = await this.queue.getJob(jobId);
      // A failed attempt left by an interrupted sweep: this invocation redoes the run.
      if (queued && (await queued.isFailed())) {
        await queued.remove();
        queued = undefined;
      }
      queued ??= await this.queue.add('run', job, {
        jobId,
        // Only for errors outside the run (a worker missing data or a backend): the run itself
        // never throws, and a worker that dies is handled by BullMQ's stalled-job check.
        attempts: 3,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      return checkOutcome(await queued.waitUntilFinished(this.events), job);
    } finally {
      this.hooks.delete(jobId);
    }
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

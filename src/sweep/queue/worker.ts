import { join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { RunOutcome } from '../../store/types.js';
import { learnerLabel } from '../../scenario/types.js';
import { runDirName } from '../artefacts.js';
import { workerName } from '../execute-run.js';
import { InProcessExecutor } from '../executors/in-process.js';
import { ProcessPool } from '../executors/process-pool.js';
import type { RunExecutor } from '../executors/types.js';
import { type RunJob, checkJob } from '../job.js';
import { type RedisTarget, closeQuietly, connectionFor, probeRedis, redactUrl, whenConnected } from './connection.js';

export interface StartWorkerOptions {
  readonly target: RedisTarget;
  readonly queueName: string;
  /** events.jsonl of the runs executed here go to <outDir>/<scenario>/<run>/. */
  readonly outDir: string;
  /** Runs at a time (child processes when more than one). */
  readonly workers: number;
  /** A run whose worker stops renewing its lock for this long is given to another worker. */
  readonly lockSeconds: number;
  /** Plugin modules for the child processes (this process must have loaded them already). */
  readonly plugins: readonly string[];
  readonly log: (line: string) => void;
}

export interface RunningWorker {
  /** Stops taking runs; waits for the current ones unless `force`. */
  close(force?: boolean): Promise<void>;
}

/**
 * Serves a sweep queue: takes runs, executes them like a local sweep does, and returns their
 * records as the jobs' results. A job that is malformed or names a piece not installed here fails
 * at once, without retries, with a message saying so.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { log } = options;
  await probeRedis(options.target);
  const executor: RunExecutor = options.workers > 1 ? new ProcessPool(options.workers, options.plugins) : new InProcessExecutor();
  const me = workerName();
  const processor = async (bull: Job): Promise<RunOutcome> => {
    let job: RunJob;
    try {
      job = checkJob(bull.data);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`${me}: refused ${bull.id}: ${message}`);
      throw new UnrecoverableError(message);
    }
    const learner = job.scenario.learners[0];
    const label = learnerLabel(learner);
    const seed = job.scenario.seeds[0];
    log(`${me}: running ${job.scenario.name} ${label} seed ${seed} (${job.id})`);
    const eventsPath = join(options.outDir, job.scenario.name, runDirName(label, seed, job.id), 'events.jsonl');
    let outcome: RunOutcome;
    try {
      outcome = await executor.execute(job, eventsPath, {
        started: () => {},
        progress: (task) => void bull.updateProgress({ task }).catch(() => {}),
      });
    } catch (err) {
      // Whoever can write to the queue reads its errors: a path it chose must not tell it which
      // files exist on this host. The full message stays in this worker's log.
      if (job.scenario.stream.path === undefined) throw err;
      log(`${me}: ${job.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw new Error(`run ${job.id}: the data at stream.path could not be loaded on worker ${me}; its log says why`);
    }
    log(`${me}: ${outcome.record.status} ${label} seed ${seed} in ${outcome.record.wallSeconds.toFixed(1)} s`);
    return outcome;
  };
  const worker = new Worker(options.queueName, processor, {
    connection: connectionFor(options.target),
    concurrency: options.workers,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: options.lockSeconds * 1000,
    maxStalledCount: 2,
    autorun: false,
  });
  // Before the connection is up, whenConnected reports the first error; later ones are retried.
  let connected = false;
  worker.on('error', (err) => {
    if (connected) log(`${me}: queue error: ${err.message}`);
  });
  try {
    await whenConnected(options.target, worker.waitUntilReady(), worker);
  } catch (err) {
    await closeQuietly(worker);
    await executor.close();
    throw err;
  }
  connected = true;
  worker.on('failed', (job, err) => {
    if (job) log(`${me}: ${job.id} failed: ${err.message}`);
  });
  void worker.run().catch((err: unknown) => log(`${me}: worker stopped: ${err instanceof Error ? err.message : String(err)}`));
  log(`${me}: serving queue '${options.queueName}' at ${redactUrl(options.target.url)}, ${options.workers} run(s) at a time`);
  return {
    async close(force = false) {
      await worker.close(force);
      await executor.close();
    },
  };
}

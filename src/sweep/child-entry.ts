/**
 * Entry of a sweep's child process (forked by ProcessPool from dist/). Each child has its own
 * tfjs backend and runs one run at a time; the parent owns the results store.
 */
import { loadPlugins } from '../cli/plugins.js';
import { executeRun, workerName } from './execute-run.js';
import type { FromChild, ToChild } from './executors/messages.js';

// A callback keeps a send after the parent died (Ctrl-C) from throwing EPIPE: 'disconnect' ends us.
const send = (message: FromChild) => process.send?.(message, undefined, undefined, () => {});
let ready: Promise<void> = Promise.resolve();
let queue: Promise<void> = Promise.resolve();

// The parent died (even by SIGKILL): the IPC channel closes, and a child must not outlive it.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the parent decides (a worker finishes its current runs).
process.on('SIGINT', () => {});

process.on('message', (message: ToChild) => {
  if (message.type === 'init') {
    ready = loadPlugins(message.plugins);
    return;
  }
  const { job, eventsPath } = message;
  queue = queue.then(async () => {
    try {
      await ready;
      send({ type: 'started', id: job.id, worker: workerName() });
      const outcome = await executeRun(job, {
        eventsPath,
        onEvent: (e) => {
          if (e.type === 'task-end') send({ type: 'progress', id: job.id, task: e.task });
        },
      });
      send({ type: 'done', id: job.id, outcome });
    } catch (err) {
      send({ type: 'failed', id: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
});

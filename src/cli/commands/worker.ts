import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_QUEUE_NAME } from '../../sweep/queue/connection.js';
import { loadPlugins } from '../plugins.js';
import { positiveInt } from './sweep.js';

interface WorkerFlags {
  queue: string;
  queueName: string;
  tlsCa?: string;
  workers?: string;
  out: string;
  lockSeconds: string;
  plugin?: string[];
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take runs from a sweep queue on Redis and execute them (on any number of machines); Ctrl-C stops after the current runs')
    .requiredOption('--queue <url>', 'the sweep queue: redis://[user:pass@]host:port[/db], or rediss:// for TLS')
    .option('--queue-name <name>', 'BullMQ queue name (as given to `clbench sweep`)', DEFAULT_QUEUE_NAME)
    .option('--tls-ca <file>', 'CA certificate (PEM) of a rediss:// server with a private CA')
    .option('--workers <n>', 'runs at a time, each in its own process (default: the number of cores)')
    .option('--out <dir>', "where the runs' events.jsonl go", join('reports', 'worker'))
    .option('--lock-seconds <n>', 'a run whose worker is silent this long is retried elsewhere', '30')
    .option('--plugin <file...>', 'modules (.js or .ts) registering your own learners (the same as the sweep’s)')
    .option('-q, --quiet', 'log only errors')
    .action(async (flags: WorkerFlags) => {
      await loadPlugins(flags.plugin);
      const { startWorker } = await import('../../sweep/queue/worker.js');
      const log = (line: string) => {
        if (!flags.quiet || /fail|refused|error/i.test(line)) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      };
      const running = await startWorker({
        target: { url: flags.queue, tlsCa: flags.tlsCa },
        queueName: flags.queueName,
        outDir: flags.out,
        workers: flags.workers === undefined ? availableParallelism() : positiveInt('--workers', flags.workers),
        lockSeconds: positiveInt('--lock-seconds', flags.lockSeconds),
        plugins: flags.plugin ?? [],
        log,
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(130);
          stopping = true;
          log('stopping: finishing the current runs (press Ctrl-C again to stop now; unfinished runs go to other workers)');
          running.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

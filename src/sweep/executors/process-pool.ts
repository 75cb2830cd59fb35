import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunOutcome } from '../../store/types.js';
import type { RunJob } from '../job.js';
import type { FromChild, ToChild } from './messages.js';
import type { RunExecutor, RunHooks } from './types.js';

/** The compiled child entry; from the TypeScript sources (tests), the one `npm run build` put in dist/. */
export function childEntryPath(): string {
  const here = fileURLToPath(import.meta.url);
  const sweepDir = resolve(dirname(here), '..');
  if (here.endsWith('.js')) return join(sweepDir, 'child-entry.js');
  return join(sweepDir, '..', '..', 'dist', 'sweep', 'child-entry.js');
}

interface Child {
  readonly proc: ChildProcess;
  current?: {
    readonly id: string;
    readonly hooks: RunHooks;
    readonly resolve: (o: RunOutcome) => void;
    readonly reject: (e: Error) => void;
  };
}

/**
 * N child processes, each with its own tfjs backend, each running one run at a time. A child that
 * dies takes only its current run with it (rejected, so the sweep records it as failed) and is
 * replaced on the next run.
 */
export class ProcessPool implements RunExecutor {
  private readonly idle: Child[] = [];
  private readonly all = new Set<Child>();
  private closing = false;

  // A parent that exits mid-run (Ctrl-C) takes its children along: a child busy computing would
  // see its channel close only at its next turn of the event loop.
  private readonly killChildren = () => {
    for (const c of this.all) c.proc.kill();
  };

  constructor(readonly concurrency: number, private readonly plugins: readonly string[] = []) {
    const entry = childEntryPath();
    if (!existsSync(entry)) throw new Error(`sweep child entry ${entry} is missing: run \`npm run build\``);
    process.on('exit', this.killChildren);
  }

  private spawn(): Child {
    const proc = fork(childEntryPath(), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child: Child = { proc };
    this.all.add(child);
    proc.on('message', (m: FromChild) => this.onMessage(child, m));
    proc.on('exit', (code, signal) => {
      this.all.delete(child);
      const i = this.idle.indexOf(child);
      if (i >= 0) this.idle.splice(i, 1);
      const current = child.current;
      child.current = undefined;
      if (current && !this.closing) {
        current.reject(new Error(`worker process ${proc.pid} died during the run (${signal ? `signal ${signal}` : `exit code ${code}`})`));
      }
    });
    proc.send({ type: 'init', plugins: this.plugins } satisfies ToChild);
    return child;
  }

  private onMessage(child: Child, m: FromChild): void {
    const current = child.current;
    if (!current || m.id !== current.id) return;
    if (m.type === 'started') current.hooks.started(m.worker);
    else if (m.type === 'progress') current.hooks.progress(m.task);
    else {
      child.current = undefined;
      this.idle.push(child);
      if (m.type === 'done') current.resolve(m.outcome);
      else current.reject(new Error(m.error));
    }
  }

  execute(job: RunJob, eventsPath: string, hooks: RunHooks): Promise<RunOutcome> {
    const child = this.idle.pop() ?? this.spawn();
    return new Promise<RunOutcome>((resolvePromise, reject) => {
      child.current = { id: job.id, hooks, resolve: resolvePromise, reject };
      child.proc.send({ type: 'run', job, eventsPath } satisfies ToChild);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const exits = [...this.all].map((c) => new Promise<void>((done) => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return done();
      c.proc.once('exit', () => done());
      if (c.proc.connected) c.proc.disconnect(); // the child exits on disconnect
    }));
    await Promise.all(exits);
    process.off('exit', this.killChildren);
  }
}

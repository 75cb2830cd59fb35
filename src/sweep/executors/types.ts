import type { RunOutcome } from '../../store/types.js';
import type { RunJob } from '../job.js';

/** What the sweep learns about a run while it executes. */
export interface RunHooks {
  /** The run started (again) on `worker` (host:pid, when known). */
  started(worker: string | null): void;
  /** The run finished task `task` (0-based). */
  progress(task: number): void;
}

/**
 * Somewhere runs execute: this process, a pool of child processes, or a Redis queue served by
 * workers on other machines. `execute` rejects only when the run produced no record at all.
 */
export interface RunExecutor {
  /** How many runs it can take at once. */
  readonly concurrency: number;
  execute(job: RunJob, eventsPath: string, hooks: RunHooks): Promise<RunOutcome>;
  /** Called once the store holds the run's outcome (the queue then forgets the job). */
  settled?(id: string): Promise<void>;
  close(): Promise<void>;
}

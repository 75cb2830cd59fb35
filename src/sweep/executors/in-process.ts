import type { Registries } from '../../scenario/registries.js';
import type { RunOutcome } from '../../store/types.js';
import { executeRun, workerName } from '../execute-run.js';
import type { RunJob } from '../job.js';
import type { RunExecutor, RunHooks } from './types.js';

/** Runs one run at a time in this process (`--workers 1`). */
export class InProcessExecutor implements RunExecutor {
  readonly concurrency = 1;

  constructor(private readonly registries?: Registries) {}

  execute(job: RunJob, eventsPath: string, hooks: RunHooks): Promise<RunOutcome> {
    hooks.started(workerName());
    return executeRun(job, {
      eventsPath,
      registries: this.registries,
      onEvent: (e) => {
        if (e.type === 'task-end') hooks.progress(e.task);
      },
    });
  }

  async close(): Promise<void> {}
}

import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { useBackend } from '../backend/select.js';
import { collectRun } from '../runner/collect-run.js';
import type { RunEvent } from '../runner/events.js';
import { type Registries, registries as defaultRegistries } from '../runner/registries.js';
import { runPlan } from '../runner/run-meta.js';
import { metricOptionsOf, previewStream } from '../runner/run-scenario.js';
import { JsonlLog } from '../runner/sinks/jsonl-log.js';
import { learnerLabel, learnerOptions } from '../scenario/types.js';
import type { RunOutcome } from '../store/types.js';
import { checkJob } from './job.js';

/** host:pid, naming the process that ran a run. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

export interface ExecuteRunOptions {
  /** Where to write the run's events.jsonl (replaced if a previous attempt left one). */
  readonly eventsPath?: string;
  readonly registries?: Registries;
  readonly onEvent?: (event: RunEvent) => void;
}

/**
 * Executes one run exactly as `clbench run` does (runPlan folded by collectRun), on the job's
 * backend. The job is checked first, so a job from elsewhere cannot run with pieces it did not name.
 * A learner that throws or diverges gives a record with that status; only a bad job throws.
 */
export async function executeRun(data: unknown, options: ExecuteRunOptions = {}): Promise<RunOutcome> {
  const regs = options.registries ?? defaultRegistries;
  const job = checkJob(data, regs);
  const { scenario } = job;
  const learner = scenario.learners[0];
  const seed = scenario.seeds[0];
  const backend = await useBackend(job.backend, { model: scenario.model.type });
  const { info } = await previewStream(scenario, regs);
  let log: JsonlLog | undefined;
  if (options.eventsPath) {
    mkdirSync(dirname(options.eventsPath), { recursive: true });
    rmSync(options.eventsPath, { force: true });
    log = new JsonlLog(options.eventsPath);
  }
  const startedAt = new Date().toISOString();
  try {
    const record = await collectRun(
      runPlan({ scenario, learner, seed }, regs),
      {
        learner: learnerLabel(learner), learnerType: learner.type, options: learnerOptions(learner), seed,
        numTasks: info.numTasks, score: info.kind === 'classification' ? 'accuracy' : 'loss',
      },
      metricOptionsOf(scenario),
      (event) => {
        log?.write(event);
        options.onEvent?.(event);
      },
    );
    return { id: job.id, record, backend: backend.name, versions: backend.versions, worker: workerName(), startedAt, finishedAt: new Date().toISOString() };
  } finally {
    log?.close();
  }
}

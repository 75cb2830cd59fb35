import { join } from 'node:path';
import { writeRunReports } from '../report/write-run-reports.js';
import type { RunResult } from '../runner/result.js';
import { metricOptionsOf } from '../runner/run-plan.js';
import { readResults } from '../store/read-results.js';
import type { ResultsStore } from '../store/results-store.js';
import { FINISHED_STATUSES, type RunOutcome } from '../store/types.js';
import { buildRunResult, runDir, writeResultJson } from './artefacts.js';
import type { RunExecutor } from './executors/types.js';
import type { RunJob } from './job.js';
import type { PlannedRun, SweepPlan } from './plan.js';

export interface RunSweepOptions {
  readonly store: ResultsStore;
  readonly executor: RunExecutor;
  /** Per-run folders (events.jsonl, result.json) and the sweep's combined result.json, report.md and report.html. */
  readonly outDir: string;
  /** Also redo runs that failed last time (completed and diverged runs are always kept). */
  readonly retryFailed?: boolean;
  /** The command line, recorded in result.json. */
  readonly command?: string;
  /** The --set overrides the scenario was resolved with, recorded in the combined result.json. */
  readonly overrides?: readonly string[];
  /** Queued runs are marked 'queued' until a worker takes them. */
  readonly queued?: boolean;
  /** Called once the store says how many runs remain to do. */
  readonly onPlanned?: (todo: number, skipped: number) => void;
  readonly onRunStarted?: (run: PlannedRun, worker: string | null) => void;
  readonly onRunProgress?: (run: PlannedRun, task: number) => void;
  readonly onRunFinished?: (run: PlannedRun, outcome: RunOutcome | Error) => void;
}

export interface SweepSummary {
  /** The sweep's runs as result.json holds them (also written to <outDir>/result.json). */
  readonly result: RunResult | undefined;
  /** The runs executed by this invocation. */
  readonly ran: readonly PlannedRun[];
  /** The runs found finished in the store and skipped. */
  readonly skipped: readonly PlannedRun[];
  /** How many of the sweep's runs (this invocation's or earlier) ended failed or diverged. */
  readonly failed: number;
  readonly diverged: number;
}

/**
 * Runs a sweep's plan against the store: registers its runs, skips those already finished, and
 * executes the others `executor.concurrency` at a time. Each finished run gets its result.json and
 * then, in one transaction, its results and final status in the store. A run that throws or whose
 * worker dies is recorded as failed and the sweep goes on.
 */
export async function runSweep(plan: SweepPlan, options: RunSweepOptions): Promise<SweepSummary> {
  const { store, executor, outDir } = options;
  const { scenario, preview } = plan;
  const metricOptions = metricOptionsOf(scenario);
  store.saveScenario({ hash: plan.scenarioHash, scenario, stream: preview.info, metricOptions, command: options.command });
  store.addRuns(plan.runs.map((r) => ({ id: r.id, scenarioHash: plan.scenarioHash, scenario: scenario.name, learner: r.learner, label: r.label, seed: r.seed, backend: plan.backend })));

  const ids = plan.runs.map((r) => r.id);
  const status = new Map(store.listRuns({ ids }).map((r) => [r.id, r.status]));
  const redo = (id: string) => {
    const s = status.get(id)!;
    return !FINISHED_STATUSES.includes(s) || (s === 'failed' && options.retryFailed === true);
  };
  const todo = plan.runs.filter((r) => redo(r.id));
  const skipped = plan.runs.filter((r) => !redo(r.id));
  if (options.queued) store.markQueued(todo.map((r) => r.id));
  options.onPlanned?.(todo.length, skipped.length);

  const pending = [...todo];
  const runOneOf = async (run: PlannedRun): Promise<void> => {
    const dir = runDir(outDir, run.label, run.seed, run.id);
    const job: RunJob = { v: 1, id: run.id, scenario: run.scenario, backend: plan.backend };
    let result: RunOutcome | Error;
    try {
      const outcome = await executor.execute(job, join(dir, 'events.jsonl'), {
        started: (worker) => {
          store.markRunning(run.id, worker);
          options.onRunStarted?.(run, worker);
        },
        progress: (task) => options.onRunProgress?.(run, task),
      });
      writeResultJson(dir, buildRunResult({
        scenario: run.scenario, stream: preview.info, metricOptions, backend: outcome.backend,
        versions: outcome.versions, runs: [outcome.record], complete: true, command: options.command,
      }));
      store.finishRun(outcome);
      result = outcome;
    } catch (err) {
      result = err instanceof Error ? err : new Error(String(err));
      store.failRun(run.id, result.message);
    }
    await executor.settled?.(run.id);
    options.onRunFinished?.(run, result);
  };
  const lane = async (): Promise<void> => {
    for (let run = pending.shift(); run; run = pending.shift()) await runOneOf(run);
  };
  await Promise.all(Array.from({ length: Math.min(executor.concurrency, todo.length) }, lane));

  const [result] = readResults(store, scenario.name, { ids, scenarioHash: plan.scenarioHash, backend: plan.backend });
  if (result) {
    const withCommand = {
      ...result,
      ...(options.command ? { command: options.command } : {}),
      ...(options.overrides?.length ? { overrides: options.overrides } : {}),
    };
    writeResultJson(outDir, withCommand);
    await writeRunReports(withCommand, outDir);
  }
  const final = store.listRuns({ ids });
  return {
    result,
    ran: todo,
    skipped,
    failed: final.filter((r) => r.status === 'failed').length,
    diverged: final.filter((r) => r.status === 'diverged').length,
  };
}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import type { Command } from 'commander';
import { useBackend } from '../../backend/select.js';
import { renderConsoleSummary } from '../../report/console-summary.js';
import { loadScenario } from '../../scenario/load.js';
import { parseSeedList } from '../../scenario/limits.js';
import type { Scenario } from '../../scenario/types.js';
import { ResultsStore } from '../../store/results-store.js';
import { InProcessExecutor } from '../../sweep/executors/in-process.js';
import { ProcessPool } from '../../sweep/executors/process-pool.js';
import type { RunExecutor } from '../../sweep/executors/types.js';
import { countSweepRuns, expandSweep } from '../../sweep/expand.js';
import { type SweepPlan, planSweep } from '../../sweep/plan.js';
import { DEFAULT_QUEUE_NAME, redactUrl } from '../../sweep/queue/connection.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { SweepProgress } from '../../sweep/progress.js';
import { ClbenchError } from '../../util/errors.js';
import { commandLine } from '../command-line.js';
import { prepareOutDir } from '../out-dir.js';
import { loadPlugins } from '../plugins.js';
import { withSetOption } from '../set-option.js';

export const DEFAULT_DB = join('reports', 'clbench.db');

interface SweepFlags {
  workers?: string;
  queue?: string;
  queueName: string;
  tlsCa?: string;
  db: string;
  out?: string;
  backend?: string;
  quick?: boolean;
  seeds?: string;
  yes?: boolean;
  confirmAbove: string;
  retryFailed?: boolean;
  dryRun?: boolean;
  plugin?: string[];
  quiet?: boolean;
  set: string[];
}

export function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ClbenchError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

function withSeeds(scenario: Scenario, text: string | undefined): Scenario {
  if (text === undefined) return scenario;
  const seeds = parseSeedList('--seeds', text);
  return { ...scenario, seeds, sweep: { ...scenario.sweep, seeds } };
}

/** Runs `check`, prefixing a user error with the scenario file it is about. */
function inFile<T>(file: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ClbenchError) throw new ClbenchError(`${file}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The command line to record, with any Redis password masked. */
export function recordedCommand(argv: readonly string[]): string {
  const args = argv.map((a, i) => (argv[i - 1] === '--queue' ? redactUrl(a) : a.startsWith('--queue=') ? `--queue=${redactUrl(a.slice(8))}` : a));
  return commandLine(args);
}

function printPlan(plan: SweepPlan, store: ResultsStore | undefined): void {
  const status = new Map((store?.listRuns({ ids: plan.runs.map((r) => r.id) }) ?? []).map((r) => [r.id, r.status]));
  for (const run of plan.runs) process.stdout.write(`${run.id}  ${(status.get(run.id) ?? 'new').padEnd(9)}  ${run.label}  seed ${run.seed}\n`);
  process.stdout.write(`${plan.runs.length} run(s)\n`);
}

async function makeExecutor(flags: SweepFlags, workers: number): Promise<RunExecutor> {
  if (flags.queue) {
    // Loaded only when used: BullMQ and ioredis take most of a second to import.
    const { QueueExecutor } = await import('../../sweep/queue/queue-executor.js');
    return QueueExecutor.connect(
      { url: flags.queue, tlsCa: flags.tlsCa },
      flags.queueName,
      (err) => process.stderr.write(`clbench: queue connection: ${err.message}\n`),
      { notice: (line) => process.stderr.write(`\nclbench: ${line}\n`) },
    );
  }
  return workers > 1 ? new ProcessPool(workers, flags.plugin ?? []) : new InProcessExecutor();
}

export function registerSweep(program: Command): void {
  withSetOption(program
    .command('sweep <scenario>')
    .description('run every learner × option grid point × seed of a scenario into the results store, skipping runs already done')
    .option('--workers <n>', 'runs at a time, each in its own process (default: the number of cores)')
    .option('--queue <url>', 'send the runs to a Redis queue (redis://[user:pass@]host:port[/db], rediss:// for TLS) served by `clbench worker`')
    .option('--queue-name <name>', 'BullMQ queue name (share it with the workers)', DEFAULT_QUEUE_NAME)
    .option('--tls-ca <file>', 'CA certificate (PEM) of a rediss:// server with a private CA')
    .option('--db <file>', 'results store (SQLite)', DEFAULT_DB)
    .option('--out <dir>', 'per-run artefacts and the combined result.json (default: reports/<scenario>/sweep)')
    .option('--backend <name>', 'tfjs-node-gpu, tfjs-node, webgpu, wasm or cpu (default: a CPU backend for MLPs, see docs/performance.md)')
    .option('--quick', "apply the scenario's quick overrides")
    .option('--seeds <seeds>', 'override the seeds (comma-separated integers)')
    .option('--confirm-above <n>', 'ask for --yes when the sweep expands to more runs than this', '100')
    .option('-y, --yes', 'run a sweep however many runs it expands to')
    .option('--retry-failed', 'also redo runs that failed last time')
    .option('--dry-run', 'list the runs and their status in the store, run nothing')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first (your own learners; workers need them too)')
    .option('-q, --quiet', 'no progress bar or summary table'))
    .action(async (file: string, flags: SweepFlags) => {
      await loadPlugins(flags.plugin);
      const scenario = withSeeds(loadScenario(file, { quick: flags.quick, set: flags.set }), flags.seeds);
      const total = inFile(file, () => countSweepRuns(scenario));
      const limit = positiveInt('--confirm-above', flags.confirmAbove);
      if (total > limit && !flags.yes && !flags.dryRun) {
        throw new ClbenchError(
          `${file}: the sweep expands to ${total} runs (more than ${limit}); pass --yes to run them all, or --dry-run to list them`,
        );
      }
      const workers = flags.workers === undefined ? availableParallelism() : positiveInt('--workers', flags.workers);
      const expanded = inFile(file, () => expandSweep(scenario));
      const backend = await useBackend(flags.backend, { model: scenario.model.type });
      const plan = await planSweep(expanded, backend.name);
      if (flags.dryRun) {
        const store = existsSync(flags.db) ? ResultsStore.open(flags.db, { readonly: true }) : undefined;
        printPlan(plan, store);
        store?.close();
        return;
      }
      const outDir = prepareOutDir(flags.out ?? join('reports', expanded.name, 'sweep'));
      const store = ResultsStore.open(flags.db);
      let executor: RunExecutor | undefined;
      let progress: SweepProgress | undefined;
      let onInterrupt: (() => void) | undefined;
      try {
        executor = await makeExecutor(flags, workers);
        const where = flags.queue ? `queue ${redactUrl(flags.queue)}` : `${Math.min(workers, plan.runs.length)} worker(s)`;
        if (!flags.quiet) process.stderr.write(`clbench: sweep ${expanded.name}: ${plan.runs.length} run(s) on ${plan.preview.info.description}; backend ${backend.name}; ${where}; store ${flags.db}\n`);
        const started = performance.now();
        // The store is written run by run: what finished is kept, and the same command resumes.
        onInterrupt = () => {
          progress?.stop();
          process.stderr.write(`\nclbench: interrupted; finished runs are in ${flags.db}; run the same command again to resume\n`);
          process.exit(130);
        };
        process.once('SIGINT', onInterrupt);
        const summary = await runSweep(plan, {
          store, executor, outDir, queued: Boolean(flags.queue), retryFailed: flags.retryFailed,
          command: recordedCommand(process.argv.slice(2)), overrides: flags.set,
          onRunStarted: (run) => progress?.started(run.id),
          onRunProgress: (run, task) => progress?.progress(run.id, task),
          onRunFinished: (run, outcome) => {
            const ok = !(outcome instanceof Error) && outcome.record.status === 'completed';
            progress?.done(run.id, ok);
            if (outcome instanceof Error && !flags.quiet) process.stderr.write(`\nclbench: ${run.label} seed ${run.seed} failed: ${outcome.message}\n`);
          },
          onPlanned: (todo) => {
            if (!flags.quiet && todo > 0) progress = new SweepProgress(todo, plan.preview.runTasks || plan.preview.info.numTasks);
          },
        });
        progress?.stop();
        progress = undefined;
        const seconds = (performance.now() - started) / 1000;
        if (!flags.quiet) {
          if (summary.result) process.stdout.write(`${renderConsoleSummary(summary.result, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`);
          const bad = summary.failed + summary.diverged;
          const line = `sweep ${expanded.name}: ${plan.runs.length} run(s): ran ${summary.ran.length} in ${seconds.toFixed(1)} s, ` +
            `${summary.skipped.length} already done; ${summary.failed} failed, ${summary.diverged} diverged`;
          process.stdout.write(`\n${bad > 0 ? chalk.yellow(line) : line}\nstore ${flags.db}; wrote ${join(outDir, 'result.json')}, ${join(outDir, 'report.md')} and ${join(outDir, 'report.html')}\n`);
        }
        if (summary.failed > 0) process.exitCode = 3;
      } finally {
        // Removed once the sweep is over, so a later command in the same process is not caught by it.
        if (onInterrupt) process.off('SIGINT', onInterrupt);
        progress?.stop();
        await executor?.close();
        store.close();
      }
    });
}

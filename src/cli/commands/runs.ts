import type { Command } from 'commander';
import { ResultsStore } from '../../store/results-store.js';
import { RUN_STATUSES, type RunSummary, type StoredStatus, isStoredStatus } from '../../store/types.js';
import { ClbenchError } from '../../util/errors.js';
import { DEFAULT_DB } from './sweep.js';
import { commaList } from '../comma-list.js';

interface RunsFlags {
  db: string;
  scenario?: string;
  status?: string;
  json?: boolean;
}

function parseStatuses(text: string): StoredStatus[] {
  const wanted = commaList(text);
  const bad = wanted.filter((s) => !isStoredStatus(s));
  if (bad.length > 0 || wanted.length === 0) {
    throw new ClbenchError(`--status: '${bad.join(', ') || text}' is not a run status; choose from: ${RUN_STATUSES.join(', ')}`);
  }
  return wanted as StoredStatus[];
}

function problem(run: RunSummary): string {
  if (run.diverged) return `diverged at task ${run.diverged.task}, step ${run.diverged.step} (loss ${run.diverged.loss})`;
  const text = run.error ?? '';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in the results store, with their status, timing and error')
    .option('--db <file>', 'results store (SQLite)', DEFAULT_DB)
    .option('--scenario <name>', 'only runs of this scenario')
    .option('--status <status>', `only runs with this status (comma-separated: ${RUN_STATUSES.join(', ')})`)
    .option('--json', 'machine-readable output (every field, metrics included)')
    .action((flags: RunsFlags) => {
      const status = flags.status === undefined ? undefined : parseStatuses(flags.status);
      const store = ResultsStore.open(flags.db, { readonly: true });
      try {
        const runs = store.listRuns({ ...(flags.scenario !== undefined ? { scenario: flags.scenario } : {}), ...(status ? { status } : {}) });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
          return;
        }
        if (runs.length === 0) {
          const known = store.scenarioNames();
          process.stdout.write(`no runs match${known.length ? ` (scenarios in ${flags.db}: ${known.join(', ')})` : ''}\n`);
          return;
        }
        const rows = [['id', 'scenario', 'learner', 'seed', 'backend', 'status', 'tries', 'wall s', 'metric', 'finished', 'error']];
        for (const r of runs) {
          // ACC for continual runs; otherwise the run's first scalar metric (e.g. a meta-learning score).
          const key = 'ACC' in r.metrics ? 'ACC' : Object.keys(r.metrics).find((k) => typeof r.metrics[k] === 'number');
          const value = key === undefined ? undefined : r.metrics[key];
          rows.push([
            r.id, r.scenario, r.learner, String(r.seed), r.backend, r.status, String(r.attempts),
            r.wallSeconds === null ? '' : r.wallSeconds.toFixed(1), typeof value === 'number' ? `${key}=${value.toFixed(3)}` : '',
            r.finishedAt?.replace('T', ' ').slice(0, 19) ?? '', problem(r),
          ]);
        }
        process.stdout.write(`${table(rows)}\n`);
        const counts = RUN_STATUSES.map((s) => [s, runs.filter((r) => r.status === s).length] as const).filter(([, n]) => n > 0);
        process.stdout.write(`${runs.length} run(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
      } finally {
        store.close();
      }
    });
}

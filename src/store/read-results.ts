import type { LearnerSpec } from '../learners/types.js';
import type { RunResult } from '../runner/result.js';
import { learnerLabel } from '../scenario/types.js';
import { buildRunResult } from '../sweep/artefacts.js';
import { ClbenchError } from '../util/errors.js';
import { ResultsStore } from './results-store.js';
import { FINISHED_STATUSES, type RunSummary } from './types.js';

export interface ReadResultsOptions {
  /** Only the runs of this scenario hash (one setting of the scenario); default: all. */
  readonly scenarioHash?: string;
  /** Only runs on this backend; default: all (one RunResult per backend). */
  readonly backend?: string;
  /** Only these run identities (e.g. one sweep's runs); default: all. */
  readonly ids?: readonly string[];
}

function unique<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * Rebuilds RunResult objects (the result.json shape) from the store for one scenario name: one
 * RunResult per (scenario setting, backend), as each is a comparable set of runs. Only finished
 * runs (completed, diverged, failed) are included; `complete` is false while others are pending.
 * Returns [] when the store has no runs of that scenario.
 */
export function readResults(store: ResultsStore | string, scenario: string, options: ReadResultsOptions = {}): RunResult[] {
  const db = typeof store === 'string' ? ResultsStore.open(store, { readonly: true }) : store;
  try {
    const all = db.listRuns({ scenario, ...(options.ids ? { ids: options.ids } : {}) }).filter(
      (r) => (options.scenarioHash === undefined || r.scenarioHash === options.scenarioHash) && (options.backend === undefined || r.backend === options.backend),
    );
    const groups = new Map<string, RunSummary[]>();
    for (const run of all) {
      const key = `${run.scenarioHash}\0${run.backend}`;
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    const results: RunResult[] = [];
    for (const runs of groups.values()) {
      const finished = runs.filter((r) => FINISHED_STATUSES.includes(r.status));
      if (finished.length === 0) continue;
      const entry = db.scenarioEntry(runs[0].scenarioHash);
      if (!entry) throw new ClbenchError(`${db.path}: runs of scenario '${scenario}' have no scenario entry; the store is damaged`);
      const learners: LearnerSpec[] = unique(finished.map((r) => r.learnerSpec), learnerLabel);
      const seeds = unique(finished.map((r) => r.seed), String);
      const latest = finished.reduce((a, b) => ((b.finishedAt ?? '') > (a.finishedAt ?? '') ? b : a));
      results.push(
        buildRunResult({
          scenario: { ...entry.scenario, learners, seeds },
          stream: entry.stream,
          taskIds: entry.taskIds,
          metricOptions: entry.metricOptions,
          backend: runs[0].backend,
          versions: latest.versions ?? {},
          runs: finished.map((r) => db.recordOf(r)),
          complete: finished.length === runs.length,
          command: entry.command,
          createdAt: latest.finishedAt ?? undefined,
        }),
      );
    }
    return results;
  } finally {
    if (db !== store) db.close();
  }
}

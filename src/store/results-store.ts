import type { Database } from 'better-sqlite3';
import type { LearnerSpec } from '../learners/types.js';
import type { CurvePoint } from '../metrics/operators/to-learning-curves.js';
import type { MetricValues, Score } from '../metrics/types.js';
import type { RunRecord } from '../runner/result.js';
import { learnerOptions } from '../scenario/types.js';
import { type OpenOptions, describeStoreError, openDatabase } from './database.js';
import type { PlannedRunRow, RunFilter, RunOutcome, RunSummary, ScenarioEntry, StoredStatus } from './types.js';

interface RunRow {
  id: string;
  scenario_hash: string;
  scenario: string;
  learner: string;
  learner_type: string;
  learner_spec: string;
  seed: number;
  backend: string;
  status: StoredStatus;
  attempts: number;
  worker: string | null;
  versions: string | null;
  error: string | null;
  diverged: string | null;
  wall_seconds: number | null;
  accuracy_matrix: string | null;
  baseline: string | null;
  lca_curve: string | null;
  extra: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

interface ScenarioRow {
  hash: string;
  scenario: string;
  stream: string;
  task_ids: string;
  metric_options: string;
  command: string | null;
}

const now = () => new Date().toISOString();

/** RunRecord fields with their own columns or tables; any other field is kept in `extra`. */
const RECORD_COLUMNS = new Set([
  'learner', 'learnerType', 'options', 'seed', 'status', 'error', 'diverged', 'wallSeconds', 'accuracyMatrix', 'baseline', 'lcaCurve', 'curves', 'metrics',
]);

function extraFields(record: RunRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !RECORD_COLUMNS.has(k)));
}
const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/**
 * The SQLite results store: scenarios, runs with their status and timings, metrics and curves.
 * One process writes (the sweep); any number may read. A run's results and its final status are
 * written in one transaction, so a run is `completed` only once all of its metrics are in.
 */
export class ResultsStore {
  private constructor(readonly path: string, private readonly db: Database) {}

  static open(path: string, options: OpenOptions = {}): ResultsStore {
    return new ResultsStore(path, openDatabase(path, options));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn`, turning SQLite corruption errors into a clear user error. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw describeStoreError(this.path, err);
    }
  }

  saveScenario(entry: ScenarioEntry): void {
    const t = now();
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO scenarios (hash, name, scenario, stream, task_ids, metric_options, command, created_at, updated_at)
           VALUES (@hash, @name, @scenario, @stream, @taskIds, @metricOptions, @command, @t, @t)
           ON CONFLICT (hash) DO UPDATE SET scenario = excluded.scenario, stream = excluded.stream, task_ids = excluded.task_ids,
             metric_options = excluded.metric_options, command = excluded.command, updated_at = excluded.updated_at`,
        )
        .run({
          hash: entry.hash, name: entry.scenario.name, scenario: JSON.stringify(entry.scenario), stream: JSON.stringify(entry.stream),
          taskIds: JSON.stringify(entry.taskIds ?? []), metricOptions: JSON.stringify(entry.metricOptions), command: entry.command ?? null, t,
        }),
    );
  }

  scenarioEntry(hash: string): ScenarioEntry | undefined {
    const row = this.guard(() => this.db.prepare('SELECT * FROM scenarios WHERE hash = ?').get(hash) as ScenarioRow | undefined);
    if (!row) return undefined;
    return {
      hash: row.hash, scenario: JSON.parse(row.scenario), stream: JSON.parse(row.stream), taskIds: JSON.parse(row.task_ids),
      metricOptions: JSON.parse(row.metric_options), ...(row.command ? { command: row.command } : {}),
    };
  }

  /** Registers planned runs as pending; runs already known keep their status and results. */
  addRuns(runs: readonly PlannedRunRow[]): void {
    const insert = this.db.prepare(
      `INSERT INTO runs (id, scenario_hash, scenario, learner, learner_type, learner_spec, seed, backend, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
    );
    const t = now();
    this.guard(() =>
      this.db.transaction(() => {
        for (const r of runs) insert.run(r.id, r.scenarioHash, r.scenario, r.label, r.learner.type, JSON.stringify(r.learner), r.seed, r.backend, t);
      })(),
    );
  }

  markQueued(ids: readonly string[]): void {
    const update = this.db.prepare("UPDATE runs SET status = 'queued', worker = NULL WHERE id = ?");
    this.guard(() => this.db.transaction(() => ids.forEach((id) => update.run(id)))());
  }

  /** A run started (again): counts the attempt. */
  markRunning(id: string, worker: string | null): void {
    this.guard(() =>
      this.db.prepare("UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = ?, worker = ? WHERE id = ?").run(now(), worker, id),
    );
  }

  /** Writes a run's results and its final status in one transaction. */
  finishRun(outcome: RunOutcome): void {
    const { record } = outcome;
    const metricRows = Object.entries(record.metrics);
    const insertMetric = this.db.prepare('INSERT INTO metrics (run_id, name, value, json, seq) VALUES (?, ?, ?, ?, ?)');
    const insertPoint = this.db.prepare(
      'INSERT INTO curve_points (run_id, seq, step, after_task, batch_in_task, eval_task, accuracy, loss) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const update = this.db.prepare(
      `UPDATE runs SET status = @status, error = @error, diverged = @diverged, wall_seconds = @wallSeconds,
         accuracy_matrix = @matrix, baseline = @baseline, lca_curve = @lca, extra = @extra, versions = @versions, worker = @worker,
         started_at = @startedAt, finished_at = @finishedAt, attempts = MAX(attempts, 1)
       WHERE id = @id AND backend = @backend`,
    );
    this.guard(() =>
      this.db.transaction(() => {
        this.clearResults(outcome.id);
        metricRows.forEach(([name, value], seq) => {
          const scalar = value === null || typeof value === 'number';
          insertMetric.run(outcome.id, name, scalar ? value : null, scalar ? null : JSON.stringify(value), seq);
        });
        record.curves.forEach((p, seq) => insertPoint.run(outcome.id, seq, p.step, p.afterTask, p.batchInTask, p.evalTask, p.accuracy, p.loss));
        const changed = update.run({
          id: outcome.id, backend: outcome.backend, status: record.status, error: record.error ?? null,
          diverged: record.diverged ? JSON.stringify(record.diverged) : null, wallSeconds: record.wallSeconds,
          matrix: JSON.stringify(record.accuracyMatrix), baseline: JSON.stringify(record.baseline), lca: JSON.stringify(record.lcaCurve),
          extra: JSON.stringify(extraFields(record)),
          versions: JSON.stringify(outcome.versions), worker: outcome.worker, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt,
        }).changes;
        // A bug, not a user error: results for a run this store never planned (or on another backend).
        if (changed !== 1) throw new Error(`results store: no planned run ${outcome.id} on backend ${outcome.backend}`);
      })(),
    );
  }

  /** Records a run that could not produce a record at all (its worker died, or refused the job). */
  failRun(id: string, error: string, worker: string | null = null): void {
    this.guard(() =>
      this.db.transaction(() => {
        this.clearResults(id);
        this.db
          .prepare(
            `UPDATE runs SET status = 'failed', error = ?, worker = COALESCE(?, worker), diverged = NULL, wall_seconds = NULL,
               accuracy_matrix = NULL, baseline = NULL, lca_curve = NULL, extra = NULL, finished_at = ? WHERE id = ?`,
          )
          .run(error, worker, now(), id);
      })(),
    );
  }

  private clearResults(id: string): void {
    this.db.prepare('DELETE FROM metrics WHERE run_id = ?').run(id);
    this.db.prepare('DELETE FROM curve_points WHERE run_id = ?').run(id);
  }

  private where(filter: RunFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.scenario !== undefined) {
      clauses.push('scenario = ?');
      params.push(filter.scenario);
    }
    if (filter.status) {
      clauses.push(`status IN (${filter.status.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...filter.status);
    }
    if (filter.ids) {
      clauses.push(`id IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(filter.ids));
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private rows(filter: RunFilter): RunRow[] {
    const { sql, params } = this.where(filter);
    return this.db.prepare(`SELECT * FROM runs ${sql} ORDER BY rowid`).all(...params) as RunRow[];
  }

  private metricsOf(filter: RunFilter): Map<string, MetricValues> {
    const { sql, params } = this.where(filter);
    const rows = this.db
      .prepare(`SELECT run_id, name, value, json FROM metrics WHERE run_id IN (SELECT id FROM runs ${sql}) ORDER BY run_id, seq`)
      .all(...params) as { run_id: string; name: string; value: number | null; json: string | null }[];
    const out = new Map<string, MetricValues>();
    for (const r of rows) {
      const m = out.get(r.run_id) ?? {};
      m[r.name] = r.json === null ? r.value : (JSON.parse(r.json) as Score);
      out.set(r.run_id, m);
    }
    return out;
  }

  /** Runs in the order they were first planned. */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.guard(() => {
      const metrics = this.metricsOf(filter);
      return this.rows(filter).map((r) => ({
        id: r.id, scenario: r.scenario, scenarioHash: r.scenario_hash, learner: r.learner, learnerType: r.learner_type,
        learnerSpec: JSON.parse(r.learner_spec) as LearnerSpec, seed: r.seed, backend: r.backend, status: r.status, attempts: r.attempts,
        worker: r.worker, versions: parse<Record<string, string>>(r.versions), error: r.error,
        diverged: parse<NonNullable<RunRecord['diverged']>>(r.diverged), wallSeconds: r.wall_seconds,
        metrics: metrics.get(r.id) ?? {}, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
      }));
    });
  }

  /** Rebuilds the RunRecord a finished run produced (the shape result.json holds). */
  recordOf(run: RunSummary): RunRecord {
    return this.guard(() => {
      const row = this.db.prepare('SELECT accuracy_matrix, baseline, lca_curve, extra FROM runs WHERE id = ?').get(run.id) as
        Pick<RunRow, 'accuracy_matrix' | 'baseline' | 'lca_curve' | 'extra'> | undefined;
      const curves = this.db
        .prepare(
          `SELECT step, after_task AS afterTask, batch_in_task AS batchInTask, eval_task AS evalTask, accuracy, loss
           FROM curve_points WHERE run_id = ? ORDER BY seq`,
        )
        .all(run.id) as CurvePoint[];
      const status = run.status === 'completed' || run.status === 'diverged' ? run.status : 'failed';
      return {
        learner: run.learner, learnerType: run.learnerType, options: learnerOptions(run.learnerSpec), seed: run.seed, status,
        ...(run.error !== null ? { error: run.error } : status === 'failed' ? { error: `run did not finish (${run.status})` } : {}),
        ...(run.diverged ? { diverged: run.diverged } : {}),
        wallSeconds: run.wallSeconds ?? 0,
        ...parse<Record<string, unknown>>(row?.extra ?? null),
        accuracyMatrix: parse(row?.accuracy_matrix ?? null) ?? [],
        baseline: parse(row?.baseline ?? null) ?? [],
        lcaCurve: parse(row?.lca_curve ?? null) ?? [],
        curves,
        metrics: run.metrics,
      };
    });
  }

  /** Names of the scenarios with runs, alphabetically. */
  scenarioNames(): string[] {
    return this.guard(() => this.db.prepare('SELECT DISTINCT scenario FROM runs ORDER BY scenario').pluck().all() as string[]);
  }

  /** SQLite's full integrity check ("ok" when sound). */
  integrityCheck(): string {
    return this.guard(() => String(this.db.pragma('integrity_check', { simple: true })));
  }
}

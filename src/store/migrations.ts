import type { Database } from 'better-sqlite3';

/** One step of the store's schema. `PRAGMA user_version` records the last step applied. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: Database): void;
}

/**
 * The store's schema history, oldest first. Never edit a released step: append a new one, so a
 * database written by any earlier clbench is brought up to date in order, each step in a transaction.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'scenarios, runs, metrics and curve points',
    up(db) {
      db.exec(`
        CREATE TABLE scenarios (
          hash           TEXT PRIMARY KEY,
          name           TEXT NOT NULL,
          scenario       TEXT NOT NULL,  -- resolved scenario JSON, as last swept
          stream         TEXT NOT NULL,  -- StreamInfo JSON
          task_ids       TEXT NOT NULL,  -- JSON array
          metric_options TEXT NOT NULL,  -- MetricOptions JSON
          command        TEXT,
          created_at     TEXT NOT NULL,
          updated_at     TEXT NOT NULL
        );
        CREATE TABLE runs (
          id              TEXT PRIMARY KEY,  -- run identity (src/sweep/identity.ts)
          scenario_hash   TEXT NOT NULL REFERENCES scenarios(hash),
          scenario        TEXT NOT NULL,
          learner         TEXT NOT NULL,     -- label
          learner_type    TEXT NOT NULL,
          learner_spec    TEXT NOT NULL,     -- LearnerSpec JSON, defaults filled in
          seed            INTEGER NOT NULL,
          backend         TEXT NOT NULL,
          status          TEXT NOT NULL CHECK (status IN ('pending', 'queued', 'running', 'completed', 'diverged', 'failed')),
          attempts        INTEGER NOT NULL DEFAULT 0,
          worker          TEXT,
          versions        TEXT,              -- JSON
          error           TEXT,
          diverged        TEXT,              -- JSON {task, step, loss}
          wall_seconds    REAL,
          accuracy_matrix TEXT,              -- JSON
          baseline        TEXT,              -- JSON
          lca_curve       TEXT,              -- JSON
          extra           TEXT,              -- JSON: the record's other fields (peak memory, and keys later versions add)
          created_at      TEXT NOT NULL,
          started_at      TEXT,
          finished_at     TEXT
        );
        CREATE INDEX runs_by_scenario ON runs (scenario, status);
        CREATE TABLE metrics (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          name   TEXT NOT NULL,
          value  REAL,
          json   TEXT,              -- a value that is not a number (e.g. a meta-learning curve), as JSON
          seq    INTEGER NOT NULL,  -- the record's key order (registry order)
          PRIMARY KEY (run_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE curve_points (
          run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          seq           INTEGER NOT NULL,
          step          INTEGER NOT NULL,
          after_task    INTEGER NOT NULL,
          batch_in_task INTEGER NOT NULL,
          eval_task     INTEGER NOT NULL,
          accuracy      REAL,
          loss          REAL,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const latestVersion = migrations[migrations.length - 1].version;

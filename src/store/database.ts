import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3Type from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { ClbenchError } from '../util/errors.js';
import { latestVersion, migrations } from './migrations.js';

/** 'clbc' in the SQLite header's application_id: marks a file as a clbench results store. */
export const APPLICATION_ID = 0x636c6263;

/**
 * better-sqlite3 compiles SQLite from source at install time (minutes on 2 cores), so it is an
 * optional dependency: loaded on first use, with an install hint where it is absent.
 */
function sqlite(): typeof BetterSqlite3Type {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3Type;
  } catch (err) {
    throw new ClbenchError(
      `the results store needs the optional package better-sqlite3, which is not installed (${(err as Error).message.split('\n')[0]}); ` +
        'install it with `npm install better-sqlite3@12` (or a plain `npm ci` without --omit=optional)',
      { cause: err },
    );
  }
}

const CORRUPTION_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE']);

/** Turns SQLite's "not a database" and "malformed" errors into a user error naming the file. */
export function describeStoreError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (err instanceof sqlite().SqliteError && typeof code === 'string' && CORRUPTION_CODES.has(code)) {
    return new ClbenchError(
      `${path}: not a usable clbench results store: the file is corrupt or not a SQLite database (${err.message}); ` +
        'move it aside, or pass --db <another file>',
      { cause: err },
    );
  }
  return err;
}

function userTables(db: Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
}

/** Applies the steps after `from`; the caller holds the write transaction. */
function migrate(db: Database, from: number): void {
  for (const m of migrations) {
    if (m.version <= from) continue;
    m.up(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${m.version}`);
  }
}

/** Checks the file is ours and of a schema version we know, and brings an older one up to date. */
function checkAndMigrate(db: Database, path: string, readonly: boolean): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    const tables = userTables(db);
    if (tables.length > 0) {
      throw new ClbenchError(
        `${path}: not a clbench results store (a SQLite database with other tables: ${tables.slice(0, 5).join(', ')}); ` +
          'pass --db <another file>',
      );
    }
    if (readonly) throw new ClbenchError(`${path}: the results store is empty (no sweep has written to it yet)`);
    migrate(db, 0);
    return;
  }
  if (version > latestVersion) {
    throw new ClbenchError(
      `${path}: written by a newer clbench (store schema version ${version}; this clbench knows up to ${latestVersion}); upgrade clbench`,
    );
  }
  if (version < latestVersion) {
    if (readonly) throw new ClbenchError(`${path}: store schema version ${version} is older than ${latestVersion}; run a sweep on it once to upgrade it`);
    migrate(db, version);
  }
}

export interface OpenOptions {
  /** Open for reading only: the file must exist and is never changed. */
  readonly readonly?: boolean;
}

/**
 * Opens (creating if needed) a results store. WAL lets readers (`clbench runs`) work while a sweep
 * writes, and keeps the file consistent when a process is killed mid-write. A writable open also
 * runs SQLite's quick_check, so a damaged file is refused before hours of runs are spent on it.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(path)) throw new ClbenchError(`${path}: no results store here (run \`clbench sweep\` first, or pass --db)`);
  if (!readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database | undefined;
  try {
    db = new (sqlite())(path, { readonly, fileMustExist: readonly, timeout: 10_000 });
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new ClbenchError(`${path}: the results store is corrupt (SQLite quick_check: ${String(check)}); move it aside, or pass --db <another file>`);
    }
    db.pragma('foreign_keys = ON');
    // Writers check and migrate inside one write transaction: two processes creating the same new
    // store would otherwise both read version 0 and both create the tables.
    if (readonly) checkAndMigrate(db, path, true);
    else {
      const writable = db;
      writable.transaction(() => checkAndMigrate(writable, path, false)).immediate();
    }
    return db;
  } catch (err) {
    db?.close();
    throw describeStoreError(path, err);
  }
}

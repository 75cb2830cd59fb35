import { writeFileSync, readFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/runner/result.js';
import { learnerOptions } from '../../src/scenario/types.js';
import { APPLICATION_ID } from '../../src/store/database.js';
import { latestVersion } from '../../src/store/migrations.js';
import { readResults } from '../../src/store/read-results.js';
import { ResultsStore } from '../../src/store/results-store.js';
import type { PlannedRunRow, RunOutcome } from '../../src/store/types.js';
import { ClbenchError } from '../../src/util/errors.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

const scenario = tinyScenario();
const learner = scenario.learners[0];

function planned(id: string, seed: number): PlannedRunRow {
  return { id, scenarioHash: 'h1', scenario: scenario.name, learner, label: 'naive', seed, backend: 'wasm' };
}

function record(seed: number, acc: number): RunRecord {
  return {
    learner: 'naive', learnerType: 'naive', options: learnerOptions(learner), seed, status: 'completed', wallSeconds: 1.5,
    accuracyMatrix: [[acc, null], [acc, acc]], baseline: [0.1, 0.1], lcaCurve: [0.1, 0.2],
    curves: [{ step: 5, afterTask: 0, batchInTask: 5, evalTask: 0, accuracy: acc, loss: 1 }, { step: 5, afterTask: 0, batchInTask: 5, evalTask: 1, accuracy: 0.1, loss: 2 }],
    metrics: { ACC: acc, BWT: 0, FWT: null, LA: acc },
  };
}

function outcome(id: string, seed: number, acc: number): RunOutcome {
  return { id, record: record(seed, acc), backend: 'wasm', versions: { clbench: '0.1.0', 'tfjs-core': '4.22.0' }, worker: 'host:1', startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:00:01.000Z' };
}

function freshStore(): ResultsStore {
  const store = ResultsStore.open(join(tempDir(), 'sub', 'clbench.db'));
  store.saveScenario({ hash: 'h1', scenario, stream: { type: 'rotated-mnist', numTasks: 2, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: 'd' }, taskIds: ['a', 'b'], metricOptions: { normalization: 'T-1', lcaBeta: 3, lcaRule: 'mean' } });
  store.addRuns([planned('r0', 0), planned('r1', 1)]);
  return store;
}

describe('results store', () => {
  it('creates a versioned schema marked as a clbench store', () => {
    const store = freshStore();
    store.close();
    const db = new BetterSqlite3(store.path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('tracks a run from pending to completed, and rebuilds its record and a result.json', () => {
    const store = freshStore();
    expect(store.listRuns().map((r) => [r.id, r.status, r.attempts])).toEqual([['r0', 'pending', 0], ['r1', 'pending', 0]]);
    store.markRunning('r0', 'host:1');
    expect(store.listRuns({ status: ['running'] }).map((r) => r.id)).toEqual(['r0']);
    store.finishRun(outcome('r0', 0, 0.8));
    const [r0] = store.listRuns({ ids: ['r0'] });
    expect(r0).toMatchObject({ status: 'completed', attempts: 1, worker: 'host:1', wallSeconds: 1.5, metrics: { ACC: 0.8, BWT: 0, FWT: null, LA: 0.8 } });
    expect(Object.keys(r0.metrics)).toEqual(['ACC', 'BWT', 'FWT', 'LA']); // the record's order, not alphabetical
    expect(store.recordOf(r0)).toEqual(record(0, 0.8));

    const [result] = readResults(store, scenario.name);
    expect(result.complete).toBe(false); // r1 is still pending
    expect(result.runs).toEqual([record(0, 0.8)]);
    expect(result.backend).toBe('wasm');
    expect(result.taskIds).toEqual(['a', 'b']);
    expect(result.scenario.seeds).toEqual([0]);
    expect(result.summary.naive.ACC).toEqual({ mean: 0.8, std: 0, n: 1 });
    store.finishRun(outcome('r1', 1, 0.6));
    expect(readResults(store, scenario.name)[0].complete).toBe(true);
    expect(readResults(store, 'other')).toEqual([]);
    store.close();
  });

  it('writes a run atomically: a failure halfway leaves the previous results and status', () => {
    const store = freshStore();
    store.finishRun(outcome('r0', 0, 0.8));
    store.markRunning('r0', 'host:2');
    const broken = outcome('r0', 0, 0.9);
    // Metrics go in, then a curve point SQLite cannot bind fails the write.
    const badCurves = [...broken.record.curves, { ...broken.record.curves[0], accuracy: {} as unknown as number }];
    expect(() => store.finishRun({ ...broken, record: { ...broken.record, curves: badCurves } })).toThrow();
    const [r0] = store.listRuns({ ids: ['r0'] });
    expect(r0.status).toBe('running');
    expect(r0.metrics.ACC).toBe(0.8);
    expect(store.recordOf(r0).curves).toHaveLength(2);
    // Redoing a run replaces its rows: never duplicates.
    store.finishRun(outcome('r0', 0, 0.9));
    store.finishRun(outcome('r0', 0, 0.9));
    expect(store.listRuns({ ids: ['r0'] })[0].metrics.ACC).toBe(0.9);
    expect(store.recordOf(store.listRuns({ ids: ['r0'] })[0]).curves).toHaveLength(2);
    store.close();
  });

  it('keeps finished runs when the same runs are planned again, and records failures', () => {
    const store = freshStore();
    store.finishRun(outcome('r0', 0, 0.8));
    store.addRuns([planned('r0', 0), planned('r1', 1)]);
    expect(store.listRuns().map((r) => r.status)).toEqual(['completed', 'pending']);
    store.failRun('r1', 'worker process 123 died during the run (signal SIGKILL)');
    const [r1] = store.listRuns({ status: ['failed'] });
    expect(r1.error).toContain('SIGKILL');
    expect(store.recordOf(r1)).toMatchObject({ status: 'failed', error: r1.error, accuracyMatrix: [], metrics: {} });
    store.close();
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    const path = join(tempDir(), 'clbench.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough to fill a header '.repeat(20));
    const err = (() => {
      try {
        ResultsStore.open(path);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ClbenchError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/corrupt or not a SQLite database/);
  });

  it('refuses a damaged store', () => {
    const store = freshStore();
    for (let i = 0; i < 50; i++) store.addRuns([planned(`x${i}`.padEnd(200, 'x'), i)]);
    store.close();
    const size = statSync(store.path).size;
    const fd = openSync(store.path, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xab), 0, size - 4096, 4096); // every page after the header page
    closeSync(fd);
    expect(() => ResultsStore.open(store.path)).toThrow(ClbenchError);
    expect(() => ResultsStore.open(store.path)).toThrow(/corrupt/);
  });

  it('refuses another application’s SQLite database and a store from a newer clbench', () => {
    const foreign = join(tempDir(), 'app.db');
    const db = new BetterSqlite3(foreign);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => ResultsStore.open(foreign)).toThrow(`${foreign}: not a clbench results store (a SQLite database with other tables: customers)`);
    const before = readFileSync(foreign);
    expect(readFileSync(foreign)).toEqual(before); // untouched

    const store = freshStore();
    store.close();
    const raw = new BetterSqlite3(store.path);
    raw.pragma(`user_version = ${latestVersion + 1}`);
    raw.close();
    expect(() => ResultsStore.open(store.path)).toThrow(/written by a newer clbench/);
  });

  it('two processes creating the same new store at once both succeed (issue #18, defect 4)', async () => {
    const path = join(tempDir(), 'race.db');
    // A third connection holds the write lock of the new, empty store while both processes open
    // it, so both reach the point where they create the tables before either can.
    const holder = new BetterSqlite3(path);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    // The processes run dist/: `npm run build` first.
    const script = `import { ResultsStore } from '${pathToFileURL(resolve('dist/store/results-store.js')).href}';
      ResultsStore.open(${JSON.stringify(path)}).close();`;
    const opens = Array.from({ length: 2 }, () =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn('node', ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => done({ code, stderr }));
      }),
    );
    await new Promise((r) => setTimeout(r, 3000));
    holder.exec('COMMIT');
    holder.close();
    for (const r of await Promise.all(opens)) expect(r).toEqual({ code: 0, stderr: '' });
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    db.close();
  });

  it('opens read-only without creating anything', () => {
    const missing = join(tempDir(), 'none.db');
    expect(() => ResultsStore.open(missing, { readonly: true })).toThrow(/no results store here/);
    expect(() => readResults(missing, 'x')).toThrow(ClbenchError);
  });
});

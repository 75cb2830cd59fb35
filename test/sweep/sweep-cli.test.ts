import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { ResultsStore } from '../../src/store/results-store.js';
import type { RunSummary } from '../../src/store/types.js';
import { runDir } from '../../src/sweep/artefacts.js';
import { tempDir } from '../helpers/scenario.js';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

function clbench(...args: string[]) {
  const r = spawnSync('node', ['bin/clbench.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeJson(content: unknown, name = 'scenario.json'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The store's runs, read here (`clbench runs` itself is tested below). */
function listRuns(db: string): RunSummary[] {
  const store = ResultsStore.open(db, { readonly: true });
  try {
    return store.listRuns();
  } finally {
    store.close();
  }
}

/** Each run's numbers by identity (wall time and memory vary with the machine's load). */
function numbersById(runs: RunSummary[]): Record<string, unknown> {
  return Object.fromEntries(runs.map((r) => [r.id, { status: r.status, metrics: r.metrics, learner: r.learner, seed: r.seed }]));
}

/** These tests start several node processes each; a busy machine needs more than the default. */
const SLOW = 240_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function statusCounts(db: string): { completed: number; running: RunSummary[] } | undefined {
  if (!existsSync(db)) return undefined;
  try {
    const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      const rows = conn.prepare('SELECT id, status, worker FROM runs').all() as RunSummary[];
      return { completed: rows.filter((r) => r.status === 'completed').length, running: rows.filter((r) => r.status === 'running') };
    } finally {
      conn.close();
    }
  } catch {
    return undefined; // not created yet
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// 2 learners × 3 seeds, half a second a run.
const scenario = {
  name: 'sweep-cli',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 150, testPerTask: 100 },
  model: { hidden: [16] },
  protocol: { evalEvery: 5, lcaBeta: 2 },
  learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }],
  seeds: [0, 1, 2],
};
const scenarioPath = writeJson(scenario);
let serial: RunSummary[] = [];

describe('clbench sweep', () => {
  it('gives the same numbers with --workers 2 as with --workers 1', () => {
    const dir = tempDir();
    const one = clbench('sweep', scenarioPath, '--workers', '1', '--backend', 'wasm', '--db', join(dir, 'a.db'), '--out', join(dir, 'a'));
    expect(one.stderr).not.toContain('error');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('ran 6');
    const two = clbench('sweep', scenarioPath, '--workers', '2', '--backend', 'wasm', '--db', join(dir, 'b.db'), '--out', join(dir, 'b'), '-q');
    expect(two.code).toBe(0);
    serial = listRuns(join(dir, 'a.db'));
    const parallel = listRuns(join(dir, 'b.db'));
    expect(serial).toHaveLength(6);
    expect(serial.every((r) => r.status === 'completed')).toBe(true);
    expect(numbersById(parallel)).toEqual(numbersById(serial));
    expect(new Set(parallel.map((r) => r.worker)).size).toBe(2); // two child processes did the work
    const combined = (d: string) => (JSON.parse(readFileSync(join(dir, d, 'result.json'), 'utf8')) as RunResult).runs.map((r) => r.accuracyMatrix);
    expect(combined('b')).toEqual(combined('a'));
  }, SLOW);

  it('applies --set, records it, and writes report.html beside report.md', () => {
    const dir = tempDir();
    const r = clbench('sweep', scenarioPath, '--workers', '1', '--backend', 'wasm', '--db', join(dir, 'c.db'), '--out', join(dir, 'c'), '-q',
      '--set', 'seeds=[0]', '--set', 'learners.naive.lr=0.2');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'c', 'result.json'), 'utf8')) as RunResult;
    expect(result.overrides).toEqual(['seeds=[0]', 'learners.naive.lr=0.2']);
    expect(result.runs.map((run) => [run.learner, run.seed])).toEqual([['naive', 0], ['joint', 0]]);
    expect(result.runs[0].options.lr).toBe(0.2);
    expect(readFileSync(join(dir, 'c', 'report.html'), 'utf8')).toContain('sweep-cli');
  }, SLOW);

  it('resumes after SIGKILL: every run completed exactly once, no duplicate rows, a sound database', async () => {
    const dir = tempDir();
    const db = join(dir, 'clbench.db');
    const args = ['bin/clbench.js', 'sweep', scenarioPath, '--workers', '2', '--backend', 'wasm', '--db', db, '--out', join(dir, 'out'), '-q'];
    const sweep = spawn('node', args, { stdio: 'ignore' });
    started.push(sweep);
    const exited = new Promise((r) => sweep.once('exit', r));
    const atKill = await waitFor('two completed runs and one in progress', () => {
      const s = statusCounts(db);
      return s && s.completed >= 2 && s.running.length >= 1 ? s : undefined;
    });
    sweep.kill('SIGKILL');
    await exited;
    // Its child processes notice and exit too.
    const childPids = atKill.running.map((r) => Number(r.worker!.split(':')[1]));
    await waitFor('the child processes to exit', () => (childPids.some(alive) ? undefined : true), 15_000);

    const before = listRuns(db);
    const interrupted = before.filter((r) => r.status === 'running');
    const done = before.filter((r) => r.status === 'completed');
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(6);

    const resumed = clbench(...args.slice(1));
    expect(resumed.stderr).not.toContain('error');
    expect(resumed.code).toBe(0);
    const after = listRuns(db);
    expect(after).toHaveLength(6);
    expect(after.every((r) => r.status === 'completed')).toBe(true);
    for (const r of done) expect(after.find((a) => a.id === r.id)).toMatchObject({ attempts: 1, finishedAt: r.finishedAt }); // not redone
    for (const r of interrupted) expect(after.find((a) => a.id === r.id)!.attempts).toBe(2);
    expect(numbersById(after)).toEqual(numbersById(serial)); // as if never interrupted

    const conn = new BetterSqlite3(db, { readonly: true });
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(conn.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(6);
    // Every run holds the same full set of metrics, once each.
    const perRun = conn.prepare('SELECT COUNT(DISTINCT name) FROM metrics').pluck().get() as number;
    expect(perRun).toBeGreaterThan(5);
    expect(conn.prepare('SELECT COUNT(*) FROM (SELECT run_id FROM metrics GROUP BY run_id HAVING COUNT(*) = ?)').pluck().get(perRun)).toBe(6);
    expect(conn.prepare('SELECT COUNT(*) FROM (SELECT run_id, name FROM metrics GROUP BY run_id, name HAVING COUNT(*) > 1)').pluck().get()).toBe(0);
    conn.close();
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    expect(result.complete).toBe(true);
    expect(result.runs).toHaveLength(6);
    // A redone run's events.jsonl holds that run once, not the killed attempt plus the new one.
    for (const r of interrupted) {
      const events = readFileSync(join(runDir(join(dir, 'out'), r.learner, r.seed, r.id), 'events.jsonl'), 'utf8');
      expect(events.match(/"type":"run-start"/g)).toHaveLength(1);
      expect(events.match(/"type":"run-end"/g)).toHaveLength(1);
    }
  }, SLOW);

  it('asks for --yes above the confirmable number of runs, and refuses bad stores clearly', () => {
    const dir = tempDir();
    const grid = writeJson({ ...scenario, sweep: { learners: { naive: { lr: [0.01, 0.02, 0.05, 0.1, 0.2] } } } });
    const big = clbench('sweep', grid, '--confirm-above', '10', '--db', join(dir, 'x.db'), '--dry-run');
    expect(big.code).toBe(0);
    expect(big.stdout).toContain('18 run(s)');
    expect(big.stdout).toMatch(/new\s+naive\[lr=0\.2\]\s+seed 2/);
    const refused = clbench('sweep', grid, '--confirm-above', '10', '--db', join(dir, 'x.db'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('expands to 18 runs (more than 10); pass --yes');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'not a database '.repeat(100));
    const g = clbench('sweep', scenarioPath, '--db', garbage);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain(`${garbage}: not a usable clbench results store`);
    expect(g.stderr).not.toMatch(/\n\s+at /);
    const foreign = join(dir, 'foreign.db');
    const conn = new BetterSqlite3(foreign);
    conn.exec('CREATE TABLE invoices (id INTEGER)');
    conn.close();
    const r = clbench('runs', '--db', foreign);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a clbench results store (a SQLite database with other tables: invoices)');
    const none = clbench('runs', '--db', join(dir, 'none.db'));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no results store here');
  }, SLOW);

  it('records a learner that throws (in a child process, loaded by --plugin) as failed and goes on', () => {
    const dir = tempDir();
    const plugin = join(dir, 'thrower.mjs');
    writeFileSync(plugin, `
      import { learners, ModelLearner, optimizerSchema } from ${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)};
      class Thrower extends ModelLearner {
        observe(batch) {
          if (batch.taskIndex === 1) throw new Error('boom on task 1');
          return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
        }
      }
      learners.register({ type: 'thrower', description: 'throws', options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] }, create: (o) => new Thrower(o) });
    `);
    const file = writeJson({ ...scenario, learners: [{ type: 'thrower', lr: 0.05 }, { type: 'naive', lr: 0.05 }], seeds: [0] });
    const db = join(dir, 'clbench.db');
    const r = clbench('sweep', file, '--plugin', plugin, '--workers', '2', '--backend', 'wasm', '--db', db, '--out', join(dir, 'out'));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('1 failed');
    const failed = JSON.parse(clbench('runs', '--db', db, '--status', 'failed', '--json').stdout) as RunSummary[];
    expect(failed.map((f) => [f.learner, f.error])).toEqual([['thrower', 'boom on task 1']]);
    const table = clbench('runs', '--db', db, '--scenario', 'sweep-cli');
    expect(table.stdout).toMatch(/thrower\s+0\s+wasm\s+failed.*boom on task 1/);
    expect(table.stdout).toMatch(/naive\s+0\s+wasm\s+completed/);
    expect(table.stdout).toContain('2 run(s): 1 completed, 1 failed');
  }, SLOW);
});

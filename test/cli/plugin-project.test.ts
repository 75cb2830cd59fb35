import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';

/**
 * The plug-in workflow of docs/learner-api.md, as a new user follows it: clbench packed into a
 * tarball, installed into an empty project outside the checkout, a learner scaffolded there,
 * run with --plugin from TypeScript, and its generated test passing. The install resolves
 * clbench's dependencies from the npm cache when they are there (--prefer-offline).
 */

const checkout = resolve('.');
const vitestVersion = (JSON.parse(readFileSync('node_modules/vitest/package.json', 'utf8')) as { version: string }).version;

/** The parent's environment without vitest's own variables, which would change the child vitest. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'NODE_ENV' && k !== 'TEST'));
  return { ...env, NO_COLOR: '1' };
}

function sh(cwd: string, command: string, args: string[], timeout = 240_000) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv(), timeout });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true }); // the project holds ~450 MB of node_modules
});

describe('a learner plug-in in your own project', () => {
  it('installs clbench from an npm pack tarball, scaffolds a learner, runs it with --plugin and passes its test', () => {
    // The global setup built dist/; --ignore-scripts skips `prepare` rebuilding it.
    const packDir = mkdtempSync(join(tmpdir(), 'clbench-pack-'));
    const pack = sh(checkout, 'npm', ['pack', '--ignore-scripts', '--pack-destination', packDir]);
    expect(pack.code, pack.out).toBe(0);
    made.push(packDir);
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);

    const project = mkdtempSync(join(tmpdir(), 'clbench-project-'));
    made.push(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true, type: 'module' }));
    const install = sh(project, 'npm', ['install', tarball, `vitest@${vitestVersion}`, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund']);
    expect(install.code, install.out).toBe(0);

    const scaffold = sh(project, 'npx', ['clbench', 'new', 'learner', 'my-replay']);
    expect(scaffold.code, scaffold.out).toBe(0);
    for (const f of ['my-replay.ts', 'my-replay.scenario.json', 'my-replay.test.ts']) expect(existsSync(join(project, f))).toBe(true);
    expect(sh(project, 'npx', ['clbench', 'new', 'learner', 'my-replay']).out).toContain('already exist');

    const run = sh(project, 'npx', [
      'clbench', 'run', 'my-replay.scenario.json', '--plugin', 'my-replay.ts', '--quick',
      '--set', 'stream.trainPerTask=200', '--set', 'stream.testPerTask=200', '--out', 'out', '--quiet',
    ]);
    expect(run.code, run.out).toBe(0);
    const result = JSON.parse(readFileSync(join(project, 'out', 'result.json'), 'utf8')) as RunResult;
    expect(result.runs.map((r) => [r.learner, r.status])).toEqual([['naive', 'completed'], ['my-replay', 'completed']]);
    expect(existsSync(join(project, 'out', 'report.html'))).toBe(true);

    const missing = sh(project, 'npx', ['clbench', 'validate', 'my-replay.scenario.json']);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('"my-replay" is not allowed');
    expect(missing.out).toContain('--plugin');

    const test = sh(project, 'npx', ['vitest', 'run', 'my-replay.test.ts']);
    expect(test.code, test.out).toBe(0);
    expect(test.out).toMatch(/2 passed/);
  }, 600_000);
});

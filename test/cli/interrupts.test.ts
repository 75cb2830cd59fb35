import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { tempDir } from '../helpers/scenario.js';

/** Issue #18, defects 5 and 6: interrupted commands leave consistent output and say so, without stack traces. */

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
});

/** The CLI in its own process group, as a terminal runs it, so that Ctrl-C reaches its children too. */
function launch(...args: string[]) {
  const child = spawn('node', ['bin/clbench.js', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

async function waitFor(read: () => string, pattern: RegExp, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got:\n${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `epochs` lengthens each run (the sweep test needs runs that outlast the first progress line). */
function scenarioFile(name: string, seeds: number[], epochs = 1): string {
  const file = join(tempDir(), `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name,
    stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 1000, testPerTask: 100 },
    model: { hidden: [32] },
    learners: [{ type: 'naive', lr: 0.05 }],
    protocol: { epochs },
    seeds,
  }));
  return file;
}

describe('interrupts', () => {
  it('a reused --out folder holds only the interrupted run’s partial result, and the interrupt is reported (defect 5)', async () => {
    const out = join(tempDir(), 'out');
    const first = spawnSync('node', ['bin/clbench.js', 'run', scenarioFile('first', [0]), '--out', out, '--backend', 'wasm', '-q'], { encoding: 'utf8' });
    expect(first.status).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);

    const second = launch('run', scenarioFile('second', [0, 1, 2]), '--out', out, '--backend', 'wasm');
    await waitFor(() => second.out.stderr, /run 1\/3 naive seed 0/);
    process.kill(-second.child.pid!, 'SIGINT');
    expect(await second.exited).toBe(130);
    expect(second.out.stderr).toMatch(/interrupted; the runs finished so far are in .*result\.json \(complete: false\)/);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    expect(existsSync(join(out, 'report.md'))).toBe(false);
    const partial = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
    expect(partial.scenario.name).toBe('second');
    expect(partial.complete).toBe(false);
  }, 120_000);

  it('Ctrl-C on `sweep --workers 2` stops without EPIPE stack traces and leaves no child behind (defect 6)', async () => {
    const dir = tempDir();
    const sweep = launch('sweep', scenarioFile('sweep-int', [0, 1, 2, 3, 4, 5], 100), '--workers', '2', '--backend', 'wasm', '--db', join(dir, 'r.db'), '--out', join(dir, 'o'));
    await waitFor(() => sweep.out.stderr, /2 running/);
    process.kill(-sweep.child.pid!, 'SIGINT');
    expect(await sweep.exited).toBe(130);
    // The children exit when their channel to the parent closes; give them a moment to.
    await new Promise((r) => setTimeout(r, 2000));
    expect(sweep.out.stderr).toMatch(/interrupted; finished runs are in .*r\.db; run the same command again to resume/);
    expect(sweep.out.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const left = spawnSync('ps', ['-o', 'pid=', '-g', String(sweep.child.pid)], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('a reader that closes stdout early ends the command quietly (defect 6)', async () => {
    const child = spawn('node', ['bin/clbench.js', 'schema'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('a plug-in’s asynchronous throw is reported as one line, without a stack trace (defect 6)', () => {
    const plugin = join(tempDir(), 'throws-later.mjs');
    writeFileSync(plugin, "setTimeout(() => { throw new Error('plugin boom'); }, 0);\n");
    const r = spawnSync('node', ['bin/clbench.js', 'validate', 'scenarios/quickstart.json', '--plugin', plugin], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('clbench: error: plugin boom (thrown asynchronously, by a plug-in or by clbench)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

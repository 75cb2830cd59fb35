import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { tempDir } from '../helpers/scenario.js';

/** Resolves once `check` returns a value, polling every 50 ms; rejects after `ms`. */
async function waitFor<T>(what: string, check: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('clbench run, interrupted', () => {
  it('on Ctrl-C ends the current run within a step, keeps it in result.json marked cancelled, starts no other, and exits 130', async () => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    const out = join(dir, 'out');
    writeFileSync(file, JSON.stringify({
      name: 'cli-interrupt',
      stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 3000, testPerTask: 100 },
      // Wide enough that task 1's 300 steps outlast the poll that sees its first step and the
      // SIGINT that follows (with 16 units a quiet machine could finish the task in between).
      model: { hidden: [512, 512] },
      protocol: { batchSize: 10 },
      learners: [{ type: 'naive', lr: 0.05 }],
      seeds: [0, 1],
    }));
    const child = spawn('node', ['bin/clbench.js', 'run', file, '--out', out, '--backend', 'wasm', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const events = join(out, 'events.jsonl');
    await waitFor('training on task 1', () => (existsSync(events) && readFileSync(events, 'utf8').includes('"type":"train-step","task":1') ? true : undefined), 120_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted');

    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
    expect(result.complete).toBe(false);
    expect(result.runs).toHaveLength(1);
    const [run] = result.runs;
    expect(run.status).toBe('cancelled');
    // Task 0 was finished and scored; task 1 was cut short.
    expect(run.accuracyMatrix[0].every((v) => v !== null)).toBe(true);
    expect(run.accuracyMatrix[1].every((v) => v === null)).toBe(true);
    const steps = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; task?: number; batchInTask?: number });
    const lastStep = steps.filter((e) => e.type === 'train-step').at(-1)!;
    expect(lastStep.task).toBe(1);
    expect(lastStep.batchInTask).toBeLessThan(300);
    // A partial result gets no reports (a reused folder must not show reports of an unfinished scenario).
    expect(existsSync(join(out, 'report.md'))).toBe(false);
  }, 180_000);
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { tempDir } from '../helpers/scenario.js';

function clbench(...args: string[]) {
  const r = spawnSync('node', ['bin/clbench.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scenarioFile(content: unknown): string {
  const path = join(tempDir(), 'scenario.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const tiny = {
  name: 'cli-tiny',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 },
  model: { hidden: [16] },
  learners: [{ type: 'naive', lr: 0.05 }],
  seeds: [0, 1],
};

describe('clbench CLI', () => {
  it('validates the shipped scenarios', () => {
    for (const file of ['quickstart', 'gem-mnist-rotations', 'gem-mnist-permutations']) {
      const r = clbench('validate', `scenarios/${file}.json`);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('ok');
    }
    // MLP 784-100-100-10: 784·100 + 100 + 100·100 + 100 + 100·10 + 10 weights and biases.
    expect(clbench('validate', 'scenarios/quickstart.json').stdout).toContain('model 89610 parameters');
  });

  it('runs a scenario end to end and writes the report files', () => {
    const out = join(tempDir(), 'out');
    const r = clbench('run', scenarioFile(tiny), '--out', out, '--backend', 'wasm', '--seeds', '3');
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/naive/);
    expect(r.stdout).toContain('ACC');
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
    expect(result.runs.map((run) => run.seed)).toEqual([3]);
    expect(result.backend).toBe('wasm');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('cli-tiny');
  });

  it('loads a TypeScript plug-in with --plugin, as the header of the example says', () => {
    const r = clbench('list', '--plugin', 'examples/custom-learner.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('l2-anchor — L2 pull towards the previous task’s weights');
    const missing = clbench('list', '--plugin', 'examples/no-such-learner.ts');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--plugin examples/no-such-learner.ts: no such file');
  });

  it('says that run trains only the listed options when the scenario has a sweep block', () => {
    const file = scenarioFile({ ...tiny, sweep: { learners: { naive: { lr: [0.01, 0.1] } } } });
    const r = clbench('run', file, '--out', join(tempDir(), 'out'), '--backend', 'wasm', '--seeds', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('has a sweep block; run trains only the options listed in "learners": use `clbench sweep` for the grid, or --set to change one option');
  });

  it('new learner: refuses bad names and built-in ones, and writes nothing then', () => {
    const dir = tempDir();
    const bad = clbench('new', 'learner', 'My_Learner', '--dir', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'My_Learner' is not a valid learner type");
    const builtIn = clbench('new', 'learner', 'ewc', '--dir', dir);
    expect(builtIn.code).toBe(2);
    expect(builtIn.stderr).toContain("'ewc' is a built-in learner");
    const ok = clbench('new', 'learner', 'der-pp', '--dir', dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'der-pp.ts'), 'utf8')).toContain('export class DerPp extends ModelLearner');
    expect(JSON.parse(readFileSync(join(dir, 'der-pp.scenario.json'), 'utf8')).learners.map((l: { type: string }) => l.type)).toEqual(['naive', 'der-pp']);
  });

  it('applies --set overrides, validates them and records them in result.json', () => {
    const out = join(tempDir(), 'out');
    const file = scenarioFile(tiny);
    const r = clbench('run', file, '--out', out, '--backend', 'wasm', '--seeds', '0', '--quiet', '--set', 'learners.naive.lr=0.2', '--set', 'stream.trainPerTask=50');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
    expect(result.overrides).toEqual(['learners.naive.lr=0.2', 'stream.trainPerTask=50']);
    expect(result.scenario.learners[0].lr).toBe(0.2);
    expect(result.scenario.stream.trainPerTask).toBe(50);
    expect(result.runs[0].options.lr).toBe(0.2);
    const bad = clbench('validate', file, '--set', 'learners.naive.lr=fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('learners[0].lr: must be number (got "fast")');
  });

  it('runs a meta-learning scenario: stepsToTarget as a step count, curves left out of the table', () => {
    const meta = {
      name: 'cli-meta',
      stream: { type: 'sine', shots: 5, testQueries: 10 },
      model: { hidden: [10] },
      protocol: { kind: 'meta', metaIterations: 4, metaBatch: 2, evalEpisodes: 4, adaptSteps: 2, adaptTarget: 1e9 },
      learners: [{ type: 'maml', innerLr: 0.01 }],
      seeds: [0],
    };
    const r = clbench('run', scenarioFile(meta), '--out', join(tempDir(), 'out'), '--backend', 'wasm');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('learner '))!.split(/\s{2,}/);
    const row = lines.find((l) => l.startsWith('maml '))!.split(/\s{2,}/);
    expect(header).toContain('stepsToTarget');
    expect(header).not.toContain('adaptationCurve');
    expect(row[header.indexOf('stepsToTarget')]).toBe('0'); // any MSE is at most 1e9: reached before adapting
    expect(row).not.toContain('—');
    expect(r.stderr).toMatch(/run 1\/1 maml seed 0 · completed in/);
  });

  it('names the field and the allowed values for an unknown learner', () => {
    const r = clbench('validate', scenarioFile({ ...tiny, learners: [{ type: 'nave', lr: 0.1 }] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('learners[0].type');
    expect(r.stderr).toContain('"naive"');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the field for a wrong option type and an unknown option', () => {
    const r = clbench('validate', scenarioFile({ ...tiny, learners: [{ type: 'naive', lr: '0.1', lrr: 1 }] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('learners[0].lr: must be number');
    expect(r.stderr).toContain('learners[0].lrr: unknown field');
  });

  it('reports malformed JSON and a missing file by name', () => {
    const bad = scenarioFile('{ "name": ');
    let r = clbench('validate', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('not valid JSON');
    r = clbench('run', '/nonexistent/scenario.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/scenario.json');
  });

  it('reports a missing dataset folder by path', () => {
    const r = clbench('validate', scenarioFile({ ...tiny, stream: { ...tiny.stream, path: '/nonexistent/mnist' } }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/mnist');
  });

  it('rejects an unknown backend, listing the choices', () => {
    const r = clbench('run', scenarioFile(tiny), '--backend', 'tpu', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown backend 'tpu'");
    expect(r.stderr).toContain('wasm');
  });

  it('fails clearly when a requested backend cannot load', () => {
    const r = clbench('run', scenarioFile(tiny), '--backend', 'tfjs-node', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("backend 'tfjs-node' failed to load");
  });

  it('rejects --learners that the scenario does not have', () => {
    const r = clbench('run', scenarioFile(tiny), '--learners', 'ewc', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'ewc'");
  });

  it('lists streams, learners and metrics with their options', () => {
    const r = clbench('list', '--json');
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Record<string, { name: string }[]>;
    expect(listed.learners.map((l) => l.name)).toEqual(expect.arrayContaining(['naive', 'joint', 'independent']));
    expect(listed.streams.map((s) => s.name)).toEqual(expect.arrayContaining(['rotated-mnist', 'permuted-mnist', 'split-mnist']));
    expect(listed.metrics.map((m) => m.name)).toEqual([
      'ACC', 'ACC-taskIL', 'BWT', 'FWT', 'LA', 'forgetting', 'LCA', 'minACC', 'WC-ACC', 'gapDepth', 'gapRecovery', 'AAA', 'stepsTo90', 'WF10',
    ]);
    const text = clbench('list');
    expect(text.stdout).toContain('lr: number (required)');
    // Each continual-evaluation metric with its definition and formula.
    expect(text.stdout).toMatch(/minACC — Average over tasks 1\.\.T−1 of the lowest accuracy[^\n]*\n\s+min-ACC = /);
    expect(text.stdout).toMatch(/WF10 — Windowed forgetting[^\n]*w = 10 batches/);
    // The adaptation metrics of meta runs, which are computed from the adaptation curve, not the registry's matrices.
    expect(listed.adaptationMetrics.map((m) => m.name)).toEqual(['adapt@k', 'adaptAUC', 'stepsToTarget', 'divergedEpisodes']);
    expect(text.stdout).toMatch(/adaptation metrics \(meta runs\):\n[\s\S]*divergedEpisodes — Meta-test episodes on which fine-tuning diverged[^\n]*\n\s+#\{ e : s_K\(e\) not finite/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeRuns } from '../../src/runner/summarize.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { groupResults, loadResults, scenarioFingerprint } from '../../src/report/load-results.js';
import { tempDir } from '../helpers/scenario.js';
import { fixtureResult } from './fixture.js';

function clbench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', ['bin/clbench.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeResult(dir: string, result: RunResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'result.json');
  writeFileSync(file, JSON.stringify(result));
  return file;
}

/** The fixture with only the given runs (re-seeded / relabelled as asked) and a creation time. */
function resultWith(runs: RunRecord[], createdAt: string, overrides: Partial<RunResult> = {}): RunResult {
  return { ...fixtureResult(), createdAt, runs, summary: summarizeRuns(runs), ...overrides };
}

const [naive1, naive2, ewc1] = fixtureResult().runs;

describe('loadResults', () => {
  it('reads files and searches folders recursively, in path order', () => {
    const root = tempDir();
    const a = writeResult(join(root, 'b-run'), fixtureResult());
    const b = writeResult(join(root, 'a-run', 'nested'), fixtureResult());
    writeFileSync(join(root, 'other.json'), '{}');
    const loaded = loadResults([root]);
    expect(loaded.map((l) => l.file)).toEqual([b, a]);
    expect(loadResults([a, root]).map((l) => l.file)).toEqual([a, b]); // each file once
  });

  it('names the path at fault', () => {
    const root = tempDir();
    expect(() => loadResults([join(root, 'missing')])).toThrow(`${join(root, 'missing')}: no such file or folder`);
    expect(() => loadResults([root])).toThrow(`${root}: no result.json found`);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{ "scenario": ');
    expect(() => loadResults([bad])).toThrow(`${bad}: not valid JSON`);
    writeFileSync(bad, JSON.stringify({ scenario: { name: 'x' }, stream: {}, runs: [{}], taskIds: [], metricOptions: {} }));
    expect(() => loadResults([bad])).toThrow(`${bad}: not a clbench result.json (runs[0] has no learner, seed or accuracyMatrix)`);
  });
});

describe('groupResults', () => {
  it('merges runs of the same scenario from separate results and recomputes the summary', () => {
    const [group, ...rest] = groupResults([
      { file: 'a.json', result: resultWith([naive1], '2025-01-01T00:00:00Z') },
      { file: 'b.json', result: resultWith([naive2, ewc1], '2025-01-02T00:00:00Z', { backend: 'tfjs-node' }) },
    ]);
    expect(rest).toHaveLength(0);
    expect(group.result.runs.map((r) => [r.learner, r.seed])).toEqual([['naive', 1], ['naive', 2], [ewc1.learner, 1]]);
    expect(group.result.summary.naive.ACC.n).toBe(2);
    expect(group.result.summary.naive.ACC.mean).toBeCloseTo(0.64, 10);
    expect(group.result.scenario.seeds).toEqual([1, 2]);
    expect(group.result.backend).toBe('cpu, tfjs-node');
    expect(group.sources.map((s) => s.file)).toEqual(['a.json', 'b.json']);
    expect(group.notes).toEqual([]);
  });

  it('never averages scenarios whose settings differ, and says what differs', () => {
    const base = fixtureResult();
    const other: RunResult = { ...base, scenario: { ...base.scenario, stream: { ...base.scenario.stream, trainPerTask: 500 } } };
    const renamed: RunResult = { ...base, scenario: { ...base.scenario, name: 'another' } };
    const groups = groupResults([{ result: base }, { result: other }, { result: renamed }]);
    expect(groups.map((g) => [g.id, g.result.runs.length])).toEqual([['fixture-gem', 4], ['fixture-gem-2', 4], ['another', 4]]);
    expect(groups[0].variant).toBe('stream.trainPerTask=unset');
    expect(groups[1].variant).toBe('stream.trainPerTask=500');
    expect(groups[2].variant).toBeUndefined();
    expect(scenarioFingerprint(base)).not.toBe(scenarioFingerprint(other));
  });

  it('ignores where the dataset sits on disk', () => {
    const base = fixtureResult();
    const moved: RunResult = { ...base, scenario: { ...base.scenario, stream: { ...base.scenario.stream, path: '/elsewhere/mnist' } } };
    expect(scenarioFingerprint(moved)).toBe(scenarioFingerprint(base));
  });

  it('keeps the newer of two runs of the same learner and seed', () => {
    const old = { ...naive1, metrics: { ...naive1.metrics, ACC: 0.1 } };
    const [group] = groupResults([
      { file: 'new.json', result: resultWith([naive1], '2025-02-01T00:00:00Z') },
      { file: 'old.json', result: resultWith([old], '2025-01-01T00:00:00Z') },
    ]);
    expect(group.result.runs).toHaveLength(1);
    expect(group.result.runs[0].metrics.ACC).toBe(0.7);
    expect(group.notes).toEqual(['naive seed 1 is in more than one result; kept the newer one (new.json), not old.json.']);
  });

  it('keeps a label used with different learner settings apart', () => {
    const tuned = { ...naive2, options: { lr: 0.1 } };
    const [group] = groupResults([
      { result: resultWith([{ ...naive1, options: { lr: 0.03 } }], '2025-01-01T00:00:00Z') },
      { result: resultWith([tuned], '2025-01-02T00:00:00Z') },
    ]);
    expect(Object.keys(group.result.summary)).toEqual(['naive', 'naive (lr=0.1)']);
    expect(group.result.summary.naive.ACC.n).toBe(1);
    expect(group.notes[0]).toContain("shown as 'naive (lr=0.1)'");
  });

  it('marks a merge partial when any result is', () => {
    const [group] = groupResults([
      { result: resultWith([naive1], '2025-01-01T00:00:00Z') },
      { result: resultWith([naive2], '2025-01-02T00:00:00Z', { complete: false }) },
    ]);
    expect(group.result.complete).toBe(false);
  });
});

describe('clbench run and clbench report', () => {
  const scenario = {
    name: 'compare-tiny',
    stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 },
    model: { hidden: [16] },
    protocol: { batchSize: 10, evalEvery: 5, lcaBeta: 3 },
    learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }],
    seeds: [0],
  };

  it('merges two separate runs into one report in every format', () => {
    const root = tempDir();
    const file = join(root, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));

    // Run 1: --json prints the summary on stdout and nothing else.
    const first = clbench(['run', file, '--out', join(root, 'a'), '--backend', 'wasm', '--seeds', '0', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { scenario: string; files: Record<string, string>; summary: Record<string, Record<string, { n: number }>>; runs: { peakRssBytes: number; peakTensorBytes: number }[] };
    expect(summary.scenario).toBe('compare-tiny');
    expect(summary.files.html).toBe(join(root, 'a', 'report.html'));
    expect(summary.summary.naive.ACC.n).toBe(1);
    expect(summary.runs[0].peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(summary.runs[0].peakTensorBytes).toBeGreaterThan(4 * 200 * 784); // at least the test sets
    expect(readFileSync(join(root, 'a', 'report.html'), 'utf8')).toContain('<h1>compare-tiny</h1>');

    // Run 2, another seed, progress to a pipe: plain lines, no control codes.
    const second = clbench(['run', file, '--out', join(root, 'b'), '--backend', 'wasm', '--seeds', '1', '--learners', 'naive']);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('\u001b');
    expect(second.stderr).toContain('run 1/1 naive seed 1 · task 1/2 · starting');
    expect(second.stderr).toMatch(/run 1\/1 naive seed 1 · completed in \d+s · 100% · \d+s elapsed/);
    expect(second.stdout).toContain(join(root, 'b', 'report.html'));

    const out = join(root, 'merged');
    const report = clbench(['report', join(root, 'a'), join(root, 'b', 'result.json'), '--out', out]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('(merged from 2 results)');
    expect(report.stdout).toMatch(/naive\s+\d\.\d{3} ± \d\.\d{3}/); // two seeds now: mean ± std

    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('clbench report · merged from 2 results');
    expect(page).toContain('2 learners × 2 seeds (0, 1) = 3 runs.');
    expect(page).not.toMatch(/<script/i);
    const runsCsv = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\r\n');
    expect(runsCsv.slice(1).map((line) => line.split(',').slice(2, 5).join(','))).toEqual([
      'naive,naive,0', 'naive,naive,1', 'joint,joint,0',
    ]);
    expect(readFileSync(join(out, 'table.tex'), 'utf8')).toContain('\\toprule');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('Merged from 2 results');
  });

  it('writes only the formats asked for, and names an unknown one', () => {
    const root = tempDir();
    const input = writeResult(join(root, 'in'), fixtureResult());
    const r = clbench(['report', input, '--out', join(root, 'out'), '--format', 'latex,csv', '--json']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { files: Record<string, string>; groups: { id: string; summary: object }[] };
    expect(Object.keys(printed.files).sort()).toEqual(['latex', 'runsCsv', 'summaryCsv']);
    expect(printed.groups.map((g) => g.id)).toEqual(['fixture-gem']);
    const bad = clbench(['report', input, '--format', 'html,pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format: unknown 'pdf'; choose from html, md, csv, latex");
  });
});

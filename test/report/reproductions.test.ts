import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { summarizeRuns } from '../../src/metrics/summarize.js';
import { loadResults } from '../../src/report/load-results.js';
import { buildReproductions, parseTolerance, renderReproductions, toleranceFor } from '../../src/report/reproductions.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { defaultProtocol } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';

function run(learner: string, seed: number, ACC: number | null, BWT: number | null, status: RunRecord['status'] = 'completed'): RunRecord {
  return {
    learner, learnerType: learner.toLowerCase(), options: {}, seed, status, wallSeconds: 1,
    accuracyMatrix: [], baseline: [], lcaCurve: [], curves: [], metrics: { ACC, BWT },
  };
}

function result(runs: RunRecord[], command: string, createdAt = '2026-01-01T00:00:00Z'): RunResult {
  return {
    clbench: '0.1.0', createdAt, command, complete: true, backend: 'wasm', versions: { 'tfjs-core': '4.22.0' },
    scenario: {
      name: 'paper-x', description: 'A reproduction.',
      stream: { type: 'rotated-mnist', tasks: 3 }, model: { type: 'mlp' }, protocol: defaultProtocol,
      learners: [...new Set(runs.map((r) => r.learner))].map((l) => ({ type: l.toLowerCase(), name: l })),
      seeds: [...new Set(runs.map((r) => r.seed))],
      metrics: { normalization: 'T', lcaRule: 'mean' },
      reference: { source: 'Paper X, Table 1', values: { single: { ACC: 0.5, BWT: -0.1 }, GEM: { ACC: 0.85 }, EWC: { ACC: 0.6 } } },
    },
    stream: { type: 'rotated-mnist', numTasks: 3, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: 'three rotations' },
    taskIds: ['a', 'b', 'c'],
    metricOptions: { normalization: 'T', lcaBeta: 10, lcaRule: 'mean' },
    runs,
    summary: summarizeRuns(runs),
  };
}

function write(dir: string, name: string, value: RunResult): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('tolerances', () => {
  it('parses general and scenario rules; the scenario rule wins', () => {
    const rules = ['ACC=0.04', 'agem-permuted-mnist:ACC=0.03'].map(parseTolerance);
    expect(toleranceFor(rules, 'gem-mnist-rotations', 'ACC')).toBe(0.04);
    expect(toleranceFor(rules, 'agem-permuted-mnist', 'ACC')).toBe(0.03);
    expect(toleranceFor(rules, 'agem-permuted-mnist', 'BWT')).toBeUndefined();
    expect(() => parseTolerance('ACC')).toThrow(/METRIC=VALUE/);
  });
});

describe('buildReproductions', () => {
  it('merges the learners of several result files of one scenario, each row keeping its own command', () => {
    const dir = tempDir();
    const a = write(dir, 'a', result([run('single', 0, 0.52, -0.2), run('single', 1, 0.56, -0.1), run('EWC', 0, 0.5, null)], 'clbench run a'));
    const b = write(dir, 'b', result([run('GEM', 0, 0.86, 0), run('GEM', 1, 0.9, 0), run('GEM', 2, 0.1, null, 'diverged')], 'clbench run b'));
    const [s] = buildReproductions(loadResults([a, b]), [parseTolerance('ACC=0.04')]);
    expect(s.name).toBe('paper-x');
    const rowOf = (learner: string, metric: string) => s.rows.find((r) => r.learner === learner && r.metric === metric)!;

    const single = rowOf('single', 'ACC');
    expect(single.ours.mean).toBeCloseTo(0.54, 9);
    expect(single.ours.std).toBeCloseTo(Math.sqrt(0.0008), 9); // sample std of 0.52, 0.56
    expect(single.ours.n).toBe(2);
    expect(single.verdict).toBe('within');
    expect(single.commands).toEqual(['clbench run a']);
    expect(rowOf('single', 'BWT').verdict).toBe('untested'); // no tolerance for BWT

    const gem = rowOf('GEM', 'ACC');
    expect(gem.ours.n).toBe(2); // the diverged run is left out…
    expect(gem.ours.mean).toBeCloseTo(0.88, 9);
    expect(gem.verdict).toBe('within');
    expect(gem.commands).toEqual(['clbench run b']);
    expect(s.problems).toHaveLength(1); // …and listed
    expect(s.problems[0]).toMatch(/GEM seed 2.*diverged/);

    const ewc = rowOf('EWC', 'ACC');
    expect(ewc.verdict).toBe('outside'); // 0.5 vs 0.6
    expect(s.orders).toEqual([{ metric: 'ACC', paper: ['GEM', 'EWC', 'single'], ours: ['GEM', 'single', 'EWC'] }]);
  });

  it('lists published learners that no result ran as "not run"', () => {
    const dir = tempDir();
    const a = write(dir, 'a', result([run('single', 0, 0.52, -0.2)], 'clbench run a'));
    const all = buildReproductions(loadResults([a]), [parseTolerance('ACC=0.04')]);
    const gem = all[0].rows.find((r) => r.learner === 'GEM')!;
    expect(gem.verdict).toBe('not run');
    expect(gem.commands).toEqual([]);
    const md = renderReproductions(all, { command: 'clbench reproductions a', rules: [parseTolerance('ACC=0.04')] });
    expect(md).toContain('Not run (no result file has them): paper-x GEM, paper-x EWC.');
    expect(md).toContain('| GEM | ACC | 0.850 | — | — | ±0.04 | not run | — |');
  });

  it('refuses the same learner and seed from two files, and results of different settings', () => {
    const dir = tempDir();
    const a = write(dir, 'a', result([run('single', 0, 0.5, 0)], 'clbench run a'));
    const b = write(dir, 'b', result([run('single', 0, 0.6, 0)], 'clbench run b'));
    expect(() => buildReproductions(loadResults([a, b]), [])).toThrow(/single seed 0 .*both/);
    const other = result([run('GEM', 0, 0.8, 0)], 'clbench run c');
    const c = write(dir, 'c', { ...other, scenario: { ...other.scenario, model: { type: 'mlp', hidden: [10] } } });
    expect(() => buildReproductions(loadResults([a, c]), [])).toThrow(/different stream, model/);
  });
});

describe('renderReproductions and the CLI command', () => {
  it('writes the table with tolerance, verdicts, order check, commands and notes', async () => {
    const dir = tempDir();
    const a = write(dir, 'a', result([run('single', 0, 0.52, -0.2), run('EWC', 0, 0.5, null), run('GEM', 0, 0.86, 0)], 'clbench run scenarios/x.json --out r'));
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, 'EWC is low because of the Fisher estimate.\n');
    const out = join(dir, 'docs', 'reproductions.md');
    const code = await main(['node', 'clbench', 'reproductions', a, '--out', out, '--tolerance', 'ACC=0.04', '--notes', notes]);
    expect(code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain(`clbench reproductions ${a} --out ${out} --tolerance ACC=0.04 --notes ${notes}`);
    expect(md).toContain('ACC ±0.04');
    expect(md).toContain('| single | ACC | 0.500 | 0.520 (n=1) | +0.020 | ±0.04 | ✓ | `clbench run scenarios/x.json --out r` |');
    expect(md).toContain('| EWC | ACC | 0.600 | 0.500 (n=1) | −0.100 | ±0.04 | ✗ outside |');
    expect(md).toContain('2 of 3 judged rows are within tolerance');
    expect(md).toContain('paper GEM > EWC > single; ours GEM > single > EWC — **different order ✗**');
    expect(md).toContain('EWC is low because of the Fisher estimate.');
    expect(md).not.toContain('Not run');
    // Rendering is a pure function of the results: the same input gives the same page.
    const again = renderReproductions(buildReproductions(loadResults([a]), [parseTolerance('ACC=0.04')]), {
      command: `clbench reproductions ${a} --out ${out} --tolerance ACC=0.04 --notes ${notes}`,
      rules: [parseTolerance('ACC=0.04')],
      notes: { file: notes, text: readFileSync(notes, 'utf8') },
    });
    expect(again).toBe(md);
  });
});

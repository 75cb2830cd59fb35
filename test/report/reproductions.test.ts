import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { summarizeRuns } from '../../src/runner/summarize.js';
import { loadResults } from '../../src/report/load-results.js';
import { loadRecords } from '../../src/report/records/read.js';
import { SEE_THE_PAPER, buildReproductions, orderingCounts, parseTolerance, renderReproductions, toleranceFor } from '../../src/report/reproductions.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { loadScenario } from '../../src/scenario/load.js';
import { type Reference, type Scenario, defaultMetaProtocol, defaultProtocol } from '../../src/scenario/types.js';
import { recordFromResult } from '../../src/report/records/from-result.js';
import { recordText } from '../../src/report/records/write.js';
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

/** The result kept as a reproduction record, the input of `clbench reproductions`. */
function writeRecord(dir: string, name: string, value: RunResult): string {
  const file = join(dir, `${name}.record.json`);
  writeFileSync(file, recordText(recordFromResult(value, join(dir, name, 'result.json'), dir)));
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
    expect(s.orders).toEqual([{ metric: 'ACC', higher: true, paper: ['GEM', 'EWC', 'single'], ours: ['GEM', 'single', 'EWC'] }]);
    expect(s.orderings).toEqual([]);
    // GEM's BWT has no published value: shown for information, and out of the paper-vs-ours ranking.
    expect(rowOf('GEM', 'BWT')).toMatchObject({ paper: null, verdict: 'untested' });
    expect(rowOf('GEM', 'BWT').ours.mean).toBe(0);
  });

  it('lists published learners that no result ran as "not run"', () => {
    const dir = tempDir();
    const a = write(dir, 'a', result([run('single', 0, 0.52, -0.2)], 'clbench run a'));
    const all = buildReproductions(loadResults([a]), [parseTolerance('ACC=0.04')]);
    const gem = all[0].rows.find((r) => r.learner === 'GEM')!;
    expect(gem.verdict).toBe('not run');
    expect(gem.commands).toEqual([]);
    const md = renderReproductions(all, { command: 'clbench reproductions a', rules: [parseTolerance('ACC=0.04')] });
    expect(md).toContain('Not run (no record has them): paper-x GEM, paper-x EWC.');
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
    const a = writeRecord(dir, 'a', result([run('single', 0, 0.52, -0.2), run('EWC', 0, 0.5, null), run('GEM', 0, 0.86, 0)], 'clbench run scenarios/x.json --out r'));
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, 'EWC is low because of the Fisher estimate.\n');
    const out = join(dir, 'docs', 'reproductions.md');
    const scenarios = join(dir, 'no-scenarios'); // none: only the record's scenario gets a section
    const code = await main(['node', 'clbench', 'reproductions', a, '--out', out, '--tolerance', 'ACC=0.04', '--notes', notes, '--scenarios', scenarios]);
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
    const again = renderReproductions(buildReproductions(loadRecords([a]), [parseTolerance('ACC=0.04')]), {
      command: `clbench reproductions ${a} --out ${out} --tolerance ACC=0.04 --notes ${notes} --scenarios ${scenarios}`,
      rules: [parseTolerance('ACC=0.04')],
      notes: { file: notes, text: readFileSync(notes, 'utf8') },
    });
    expect(again).toBe(md);
  });
});

// ---------------------------------------------------------------------------------------------
// Scenarios without published values: our headline metrics, and the orderings the paper reports.

const MER_LEARNERS = ['MER-500', 'ER-500', 'online', 'ER-5120'];

function continualRun(learner: string, seed: number, m: { ACC: number; BWT: number }): RunRecord {
  return {
    learner, learnerType: 'naive', options: {}, seed, status: 'completed', wallSeconds: 1,
    accuracyMatrix: [], baseline: [], lcaCurve: [], curves: [],
    metrics: { ...m, FWT: 0.01, LA: m.ACC + 0.1, forgetting: 0.05, LCA: 0.3 },
  };
}

function unpublished(runs: RunRecord[], reference: Reference | undefined, command = 'clbench run scenarios/mer.json'): RunResult {
  const base = result(runs, command);
  return {
    ...base,
    scenario: {
      ...base.scenario,
      name: 'mer-x',
      learners: MER_LEARNERS.map((name) => ({ type: 'naive', name })),
      ...(reference ? { reference } : { reference: undefined }),
    },
  };
}

const MER_REFERENCE: Reference = {
  source: 'MER, see the paper',
  values: {},
  orderings: [
    { metric: 'ACC', better: 'higher', order: ['MER-500', 'ER-500', 'online'] }, // holds
    { metric: 'BWT', better: 'closerToZero', order: ['MER-500', 'ER-500'] }, // fails: MER forgets more
    { metric: 'ACC', better: 'higher', order: ['ER-5120', 'online'] }, // ER-5120 has no run
  ],
};

const MER_RUNS = [
  continualRun('MER-500', 0, { ACC: 0.8, BWT: -0.06 }),
  continualRun('MER-500', 1, { ACC: 0.84, BWT: -0.08 }),
  continualRun('ER-500', 0, { ACC: 0.78, BWT: -0.05 }),
  continualRun('online', 0, { ACC: 0.6, BWT: -0.2 }),
];

describe('scenarios without published values', () => {
  it('shows our headline metrics for every learner that ran, with no paper value and no verdict', () => {
    const dir = tempDir();
    const a = write(dir, 'a', unpublished(MER_RUNS, MER_REFERENCE));
    const [s] = buildReproductions(loadResults([a]), [parseTolerance('ACC=0.04')]);
    // FWT is not a headline metric; ER-5120 never ran, so it has no rows but is listed.
    expect(s.rows.map((r) => `${r.learner} ${r.metric}`)).toEqual(
      ['MER-500', 'ER-500', 'online'].flatMap((l) => ['ACC', 'BWT', 'LA', 'forgetting', 'LCA'].map((m) => `${l} ${m}`)),
    );
    expect(s.rows.every((r) => r.paper === null && r.verdict === 'untested' && r.tolerance === undefined)).toBe(true);
    expect(s.unrun).toEqual(['ER-5120']);
    const mer = s.rows.find((r) => r.learner === 'MER-500' && r.metric === 'ACC')!;
    expect(mer.ours.mean).toBeCloseTo(0.82, 9);
    expect(mer.ours.n).toBe(2);

    const md = renderReproductions([s], { command: 'clbench reproductions a', rules: [parseTolerance('ACC=0.04')] });
    expect(md).toContain(`| MER-500 | ACC | ${SEE_THE_PAPER} | 0.820 ± 0.028 (n=2) | — | — | · | \`clbench run scenarios/mer.json\` |`);
    expect(md).toContain('- **No completed runs yet:** ER-5120');
    expect(md).toContain('Not run (no record has them): mer-x ER-5120.');
  });

  it('shows the adapt@k curve points and adaptAUC of a meta scenario, in step order', () => {
    const dir = tempDir();
    const metaRun = (learner: string, mse: number): RunRecord => ({
      learner, learnerType: learner, options: {}, seed: 0, status: 'completed', wallSeconds: 1,
      accuracyMatrix: [], baseline: [], lcaCurve: [], curves: [],
      metrics: { 'adapt@10': mse, 'adapt@0': 4, adaptAUC: 1.5, 'adapt@5': mse + 0.1, stepsToTarget: 3, 'adapt@1': mse + 0.5 },
    });
    const base = result([metaRun('maml', 0.3), metaRun('pretrain', 2.2)], 'clbench run scenarios/sine.json');
    const meta: RunResult = {
      ...base,
      scenario: {
        ...base.scenario,
        name: 'sine-x',
        protocol: defaultMetaProtocol,
        reference: { source: 'none at hand', values: {}, orderings: [{ metric: 'adapt@10', better: 'lower', order: ['maml', 'pretrain'] }] },
      },
      stream: { ...base.stream, kind: 'regression' },
    };
    const [s] = buildReproductions(loadResults([write(dir, 'meta', meta)]), []);
    expect(s.rows.filter((r) => r.learner === 'maml').map((r) => r.metric)).toEqual(['adapt@0', 'adapt@1', 'adapt@5', 'adapt@10', 'adaptAUC']);
    expect(s.orderings[0]).toMatchObject({ status: 'holds', violations: [] });
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- ✓ adapt@10 (lower is better): maml 0.300 ≤ pretrain 2.200');
  });

  it('names the meta runs whose fine-tuning diverged on some episodes, kept in the means', () => {
    const dir = tempDir();
    const metaRun = (seed: number, adapt10: number | null, diverged: number): RunRecord => ({
      learner: 'maml', learnerType: 'maml', options: {}, seed, status: 'completed', wallSeconds: 1,
      accuracyMatrix: [], baseline: [], lcaCurve: [], curves: [],
      metrics: { 'adapt@10': adapt10, divergedEpisodes: diverged },
    });
    const base = result([metaRun(0, 0.3, 0), metaRun(1, 5e29, 1), metaRun(2, null, 2)], 'clbench run scenarios/sine.json');
    const meta: RunResult = {
      ...base,
      scenario: { ...base.scenario, name: 'sine-x', protocol: defaultMetaProtocol, reference: { source: 'p', values: { maml: { 'adapt@10': 0.35 } } } },
      stream: { ...base.stream, kind: 'regression' },
    };
    const [s] = buildReproductions(loadResults([write(dir, 'meta', meta)]), []);
    expect(s.problems).toEqual([]);
    expect(s.divergedEpisodes).toEqual([`maml seed 1 (${join(dir, 'meta.json')}): 1 meta-test episode`, `maml seed 2 (${join(dir, 'meta.json')}): 2 meta-test episodes`]);
    // Seed 2's adapt@10 is undefined (a non-finite episode): the mean is over seeds 0 and 1.
    expect(s.rows.find((r) => r.metric === 'adapt@10')!.ours).toMatchObject({ mean: (0.3 + 5e29) / 2, n: 2 });
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('Fine-tuning diverged (`divergedEpisodes`: the score after the last step is not finite, or a loss over 1000 times the one before adapting). These runs stay in the means');
    expect(md).toContain(`- maml seed 1 (${join(dir, 'meta.json')}): 1 meta-test episode\n- maml seed 2`);

    const [clean] = buildReproductions(loadResults([write(dir, 'clean', { ...meta, runs: [metaRun(0, 0.3, 0)] })]), []);
    expect(renderReproductions([clean], { command: 'c', rules: [] })).not.toContain('Fine-tuning diverged');
  });

  it('a scenario with no reference block at all still gets its rows', () => {
    const dir = tempDir();
    const [s] = buildReproductions(loadResults([write(dir, 'a', unpublished(MER_RUNS.slice(0, 1), undefined))]), []);
    expect(s.source).toBeUndefined();
    expect(s.rows).toHaveLength(5);
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- **Published values:** none (the scenario has no `reference` block)');
    expect(md).toContain('| MER-500 | ACC | — | 0.800 (n=1) | — | — | · |');
  });
});

describe('outside anchors (reference.anchors)', () => {
  const TORCH = { label: 'torch ref', source: 'torch_reference.py mer-x, seed 0', note: 'Its BWT divides by T−1.', values: { 'MER-500': { ACC: 0.83, BWT: -0.04 }, 'ER-5120': { ACC: 0.7 } } };

  it('puts each anchor in its own column beside the paper, with a row for every anchored figure, run or not', () => {
    const dir = tempDir();
    const [s] = buildReproductions(loadResults([write(dir, 'a', unpublished(MER_RUNS, { ...MER_REFERENCE, anchors: [TORCH] }))]), []);
    const at = (learner: string, metric: string) => s.rows.find((r) => r.learner === learner && r.metric === metric)!;
    expect(at('MER-500', 'ACC').anchors).toEqual([0.83]);
    expect(at('MER-500', 'LA').anchors).toEqual([null]);
    // ER-5120 never ran: its anchored figure still gets a row, marked not run.
    expect(at('ER-5120', 'ACC')).toMatchObject({ paper: null, anchors: [0.7], verdict: 'not run' });
    expect(s.unrun).toEqual([]);

    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- **Outside anchor, “torch ref”:** torch_reference.py mer-x, seed 0 — Its BWT divides by T−1.');
    expect(md).toContain('| learner | metric | paper | torch ref | ours (mean ± std, n) | difference | tolerance | verdict | command |\n| :-- | :-- | --: | --: | --: |');
    expect(md).toContain(`| MER-500 | ACC | ${SEE_THE_PAPER} | 0.830 | 0.820 ± 0.028 (n=2) | — | — | · | \`clbench run scenarios/mer.json\` |`);
    expect(md).toContain(`| MER-500 | LA | ${SEE_THE_PAPER} | — | 0.920 ± 0.028 (n=2) |`);
    expect(md).toContain(`| ER-5120 | ACC | ${SEE_THE_PAPER} | 0.700 | — | — | — | not run | — |`);
    expect(md).toContain('**Outside anchors.**');
    expect(md).toContain('Not run (no record has them): mer-x ER-5120.');
  });

  it('an anchor given per seed shows as mean ± sample std with n, as our runs do', () => {
    const dir = tempDir();
    // ACC per seed 0.80, 0.84, 0.82: mean 0.82, sample std sqrt((0.02² + 0.02² + 0) / 2) = 0.02.
    const perSeed = { ...TORCH, source: 'torch_reference.py mer-x, seeds 0-2', values: { 'MER-500': { ACC: [0.8, 0.84, 0.82], BWT: [-0.04] } } };
    const [s] = buildReproductions(loadResults([write(dir, 'a', unpublished(MER_RUNS, { ...MER_REFERENCE, anchors: [perSeed] }))]), []);
    expect(s.rows.find((r) => r.learner === 'MER-500' && r.metric === 'ACC')!.anchors).toEqual([[0.8, 0.84, 0.82]]);
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain(`| MER-500 | ACC | ${SEE_THE_PAPER} | 0.820 ± 0.020 (n=3) | 0.820 ± 0.028 (n=2) |`);
    expect(md).toContain(`| MER-500 | BWT | ${SEE_THE_PAPER} | -0.040 (n=1) |`);
  });

  it('a scenario with no record shows its anchored figures, marked not run; one without anchors keeps its columns', () => {
    const { scenario } = unpublished(MER_RUNS, { ...MER_REFERENCE, anchors: [TORCH] });
    const [s] = buildReproductions([], [], { expected: [{ file: 'scenarios/mer-x.json', scenario }] });
    expect(s.rows.map((r) => `${r.learner} ${r.metric} ${r.anchors[0]} ${r.verdict}`)).toEqual(['MER-500 ACC 0.83 not run', 'MER-500 BWT -0.04 not run', 'ER-5120 ACC 0.7 not run']);
    expect(renderReproductions([s], { command: 'c', rules: [] })).toContain(`| MER-500 | BWT | ${SEE_THE_PAPER} | -0.040 | — | — | — | not run | — |`);

    const [plain] = buildReproductions([], [], { expected: [{ file: 'x.json', scenario: { ...scenario, reference: { source: 'p', values: { 'MER-500': { ACC: 0.8 } } } } }] });
    const md = renderReproductions([plain], { command: 'c', rules: [] });
    expect(md).toContain('| learner | metric | paper | ours (mean ± std, n) |');
    expect(md).not.toContain('Outside anchor');
  });
});

describe('orderings', () => {
  it('checks each declared ordering on the means: holds, fails, or not run', () => {
    const dir = tempDir();
    const [s] = buildReproductions(loadResults([write(dir, 'a', unpublished(MER_RUNS, MER_REFERENCE))]), []);
    const [acc, bwt, missing] = s.orderings;
    expect(acc.status).toBe('holds'); // 0.82 ≥ 0.78 ≥ 0.60
    expect(acc.learners.map((l) => l.mean)).toEqual([expect.closeTo(0.82, 9), 0.78, 0.6]);
    expect(bwt.status).toBe('fails'); // |−0.07| > |−0.05|
    expect(bwt.violations).toEqual([['MER-500', 'ER-500']]);
    expect(missing.status).toBe('not run');
    expect(missing.learners).toEqual([{ learner: 'ER-5120', mean: null }, { learner: 'online', mean: 0.6 }]);
    expect(orderingCounts([s])).toEqual({ holds: 1, fails: 1, 'not run': 1 });

    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- ✓ ACC (higher is better): MER-500 0.820 ≥ ER-500 0.780 ≥ online 0.600');
    expect(md).toContain('- ✗ BWT (closer to 0 is better): MER-500 |-0.070| ≤ ER-500 |-0.050| — **fails:** MER-500 is not as close to 0 as ER-500');
    expect(md).toContain('- not run: ACC (higher is better): ER-5120 (not run) ≥ online 0.600');
    // The overview names the failed one and the one still waiting for runs.
    expect(md).toContain('Orderings the papers report: 1 of 3 hold, 1 fail, 1 not run.');
    expect(md).toContain('Failed orderings:\n- mer-x: BWT (closer to 0 is better): MER-500 |-0.070| ≤ ER-500 |-0.050| — **fails:** MER-500 is not as close to 0 as ER-500');
    expect(md).toContain('Orderings not checked yet (learners not run): mer-x ACC (ER-5120).');
  });

  it('a learner whose runs all failed counts as not run; a tie satisfies ≥', () => {
    const dir = tempDir();
    const failed = { ...continualRun('ER-500', 1, { ACC: 0.1, BWT: 0 }), status: 'failed' as const, error: 'out of memory' };
    const reference: Reference = {
      source: 's', values: {},
      orderings: [{ metric: 'ACC', better: 'higher', order: ['ER-5120', 'online'] }, { metric: 'ACC', better: 'higher', order: ['MER-500', 'online'] }],
    };
    const runs = [{ ...failed, learner: 'ER-5120' }, continualRun('MER-500', 0, { ACC: 0.6, BWT: 0 }), continualRun('online', 0, { ACC: 0.6, BWT: 0 })];
    const [s] = buildReproductions(loadResults([write(dir, 'a', unpublished(runs, reference))]), []);
    expect(s.orderings.map((o) => o.status)).toEqual(['not run', 'holds']);
    expect(s.problems).toEqual([expect.stringMatching(/ER-5120 seed 1 .*failed: out of memory/)]);
  });

  it('the current scenario file’s reference block wins over the one recorded in the results', async () => {
    const dir = tempDir();
    // Recorded before the orderings were added to the scenario.
    const a = writeRecord(dir, 'a', unpublished(MER_RUNS, { source: 'MER, see the paper', values: {} }));
    const scenarios = join(dir, 'scenarios');
    mkdirSync(scenarios);
    writeFileSync(join(scenarios, 'mer-x.json'), JSON.stringify({
      name: 'mer-x',
      stream: { type: 'rotated-mnist', tasks: 3 },
      learners: MER_LEARNERS.map((name) => ({ type: 'naive', name, lr: 0.1 })),
      reference: { source: 'MER, see the paper (current)', orderings: [{ metric: 'ACC', better: 'higher', order: ['online', 'MER-500'] }] },
    }));
    const out = join(dir, 'r.md');
    expect(await main(['node', 'clbench', 'reproductions', a, '--out', out, '--scenarios', scenarios])).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain(`MER, see the paper (current) (reference block of \`${join(scenarios, 'mer-x.json')}\`)`);
    expect(md).toContain('- ✗ ACC (higher is better): online 0.600 ≥ MER-500 0.820 — **fails:** online is not at least MER-500');
    expect(md).toContain(`--scenarios ${scenarios}`);
    // Without a scenario file, the recorded block is used: no orderings.
    const fromResults = buildReproductions(loadRecords([a]), [], { currentScenario: () => undefined });
    expect(fromResults[0].orderings).toEqual([]);
    const current: Scenario = { ...unpublished(MER_RUNS, MER_REFERENCE).scenario };
    expect(buildReproductions(loadRecords([a]), [], { currentScenario: () => ({ file: 'x.json', scenario: current }) })[0].orderings).toHaveLength(3);
  });
});

/** A scenario file with learners MER-500 and online and the given reference fields; loading it is left to the test, which may expect a throw. */
function referenceScenario(name: string, reference: Record<string, unknown>): () => Scenario {
  const file = join(tempDir(), `${name}.json`);
  const learners = [{ type: 'naive', name: 'MER-500', lr: 0.1 }, { type: 'naive', name: 'online', lr: 0.1 }];
  writeFileSync(file, JSON.stringify({ name, stream: { type: 'rotated-mnist', tasks: 3 }, learners, reference: { source: 'paper', ...reference } }));
  return () => loadScenario(file);
}

describe('reference.orderings in scenario files', () => {
  const scenarioWith = (orderings: unknown) => ({ orderings });
  const load = (reference: Record<string, unknown>) => referenceScenario('ordered', reference);

  it('refuses an ordering that names a learner the scenario lacks, naming it', () => {
    const orderings = [{ metric: 'ACC', better: 'higher', order: ['MER-500', 'ER-500', 'online'] }];
    expect(load(scenarioWith(orderings))).toThrow(
      /ordered\.json: invalid scenario:\n {2}reference\.orderings\[0\]\.order\[1\]: 'ER-500' is not a learner of this scenario; labels: MER-500, online/,
    );
  });

  it('requires the direction and at least two distinct learners; values default to none', () => {
    expect(load(scenarioWith([{ metric: 'ACC', order: ['MER-500', 'online'] }]))).toThrow(/reference\.orderings\[0\]\.better: is required/);
    expect(load(scenarioWith([{ metric: 'ACC', better: 'up', order: ['MER-500', 'online'] }]))).toThrow(/better: "up" is not allowed; choose one of: "higher", "lower", "closerToZero"/);
    expect(load(scenarioWith([{ metric: 'ACC', better: 'higher', order: ['online'] }]))).toThrow(/order: must NOT have fewer than 2 items/);
    const ok = load(scenarioWith([{ metric: 'ACC', better: 'higher', order: ['MER-500', 'online'] }]))();
    expect(ok.reference).toEqual({ source: 'paper', values: {}, orderings: [{ metric: 'ACC', better: 'higher', order: ['MER-500', 'online'] }] });
  });

  it('the shipped scenarios declare the orderings of their papers', () => {
    const orderings = (name: string) => loadScenario(`scenarios/${name}.json`).reference?.orderings;
    expect(orderings('mer-mnist-rotations')).toEqual([
      { metric: 'ACC', better: 'higher', order: ['MER-500', 'ER-500', 'online'] },
      { metric: 'BWT', better: 'closerToZero', order: ['MER-500', 'ER-500'] },
    ]);
    expect(orderings('lamaml-mnist-permutations')).toEqual([{ metric: 'ACC', better: 'higher', order: ['La-MAML', 'C-MAML'] }]);
    expect(orderings('maml-sine')).toEqual([{ metric: 'adapt@10', better: 'lower', order: ['maml', 'pretrain'] }]);
    expect(orderings('few-shot-mnist')).toEqual([{ metric: 'adapt@10', better: 'higher', order: ['maml', 'pretrain'] }]);
    expect(orderings('stability-gap-rotated-mnist')).toEqual([
      { metric: 'ACC', better: 'higher', order: ['joint', 'er'] },
      { metric: 'minACC', better: 'higher', order: ['joint', 'er'] },
    ]);
  });
});

describe('reference.anchors in scenario files', () => {
  const scenarioWith = (anchors: unknown) => ({ anchors });
  const load = (reference: Record<string, unknown>) => referenceScenario('anchored', reference);
  const anchor = { label: 'torch ref', source: 'torch_reference.py', values: { 'MER-500': { ACC: 0.821 } } };

  it('refuses a malformed anchor, naming the field at fault', () => {
    expect(load(scenarioWith([{ ...anchor, label: undefined }]))).toThrow(/reference\.anchors\[0\]\.label: is required/);
    expect(load(scenarioWith([{ ...anchor, values: { 'MER-500': { ACC: '0.821' } } }]))).toThrow(/reference\.anchors\[0\]\.values\.MER-500\.ACC: must be number,array \(got "0\.821"\)/);
    expect(load(scenarioWith([{ ...anchor, values: { 'MER-500': { ACC: [0.82, '0.83'] } } }]))).toThrow(/reference\.anchors\[0\]\.values\.MER-500\.ACC\[1\]: must be number \(got "0\.83"\)/);
    expect(load(scenarioWith([{ ...anchor, values: { 'MER-500': { ACC: [] } } }]))).toThrow(/reference\.anchors\[0\]\.values\.MER-500\.ACC: must NOT have fewer than 1 items/);
    expect(load(scenarioWith([{ ...anchor, url: 'x' }]))).toThrow(/reference\.anchors\[0\]\.url: unknown field/);
    expect(load(scenarioWith([{ ...anchor, values: {} }]))).toThrow(/reference\.anchors\[0\]\.values: must NOT have fewer than 1 properties/);
    expect(load(scenarioWith([{ ...anchor, values: { 'ER-500': { ACC: 0.8 } } }]))).toThrow(
      /anchored\.json: invalid scenario:\n {2}reference\.anchors\[0\]\.values\.ER-500: 'ER-500' is not a learner of this scenario; labels: MER-500, online/,
    );
  });

  it('keeps a well-formed anchor as written, a figure per seed as a list', () => {
    expect(load(scenarioWith([anchor]))().reference).toEqual({ source: 'paper', values: {}, anchors: [anchor] });
    const perSeed = { ...anchor, values: { 'MER-500': { ACC: [0.82, 0.83, 0.81], BWT: -0.04 } } };
    expect(load(scenarioWith([perSeed]))().reference).toEqual({ source: 'paper', values: {}, anchors: [perSeed] });
  });
});

describe('not-run statements (--not-run)', () => {
  const statementsFile = (dir: string, value: unknown) => {
    const file = join(dir, 'not-run.json');
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('shows the reason where the runs would be, and moves the learner out of the unexplained list', () => {
    const dir = tempDir();
    const a = write(dir, 'a', unpublished(MER_RUNS, MER_REFERENCE));
    const [s] = buildReproductions(loadResults([a]), [], { notRun: [{ scenario: 'mer-x', learners: ['ER-5120'], why: 'Twenty hours a seed on two cores.' }] });
    expect(s.unrun).toEqual([]);
    expect(s.explained).toEqual([{ learners: ['ER-5120'], why: 'Twenty hours a seed on two cores.' }]);
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- **Not run here:** ER-5120: Twenty hours a seed on two cores.');
    expect(md).toContain('Learners not run, for the reason their section gives: mer-x ER-5120.');
    expect(md).not.toContain('Not run (no record has them)');
  });

  it('a scenario with no record states its reason before the rerun commands, and the overview says it has one', () => {
    const { scenario } = unpublished(MER_RUNS, MER_REFERENCE);
    const expected = [{ file: 'scenarios/mer-x.json', scenario }];
    const [s] = buildReproductions([], [], { expected, notRun: [{ scenario: 'mer-x', why: 'It needs a GPU week' }] });
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain('- **Our runs:** not run in this checkout: It needs a GPU week. Run and record it with `clbench run scenarios/mer-x.json');
    expect(md).toContain('Not run in this checkout, for the reason its section gives: mer-x.');
    expect(md).not.toContain('(no committed record)');
    const [plain] = buildReproductions([], [], { expected });
    expect(renderReproductions([plain], { command: 'c', rules: [] })).toContain('Not run in this checkout (no committed record): mer-x.');
  });

  it('refuses statements the records contradict or that name what does not exist', () => {
    const dir = tempDir();
    const loaded = loadResults([write(dir, 'a', unpublished(MER_RUNS, MER_REFERENCE))]);
    const build = (scenario: string, learners?: string[]) => () => buildReproductions(loaded, [], { notRun: [{ scenario, ...(learners ? { learners } : {}), why: 'w' }] });
    expect(build('mer-x', ['MER-500'])).toThrow(/'mer-x' MER-500 is said not to be run, but .*a\.json has a completed run of it/);
    expect(build('mer-x')).toThrow(/'mer-x' is said not to be run, but it has records/);
    expect(build('mer-x', ['ER-9'])).toThrow(/'mer-x' has no learner 'ER-9'/);
    expect(build('mer-y', ['ER-5120'])).toThrow(/no reproduction is named 'mer-y' \(known: mer-x\)/);
    const { scenario } = unpublished(MER_RUNS, MER_REFERENCE);
    expect(() => buildReproductions([], [], { expected: [{ file: 'x.json', scenario }], notRun: [{ scenario: 'mer-x', learners: ['ER-5120'], why: 'w' }] })).toThrow(
      /'mer-x' has no record at all: say why for the whole scenario/,
    );
  });

  it('the CLI reads the file, names the field at fault, and writes the flag into the regenerate command', async () => {
    const dir = tempDir();
    const a = writeRecord(dir, 'a', unpublished(MER_RUNS, MER_REFERENCE));
    const out = join(dir, 'page.md');
    const args = (file: string) => ['node', 'clbench', 'reproductions', a, '--out', out, '--not-run', file, '--scenarios', join(dir, 'none')];
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    try {
      expect(await main(args(statementsFile(dir, [{ scenario: 'mer-x', learners: ['ER-5120'] }])))).not.toBe(0);
      expect(stderr.join('')).toMatch(/not-run\.json: invalid not-run statements .*\n.*why/);
      stderr.length = 0;
      expect(await main(args(statementsFile(dir, [{ scenario: 'mer-x', learners: ['ER-5120'], why: 'a' }, { scenario: 'mer-x', learners: ['ER-5120'], why: 'b' }])))).not.toBe(0);
      expect(stderr.join('')).toContain('[1]: mer-x ER-5120 is already covered by an earlier statement');
      const file = statementsFile(dir, [{ scenario: 'mer-x', learners: ['ER-5120'], why: 'Too long here.' }]);
      expect(await main(args(file))).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const md = readFileSync(out, 'utf8');
    expect(md).toContain(`--not-run ${join(dir, 'not-run.json')} --scenarios`);
    expect(md).toContain('- **Not run here:** ER-5120: Too long here.');
  });
});

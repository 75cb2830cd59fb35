import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadResults, scenarioFingerprint } from '../../src/report/load-results.js';
import { absolutePaths, recordFromResult, relativeCommand, repositoryRoot } from '../../src/report/records/from-result.js';
import { loadRecords, readRecordFile } from '../../src/report/records/read.js';
import { recordName, recordText, writeRecords } from '../../src/report/records/write.js';
import { NO_RECORD, buildReproductions, parseTolerance, renderReproductions } from '../../src/report/reproductions.js';
import type { RunRecord, RunResult } from '../../src/runner/result.js';
import { summarizeRuns } from '../../src/runner/summarize.js';
import { loadScenario } from '../../src/scenario/load.js';
import { defaultProtocol } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';

const ROOT = '/home/ana/clbench';

function run(learner: string, seed: number, acc: number): RunRecord {
  return {
    learner, learnerType: 'naive', options: { lr: 0.1 }, seed, status: 'completed', wallSeconds: 12.345678,
    taskIds: ['r0', 'r90'],
    accuracyMatrix: [[0.9, 0.1234567891], [0.7, acc]],
    taskILAccuracyMatrix: [[1, 0.5], [0.95, 0.99]],
    baseline: [0.1, 0.0987654321],
    lcaCurve: [0.1, 0.33333333333333331, 0.5],
    curves: [{ step: 0, afterTask: 0, batchInTask: 0, evalTask: 0, accuracy: 0.1, loss: 2.3 }],
    evalSubset: { size: 2, indices: [[0, 1], [3, 4]] },
    stabilityGaps: [{ task: 1, atSwitch: 0.8999999999999999, depth: 0.06300000000000006, lowestAfter: 4, recovery: null }],
    metrics: { ACC: (0.7 + acc) / 2, BWT: -0.2, 'ACC-taskIL': 0.97 },
  };
}

function result(runs: RunRecord[], command = `clbench run scenarios/paper-y.json --out ${ROOT}/reports/reproductions/paper-y -q`): RunResult {
  return {
    clbench: '0.1.0', createdAt: '2026-01-01T00:00:00Z', command, complete: true, backend: 'wasm',
    versions: { clbench: '0.1.0', 'tfjs-core': '4.22.0' },
    scenario: {
      name: 'paper-y', description: 'Two rotations.',
      stream: { type: 'rotated-mnist', tasks: 2, path: '/data/mnist' },
      model: { type: 'mlp' }, protocol: defaultProtocol,
      learners: [{ type: 'naive', name: 'SGD', lr: 0.1 }, { type: 'naive', name: 'ER 500', lr: 0.1 }],
      seeds: [0, 1],
      metrics: { normalization: 'T', lcaRule: 'mean' },
      reference: { source: 'Paper Y, Table 2', values: { SGD: { ACC: 0.5 }, 'ER 500': { ACC: 0.8 } } },
    },
    stream: { type: 'rotated-mnist', numTasks: 2, inputShape: [784], outputSize: 10, heads: 1, kind: 'classification', description: 'two rotations' },
    taskIds: ['r0', 'r90'],
    metricOptions: { normalization: 'T', lcaBeta: 10, lcaRule: 'mean' },
    runs,
    summary: summarizeRuns(runs),
  };
}

const RUNS = [run('SGD', 0, 0.3), run('SGD', 1, 0.32), run('ER 500', 0, 0.85)];

/** A result.json at <repo>/reports/reproductions/<folder>/result.json of a fake checkout (a `.git` folder). */
function resultInRepo(value: RunResult, folder = 'paper-y'): { repo: string; file: string } {
  const repo = tempDir();
  mkdirSync(join(repo, '.git'));
  const dir = join(repo, 'reports', 'reproductions', folder);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'result.json');
  writeFileSync(file, JSON.stringify({ ...value, command: value.command?.replaceAll(ROOT, repo) }));
  return { repo, file };
}

describe('recordFromResult', () => {
  const record = recordFromResult(result(RUNS), `${ROOT}/reports/reproductions/paper-y/result.json`, ROOT);

  it('keeps settings, versions, matrices and metrics; drops curves, evaluation subset, summary and the data path', () => {
    expect(record).toMatchObject({
      format: 'clbench reproduction record', version: 1, source: 'reports/reproductions/paper-y/result.json',
      backend: 'wasm', versions: { clbench: '0.1.0', 'tfjs-core': '4.22.0' }, complete: true, taskIds: ['r0', 'r90'],
    });
    expect(record.fingerprint).toBe(scenarioFingerprint(result(RUNS)));
    expect(record.scenario.stream).toEqual({ type: 'rotated-mnist', tasks: 2 });
    expect('summary' in record).toBe(false);
    const [first] = record.runs;
    expect(Object.keys(first).sort()).toEqual(
      ['accuracyMatrix', 'baseline', 'lcaCurve', 'learner', 'learnerType', 'metrics', 'options', 'seed', 'stabilityGaps', 'status', 'taskILAccuracyMatrix', 'wallSeconds'],
    );
  });

  it('rounds the matrices and curves to 1e-6 and keeps the metrics exact', () => {
    const [first] = record.runs;
    expect(first.accuracyMatrix).toEqual([[0.9, 0.123457], [0.7, 0.3]]);
    expect(first.taskILAccuracyMatrix).toEqual([[1, 0.5], [0.95, 0.99]]);
    expect(first.baseline).toEqual([0.1, 0.098765]);
    expect(first.lcaCurve).toEqual([0.1, 0.333333, 0.5]);
    expect(first.stabilityGaps).toEqual([{ task: 1, atSwitch: 0.9, depth: 0.063, lowestAfter: 4, recovery: null }]);
    expect(first.wallSeconds).toBe(12.346);
    expect(first.metrics).toEqual(RUNS[0].metrics);
  });

  it('writes the command with paths relative to the repository it ran in', () => {
    expect(record.command).toBe('clbench run scenarios/paper-y.json --out reports/reproductions/paper-y -q');
    expect(relativeCommand(`clbench run ${ROOT}/scenarios/x.json --out=${ROOT}/reports/x --set stream.path=${ROOT}/data/f`, ROOT)).toBe(
      'clbench run scenarios/x.json --out=reports/x --set stream.path=data/f',
    );
    // Outside the repository a path stays as it is, and is reported.
    const outside = relativeCommand(`clbench run ${ROOT}-old/s.json --set stream.path=/usr/share/datasets/fashion-mnist`, ROOT);
    expect(outside).toBe(`clbench run ${ROOT}-old/s.json --set stream.path=/usr/share/datasets/fashion-mnist`);
    expect(absolutePaths(outside)).toEqual([`${ROOT}-old/s.json`, '/usr/share/datasets/fashion-mnist']);
  });

  it('keeps a meta run’s adaptation curve (rounded) among its metrics, and drops its meta-training curve', () => {
    const point = (steps: number, mean: number) => ({ steps, mean, ci95: 0.0512644366274857, n: 600 });
    const meta: RunRecord = {
      ...run('maml', 0, 0.3), accuracyMatrix: [], taskILAccuracyMatrix: undefined, baseline: [], lcaCurve: [], stabilityGaps: undefined,
      metrics: {
        'adapt@0': 3.030957850848014, 'adapt@1': 0.5721792011832197, adaptAUC: 0.5598073534275949,
        adaptationCurve: [point(0, 3.030957850848014), point(1, 0.5721792011832197)],
        metaCurve: [{ iteration: 0, ...point(0, 4.5) }],
      } as unknown as RunRecord['metrics'],
    };
    const file = join(tempDir(), 'meta.json');
    writeFileSync(file, recordText(recordFromResult(result([meta]), 'r.json', ROOT)));
    const [{ result: back }] = loadRecords([file]);
    expect(back.runs[0].metrics).toEqual({
      'adapt@0': 3.030957850848014, 'adapt@1': 0.5721792011832197, adaptAUC: 0.5598073534275949,
      adaptationCurve: [{ steps: 0, mean: 3.030958, ci95: 0.051264, n: 600 }, { steps: 1, mean: 0.572179, ci95: 0.051264, n: 600 }],
    });
  });

  it('keeps a curve point’s non-finite count, and a point with no finite episode stays without a mean', () => {
    const meta: RunRecord = {
      ...run('maml', 0, 0.3), accuracyMatrix: [], taskILAccuracyMatrix: undefined, baseline: [], lcaCurve: [], stabilityGaps: undefined,
      metrics: {
        'adapt@0': 3, 'adapt@1': null, divergedEpisodes: 2,
        adaptationCurve: [{ steps: 0, mean: 3, ci95: 0, n: 2, nonFinite: 0 }, { steps: 1, mean: NaN, ci95: NaN, n: 0, nonFinite: 2 }],
      } as unknown as RunRecord['metrics'],
    };
    const file = join(tempDir(), 'meta.json');
    writeFileSync(file, recordText(recordFromResult(result([meta]), 'r.json', ROOT)));
    const [{ result: back }] = loadRecords([file]);
    expect(back.runs[0].metrics).toEqual({
      'adapt@0': 3, 'adapt@1': null, divergedEpisodes: 2,
      adaptationCurve: [{ steps: 0, mean: 3, ci95: 0, n: 2, nonFinite: 0 }, { steps: 1, mean: null, ci95: null, n: 0, nonFinite: 2 }],
    });
  });

  it('keeps a run’s task ids only where they differ from the result’s', () => {
    const own = recordFromResult(result([{ ...run('SGD', 0, 0.3), taskIds: ['r0', 'r45'] }]), 'r.json', ROOT);
    expect(own.runs[0].taskIds).toEqual(['r0', 'r45']);
    expect(record.runs[0].taskIds).toBeUndefined();
  });
});

describe('writing and reading records', () => {
  it('names each record after its result folder, under its scenario, and reads back the same rows', () => {
    const { repo, file } = resultInRepo(result(RUNS), 'paper-y-er');
    const into = join(repo, 'reproductions', 'records');
    const [written] = writeRecords(loadResults([join(repo, 'reports')]), { into });
    expect(written.file).toBe(join(into, 'paper-y', 'paper-y-er.json'));
    expect(written.record.command).toBe('clbench run scenarios/paper-y.json --out reports/reproductions/paper-y -q');
    expect(readFileSync(written.file, 'utf8')).toBe(recordText(written.record));

    // The page's rows from the record are the rows from the result itself.
    const rules = [parseTolerance('ACC=0.04')];
    const fromRecord = buildReproductions(loadRecords([into]), rules)[0];
    const fromResult = buildReproductions(loadResults([file]), rules)[0];
    expect(fromRecord.rows.map(({ commands: _c, ...r }) => r)).toEqual(fromResult.rows.map(({ commands: _c, ...r }) => r));
    expect(fromRecord.rows[0].commands).toEqual([written.record.command]);
    expect(fromRecord.files).toEqual([written.file]);
  });

  it('writes short matrices on one line and each row of a long one on its own, and parses back to the record', () => {
    const record = recordFromResult(result(RUNS), 'r.json', ROOT);
    const text = recordText(record);
    expect(text).toContain('"accuracyMatrix": [[0.9, 0.123457], [0.7, 0.3]]');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(record);

    const row = (i: number) => Array.from({ length: 100 }, (_, j) => (i + j) / 1000);
    const wide = { ...record, runs: [{ ...record.runs[0], accuracyMatrix: [row(0), row(1), row(2)] }] };
    const lines = recordText(wide).split('\n');
    const first = lines.findIndex((l) => l.trim() === '"accuracyMatrix": [');
    expect(lines.slice(first + 1, first + 4).map((l) => l.trim())).toEqual([0, 1, 2].map((i) => `[${row(i).join(', ')}]${i < 2 ? ',' : ''}`));
    expect(lines[first + 4].trim()).toBe('],');
  });

  it('refuses two results that would share a record, and --name for several', () => {
    const a = resultInRepo(result(RUNS), 'same');
    const b = resultInRepo(result(RUNS), 'same');
    const into = join(tempDir(), 'records');
    expect(() => writeRecords(loadResults([a.file, b.file]), { into })).toThrow(/would both be recorded as .*same\.json; record them one at a time with --name/);
    expect(() => writeRecords(loadResults([a.file, b.file]), { into, name: 'x' })).toThrow(/--name names one record, but 2 result files were given/);
    expect(() => writeRecords(loadResults([a.file]), { into, name: '../x' })).toThrow(/--name '\.\.\/x': use letters/);
    expect(writeRecords(loadResults([a.file]), { into, name: 'er-s0' })[0].file).toBe(join(into, 'paper-y', 'er-s0.json'));
  });

  it('records only some learners’ runs (--learners, --except), so a learner rerun apart can have its own record', async () => {
    const { repo, file } = resultInRepo(result(RUNS), 'paper-y-s0');
    const rerun = resultInRepo(result([run('ER 500', 0, 0.9)]), 'paper-y-er');
    const into = join(repo, 'records');
    const kept = writeRecords(loadResults([file]), { into, except: ['ER 500'] })[0].record;
    expect(kept.runs.map((r) => `${r.learner} ${r.seed}`)).toEqual(['SGD 0', 'SGD 1']);
    expect(kept.command).toBe('clbench run scenarios/paper-y.json --out reports/reproductions/paper-y -q');
    expect(writeRecords(loadResults([file]), { into: tempDir(), learners: ['ER 500'] })[0].record.runs.map((r) => r.learner)).toEqual(['ER 500']);
    // With both records, every (learner, seed) is in one of them: the page takes ER 500 from the rerun.
    writeRecords(loadResults([rerun.file]), { into });
    const rows = buildReproductions(loadRecords([into]), [parseTolerance('ACC=0.04')])[0].rows;
    expect(rows.find((r) => r.learner === 'ER 500')!.ours.mean).toBeCloseTo(0.8, 6);

    expect(() => writeRecords(loadResults([file]), { into, learners: ['ER 500'], except: ['SGD'] })).toThrow(/--learners and --except: give one of them/);
    expect(() => writeRecords(loadResults([file]), { into, except: ['ER 200'] })).toThrow(/--except: 'ER 200' ran in none of the results; they ran: SGD, ER 500/);
    expect(() => writeRecords(loadResults([rerun.file]), { into, except: ['ER 500'] })).toThrow(/--except: no run of .*paper-y-er.*result\.json is left to record/);

    const cli = await mainStderr(['node', 'clbench', 'reproductions', 'record', file, '--into', tempDir(), '--learners', 'SGD, ER 500']);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toMatch(/paper-y-s0\.json \(3 runs, /);
    const refused = await mainStderr(['node', 'clbench', 'reproductions', 'record', file, '--into', tempDir(), '--except', 'SGD,ER 500']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--except: no run of .* is left to record/);
  });

  it('finds the repository of a result by its .git, and names records after result files', () => {
    const { repo, file } = resultInRepo(result(RUNS));
    expect(repositoryRoot(file)).toBe(repo);
    expect(recordName('reports/reproductions/der-seq-mnist-er/result.json')).toBe('der-seq-mnist-er');
    expect(recordName('runs/my run.json')).toBe('my-run');
  });
});

describe('a malformed record', () => {
  function recordFile(edit: (record: Record<string, unknown>) => void): string {
    const record = JSON.parse(recordText(recordFromResult(result(RUNS), 'r.json', ROOT))) as Record<string, unknown>;
    edit(record);
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify(record));
    return file;
  }
  const runs = (record: Record<string, unknown>) => record.runs as Record<string, unknown>[];

  it('is refused with the file and every field at fault', () => {
    const file = recordFile((r) => {
      (runs(r)[0].metrics as Record<string, unknown>).ACC = 'high';
      delete runs(r)[1].seed;
      runs(r)[2].curves = [];
      r.version = 2;
    });
    let message = '';
    try {
      readRecordFile(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${file}: invalid reproduction record:`);
    expect(message).toContain('version: must be 1 (got 2)');
    expect(message).toContain('runs[0].metrics.ACC: must be number,null (got "high")');
    expect(message).toContain('runs[1].seed: is required');
    expect(message).toContain('runs[2].curves: unknown field');
  });

  it('is refused when its settings no longer match its fingerprint', () => {
    const file = recordFile((r) => {
      (r.scenario as { protocol: Record<string, unknown> }).protocol.batchSize = 64;
    });
    expect(() => readRecordFile(file)).toThrow(/bad\.json: fingerprint: '[0-9a-f]{12}' is not that of the recorded settings .*changed after recording/);
  });

  it('a result.json given instead of a record, or a missing path, says what to do', () => {
    const { file } = resultInRepo(result(RUNS));
    expect(() => loadRecords([file])).toThrow(`${file}: this is a result.json, not a reproduction record; record it first: clbench reproductions record ${file}`);
    expect(() => loadRecords(['no/such/records'])).toThrow('no/such/records: no such record file or folder');
    expect(loadRecords([tempDir()])).toEqual([]); // an empty folder: no records yet, no error
  });
});

describe('records made before their scenario file changed', () => {
  it('are named on the page with each setting that changed, and in the overview', () => {
    // Recorded from a run of the file as it was (resolved with its defaults, as a run records it)…
    const scenarios = join(tempDir(), 'scenarios');
    mkdirSync(scenarios);
    const file = join(scenarios, 'paper-y.json');
    const { scenario: original } = result(RUNS);
    writeFileSync(file, JSON.stringify({ ...original, model: { type: 'mlp', hidden: [100, 100] } }));
    const then = loadScenario(file);
    const optionsOf = (label: string) => {
      const { type: _t, name: _n, ...options } = then.learners.find((l) => l.name === label)!;
      return options;
    };
    const runs = RUNS.map((r) => ({ ...r, options: optionsOf(r.learner) }));
    const { repo } = resultInRepo({ ...result(runs), scenario: then });
    const into = join(repo, 'records');
    writeRecords(loadResults([join(repo, 'reports')]), { into });
    const unchanged = buildReproductions(loadRecords([into]), [], { currentScenario: () => ({ file, scenario: then }) });
    expect(unchanged[0].changed).toEqual([]);

    // …then SGD's learning rate and the model changed, and ER 500 was dropped.
    writeFileSync(file, JSON.stringify({ ...original, model: { type: 'mlp', hidden: [50] }, learners: [{ type: 'naive', name: 'SGD', lr: 0.03 }] }));
    const current = { file, scenario: loadScenario(file) };
    const [s] = buildReproductions(loadRecords([into]), [], { currentScenario: () => current });
    expect(s.changed).toEqual(['model: hidden [100,100] (now [50])', 'SGD: lr 0.1 (now 0.03)', 'ER 500: no longer a learner of the scenario']);
    const md = renderReproductions([s], { command: 'c', rules: [] });
    expect(md).toContain(
      `- **Recorded with settings \`${file}\` no longer has** (rerun and record again): model: hidden [100,100] (now [50]); SGD: lr 0.1 (now 0.03); ER 500: no longer a learner of the scenario`,
    );
    expect(md).toContain('Records made with settings their scenario file no longer has: paper-y.');
  });
});

describe('scenarios without a record', () => {
  it('keep their section: description, published values marked not run, and the line that says why', () => {
    const scenario = loadScenario('scenarios/agem-permuted-mnist.json');
    const all = buildReproductions([], [parseTolerance('ACC=0.03')], { expected: [{ file: 'scenarios/agem-permuted-mnist.json', scenario }] });
    expect(all).toHaveLength(1);
    const [s] = all;
    expect(s.files).toEqual([]);
    expect(s.rows.every((r) => r.verdict === 'not run' && r.ours.mean === null)).toBe(true);
    expect(s.rows.find((r) => r.learner === 'VAN' && r.metric === 'ACC')).toMatchObject({ paper: 0.479, tolerance: 0.03 });
    expect(s.unrun).toEqual([]); // said once for the scenario, not per learner
    const md = renderReproductions(all, { command: 'c', rules: [parseTolerance('ACC=0.03')] });
    expect(md).toContain(
      `- **Our runs:** ${NO_RECORD}. Run and record it with \`clbench run scenarios/agem-permuted-mnist.json --out reports/reproductions/agem-permuted-mnist\`, then \`clbench reproductions record reports/reproductions/agem-permuted-mnist\`.\n`,
    );
    expect(md).toContain('| VAN | ACC | 0.479 | — | — | ±0.03 | not run | — |');
    expect(md).toContain('Not run in this checkout (no committed record): agem-permuted-mnist.');
    expect(md).toContain(scenario.description!.slice(0, 40));
    expect(md).not.toContain('**Records:**');
    expect(md).not.toContain('Not run (no record has them)');
  });
});

/** What `main(argv)` wrote to stderr, and its exit code. */
async function mainStderr(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => chunks.push(String(chunk)) > 0);
  try {
    return { code: await main(argv), stderr: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('clbench reproductions record, then the page, then --check', () => {
  it('records a result, builds the page from the record, and checks the page against it', async () => {
    const { repo } = resultInRepo({ ...result(RUNS), complete: false }, 'paper-y');
    const into = join(repo, 'records');
    const recorded = await mainStderr(['node', 'clbench', 'reproductions', 'record', join(repo, 'reports'), '--into', into]);
    expect(recorded.code).toBe(0);
    expect(recorded.stderr).toMatch(/^recorded reports\/reproductions\/paper-y\/result\.json → .*paper-y\.json \(3 runs, \d+\.\d KiB\)\n/);
    expect(recorded.stderr).toContain('note: complete is false: the run was still going or was interrupted; record it again when it ends');
    const recordFile = join(into, 'paper-y', 'paper-y.json');
    expect(JSON.parse(readFileSync(recordFile, 'utf8'))).toMatchObject({ format: 'clbench reproduction record', source: 'reports/reproductions/paper-y/result.json' });

    const out = join(repo, 'page.md');
    const args = ['node', 'clbench', 'reproductions', into, '--out', out, '--scenarios', join(repo, 'scenarios')];
    expect(await main(args)).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('| ER 500 | ACC | 0.800 | 0.775 (n=1) | −0.025 | ±0.04 | ✓ | `clbench run scenarios/paper-y.json --out reports/reproductions/paper-y -q` |');
    expect(page).toContain(`- **Records:** \`${recordFile}\``);
    expect(await main([...args, '--check'])).toBe(0);

    writeFileSync(out, page.replace('0.775 (n=1)', '0.780 (n=1)'));
    const stale = await mainStderr([...args, '--check']);
    expect(stale.code).toBe(2);
    const line = page.split('\n').findIndex((l) => l.includes('0.775 (n=1)')) + 1;
    expect(stale.stderr).toContain(`${out} is not what the records give; first difference at line ${line}:\n  ${out}: | ER 500 | ACC | 0.800 | 0.780 (n=1)`);
    expect(stale.stderr).toContain('\n  records: | ER 500 | ACC | 0.800 | 0.775 (n=1)');
    expect(stale.stderr).toContain(`regenerate it with: clbench reproductions ${into} --out ${out}`);
    expect(readFileSync(out, 'utf8')).toContain('0.780 (n=1)'); // --check writes nothing
  });
});

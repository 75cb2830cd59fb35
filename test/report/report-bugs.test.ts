import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { summarizeRuns } from '../../src/metrics/summarize.js';
import type { RunResult } from '../../src/runner/result.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { bestLearners, describeProblem } from '../../src/report/format.js';
import { latexTable } from '../../src/report/latex.js';
import { singleGroup } from '../../src/report/load-results.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';
import { fixtureResult, fixtureRuns, PIPE_LEARNER } from './fixture.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const readResult = (dir: string) => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;

describe('task labels when every seed draws its own tasks', () => {
  it('labels columns by position, and keeps each run its own task ids', async () => {
    const scenario = tinyScenario({ stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 30, testPerTask: 30 }, seeds: [0, 1] });
    const out = tempDir();
    await runScenario(scenario, { outDir: out, backend });
    const result = readResult(out);
    const [seed0, seed1] = result.runs.map((r) => r.taskIds!);
    expect(seed0).toHaveLength(2);
    expect(seed0).not.toEqual(seed1); // each seed drew its own angles
    expect(result.taskIds).toEqual(['task 0', 'task 1']); // not seed 0's angles
    const markdown = renderMarkdown(result);
    expect(markdown).toContain('| after \\ on | task 0 | task 1 |');
    expect(markdown).not.toContain(seed0[1]);
  });

  it('keeps the stream ids when the stream is pinned by stream.seed', async () => {
    const scenario = tinyScenario({ stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 30, testPerTask: 30, seed: 5 }, seeds: [0, 1] });
    const out = tempDir();
    await runScenario(scenario, { outDir: out, backend });
    const result = readResult(out);
    expect(result.runs[0].taskIds).toEqual(result.runs[1].taskIds);
    expect(result.taskIds).toEqual(result.runs[0].taskIds);
    expect(result.taskIds[0]).toMatch(/deg/);
  });
});

describe('a diverged run, as merged from result.json', () => {
  it('says "loss NaN" as the run did, not "loss non-finite"', async () => {
    const scenario = tinyScenario({ learners: [{ type: 'naive', lr: 1e30 }], seeds: [0] });
    const out = tempDir();
    const live = await runScenario(scenario, { outDir: out, backend });
    const inRun = describeProblem(live.runs[0], live.taskIds);
    expect(inRun).toMatch(/^diverged at task 0 \(rotation-[\d.]+deg\), step \d+ \(loss (NaN|Infinity|-Infinity)\)$/);
    const merged = readResult(out);
    expect(merged.runs[0].diverged!.loss).toBe(String(live.runs[0].diverged!.loss));
    expect(describeProblem(merged.runs[0], merged.taskIds)).toBe(inRun);
  });

  it('reads results written before the loss was kept as text (null) as "non-finite"', () => {
    const run = { ...fixtureRuns()[3], diverged: { task: 1, step: 57, loss: null } };
    expect(describeProblem(run, ['a', 'b', 'c'])).toBe('diverged at task 1 (b), step 57 (loss non-finite)');
  });
});

describe('ties on a metric', () => {
  it('bolds no learner in a column where all of them tie, and still bolds a partial tie', () => {
    const runs = fixtureRuns().map((run) => ({ ...run, metrics: { ...run.metrics, FWT: run.metrics.ACC === null ? null : 0.05 } }));
    const result = fixtureResult({ runs, summary: summarizeRuns(runs) });
    expect(bestLearners(result, 'FWT')).toEqual(new Set());
    const tex = latexTable(singleGroup(result));
    const naive = tex.split('\n').find((l) => l.trim().startsWith('naive &'))!;
    const ewc = tex.split('\n').find((l) => l.trim().startsWith('ewc \\textbar{}'))!;
    expect(naive).toContain('$0.050 \\pm 0.000$'); // FWT: every learner 0.050, none bold
    expect(ewc).toContain('$0.050$');
    expect(ewc).toContain('$\\mathbf{0.800}$'); // ACC still has a best

    const tied = fixtureRuns().map((run) => (run.learner === PIPE_LEARNER ? run : { ...run, metrics: { ...run.metrics, ACC: 0.8 } }));
    const three = [...tied, { ...tied[0], learner: 'third', metrics: { ...tied[0].metrics, ACC: 0.1 } }];
    expect(bestLearners(fixtureResult({ runs: three, summary: summarizeRuns(three) }), 'ACC')).toEqual(new Set(['naive', PIPE_LEARNER]));
  });
});

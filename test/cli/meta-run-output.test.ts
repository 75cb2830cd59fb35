import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { ScenarioProgress } from '../../src/cli/progress.js';
import { renderConsoleSummary } from '../../src/report/console-summary.js';
import { MISSING, formatStepsToTarget } from '../../src/report/format.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

/** A meta-learning scenario that runs in well under a second: 6 meta-iterations on sines. */
function metaScenario(adaptTarget: number): Scenario {
  return resolveScenario({
    name: 'cli-meta',
    stream: { type: 'sine', shots: 5, testQueries: 10 },
    model: { type: 'mlp', hidden: [10] },
    protocol: { kind: 'meta', metaIterations: 6, metaBatch: 2, evalEvery: 3, evalEpisodes: 4, interimEpisodes: 2, adaptSteps: 2, adaptTarget },
    learners: [{ type: 'maml', innerLr: 0.01 }],
    seeds: [0],
  });
}

/** The summary table's cells by column name, for the row of `learner`. */
function summaryRow(text: string, learner: string): Record<string, string> {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('learner '))!.split(/\s{2,}/);
  const row = lines.find((l) => l.startsWith(`${learner} `))!.split(/\s{2,}/);
  return Object.fromEntries(header.map((h, i) => [h, row[i]]));
}

describe('clbench run output for a meta-learning scenario', () => {
  it('advances the progress once per meta-iteration', async () => {
    const written: string[] = [];
    const progress = new ScenarioProgress(1, 10, { stream: { write: (t: string) => written.push(t), isTTY: false }, intervalMs: 0 });
    await runScenario(metaScenario(1), {
      outDir: tempDir(),
      backend,
      onRunStart: ({ learner, seed, index }) => progress.runStarted(learner, seed, index),
      onEvent: (e) => progress.event(e),
    });
    progress.stop();
    const lines = written.join('').split('\n').filter(Boolean);
    const steps = lines.map((l) => /meta-iteration (\d+)\/6 · (\d+)%/.exec(l)).filter((m) => m !== null);
    expect(steps.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.map((m) => Number(m[2]))).toEqual([16, 33, 50, 66, 83, 100]);
    expect(lines.at(-1)).toMatch(/^run 1\/1 maml seed 0 · completed in .* · 100% · /);
  });

  it('prints stepsToTarget as a step count or "never", and leaves the curves out of the table', async () => {
    const reached = await runScenario(metaScenario(1e9), { outDir: tempDir(), backend }); // any MSE is at most 1e9: step 0
    const never = await runScenario(metaScenario(-1), { outDir: tempDir(), backend }); // no MSE is below 0
    expect(reached.runs[0].metrics.stepsToTarget).toBe(0);
    expect(never.runs[0].metrics.stepsToTarget).toBeNull();

    const text = renderConsoleSummary(reached, { color: false });
    const row = summaryRow(text, 'maml');
    expect(row.stepsToTarget).toBe('0');
    expect(row['adapt@2']).toMatch(/^\d+\.\d{3}$/);
    expect(row.divergedEpisodes).toBe('0'); // a count, not a score with 3 decimals
    expect(Object.keys(row)).not.toContain('adaptationCurve');
    expect(Object.keys(row)).not.toContain('metaCurve');
    expect(Object.values(row)).not.toContain(MISSING);
    expect(text).toContain('curves (adaptationCurve, metaCurve): see report.md and report.html');

    expect(summaryRow(renderConsoleSummary(never, { color: false }), 'maml').stepsToTarget).toBe('never');
  });

  it('formats stepsToTarget over seeds, saying how many reached the target', () => {
    expect(formatStepsToTarget({ mean: 5, std: 0, n: 1 }, 1)).toBe('5');
    expect(formatStepsToTarget({ mean: 5.5, std: Math.SQRT1_2, n: 2 }, 3)).toBe('5.5 ± 0.7 (2/3 reached)');
    expect(formatStepsToTarget({ mean: 4, std: 0, n: 2 }, 2)).toBe('4 ± 0.0');
    expect(formatStepsToTarget({ mean: null, std: null, n: 0 }, 2)).toBe('never');
    expect(formatStepsToTarget({ mean: null, std: null, n: 0 }, 0)).toBe(MISSING);
  });
});

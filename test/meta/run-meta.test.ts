import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { RunEvent } from '../../src/events/run-events.js';
import type { RunResult } from '../../src/runner/result.js';
import { writeRunReports } from '../../src/report/write-run-reports.js';
import { previewStream, runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

function sineScenario(overrides: Record<string, unknown> = {}): Scenario {
  return resolveScenario({
    name: 'tiny-meta',
    stream: { type: 'sine', shots: 5, testQueries: 20 },
    model: { type: 'mlp', hidden: [20, 20] },
    protocol: { kind: 'meta', metaIterations: 30, metaBatch: 4, evalEvery: 10, evalEpisodes: 8, interimEpisodes: 3, adaptSteps: 3, adaptTarget: 3 },
    learners: [{ type: 'maml', innerLr: 0.01 }, { type: 'pretrain' }],
    seeds: [0],
    ...overrides,
  });
}

describe('the meta-learning protocol', () => {
  it('writes adaptation curves and metrics into result.json and report.md', async () => {
    const outDir = tempDir();
    const result = await runScenario(sineScenario(), { outDir, backend });
    await writeRunReports(result, outDir);
    const onDisk = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as RunResult;
    expect(onDisk.runs.map((r) => r.learner)).toEqual(['maml', 'pretrain']);
    for (const run of onDisk.runs) {
      expect(run.status).toBe('completed');
      const curve = (run.metrics as Record<string, unknown>).adaptationCurve as { steps: number; mean: number; ci95: number; n: number; nonFinite: number }[];
      expect(curve.map((p) => p.steps)).toEqual([0, 1, 2, 3]);
      for (const p of curve) {
        expect(p.n).toBe(8);
        expect(p.nonFinite).toBe(0);
        expect(p.mean).toBeGreaterThan(0);
        expect(p.ci95).toBeGreaterThan(0);
      }
      expect(run.metrics['adapt@0']).toBeCloseTo(curve[0].mean, 10);
      expect(run.metrics['adapt@3']).toBeCloseTo(curve[3].mean, 10);
      expect(run.metrics.adaptAUC).not.toBeNull();
      expect(run.metrics).toHaveProperty('stepsToTarget');
      expect(run.metrics.divergedEpisodes).toBe(0);
      // Interim evaluations before meta-training and after 10 and 20 meta-iterations.
      const metaCurve = (run.metrics as Record<string, unknown>).metaCurve as { iteration: number; steps: number }[];
      expect([...new Set(metaCurve.map((p) => p.iteration))]).toEqual([0, 10, 20]);
    }
    expect(result.summary.maml['adapt@1'].n).toBe(1);
    expect(result.summary.maml).not.toHaveProperty('ACC');

    const report = readFileSync(join(outDir, 'report.md'), 'utf8');
    expect(report).toContain('## Adaptation curves');
    expect(report).toContain('| steps k | maml | pretrain |');
    expect(report).toContain('### During meta-training');
    expect(report).toContain('adapt@1');
    expect(report).not.toContain('adaptationCurve');
    expect(report).not.toContain('## Accuracy matrices');

    const events = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    expect(events.filter((e) => e.type === 'meta-step' && e.learner === 'maml')).toHaveLength(30);
    expect(events.filter((e) => e.type === 'adapt-eval' && e.learner === 'maml' && e.phase === 'final')).toHaveLength(8 * 4);
    expect(existsSync(join(outDir, 'report.html'))).toBe(true);
  });

  it('gives identical numbers for the same seed, different ones for another seed', async () => {
    const scenario = sineScenario({ learners: [{ type: 'maml' }], protocol: { kind: 'meta', metaIterations: 5, metaBatch: 3, evalEpisodes: 4, adaptSteps: 2 } });
    const a = await runScenario(scenario, { outDir: tempDir(), backend });
    const b = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(b.runs[0].metrics).toEqual(a.runs[0].metrics);
    const c = await runScenario({ ...scenario, seeds: [1] }, { outDir: tempDir(), backend });
    expect(c.runs[0].metrics).not.toEqual(a.runs[0].metrics);
  });

  it('feeds learners without metaObserve through observe() and adapts them with the default SGD adapt()', async () => {
    const scenario = sineScenario({
      learners: [{ type: 'naive', lr: 0.01 }],
      protocol: { kind: 'meta', metaIterations: 5, metaBatch: 2, evalEpisodes: 4, adaptSteps: 2 },
    });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(result.runs[0].status).toBe('completed');
    expect(result.runs[0].metrics['adapt@2']).not.toBeNull();
  });

  it('refuses a continual stream under protocol.kind "meta", and meta settings under the continual protocol', async () => {
    const scenario = sineScenario({ stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 10, testPerTask: 10 } });
    await expect(previewStream(scenario)).rejects.toThrow(/stream 'rotated-mnist' is a task stream, not a task distribution/);
    expect(() => sineScenario({ protocol: { metaIterations: 3 } })).toThrow(/protocol\.metaIterations: unknown field/);
  });
});

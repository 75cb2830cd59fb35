import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { learners } from '../../src/learners/registry.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';

/**
 * Every registered learner, with its default options and the quickstart's learning rate, must
 * train stably on the quickstart's stream and model: no divergence, and each task learnt well
 * above chance. The stream is cut to quick size (three tasks of 200 images) to stay fast. The
 * list comes from the registry, so a newly registered learner is covered without editing this file.
 */

const quickstart = JSON.parse(readFileSync('scenarios/quickstart.json', 'utf8')) as {
  stream: Record<string, unknown>;
  model: Record<string, unknown>;
  protocol: Record<string, unknown>;
  learners: { type: string; lr: number }[];
};
const lr = quickstart.learners.find((l) => l.type === 'naive')!.lr;

interface OptionsSchema {
  properties?: Record<string, unknown>;
  required?: string[];
}

/** Learners that need an option with no default (e.g. OML's meta-training data) cannot run on defaults alone. */
function runnableOnDefaults(type: string): boolean {
  const schema = learners.get(type).options as OptionsSchema;
  return (schema.required ?? []).every((option) => option === 'lr');
}

/** Only `lr`, and only where the learner has one (meta-learners name their step sizes otherwise). */
function defaultSpec(type: string): Record<string, unknown> {
  const schema = learners.get(type).options as OptionsSchema;
  return schema.properties && 'lr' in schema.properties ? { type, lr } : { type };
}

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('default options train stably at the quickstart learning rate', () => {
  it.each(learners.names().filter(runnableOnDefaults))('%s', async (type) => {
    const scenario = resolveScenario({
      name: 'defaults',
      stream: { ...quickstart.stream, tasks: 3, trainPerTask: 200, testPerTask: 200 },
      model: quickstart.model,
      protocol: { ...quickstart.protocol, evalEvery: 0, lcaBeta: 0 },
      learners: [defaultSpec(type)],
      seeds: [0],
    });
    const [run] = (await runScenario(scenario, { outDir: tempDir(), backend })).runs;
    expect(run.diverged, `${type} diverged`).toBeUndefined();
    expect(run.status, run.error).toBe('completed');
    // Chance is 10 %: the mean accuracy on each task right after learning it (LA) must be twice
    // that. Stability is the point, not performance: methods built for another setting learn less
    // here (lowest measured: hal 0.267, gss 0.283, icarl 0.288; naive and most others above 0.3).
    expect(run.metrics.LA).toBeGreaterThan(0.2);
  });

  // Offline EWC adds one Fisher per task, so instability shows only on long streams: with λ = 100
  // this stream diverged at task 12 (loss NaN).
  it('ewc: the default λ holds through 20 short tasks', async () => {
    const scenario = resolveScenario({
      name: 'ewc-long',
      stream: { ...quickstart.stream, tasks: 20, trainPerTask: 150, testPerTask: 100 },
      model: quickstart.model,
      protocol: { ...quickstart.protocol, evalEvery: 0, lcaBeta: 0 },
      learners: [{ type: 'ewc', lr }],
      seeds: [0],
    });
    const [run] = (await runScenario(scenario, { outDir: tempDir(), backend })).runs;
    expect(run.diverged).toBeUndefined();
    expect(run.status).toBe('completed');
  });
});

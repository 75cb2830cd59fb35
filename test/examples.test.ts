import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend/select.js';
import { learners } from '../src/learners/registry.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from './helpers/scenario.js';
import { atTaskEnds, tensorCountsAt } from './helpers/tensor-counts.js';
import { forgettingOnTwoTasks } from './learners/two-task.js';

beforeAll(async () => {
  await import('../examples/derpp.js'); // the worked example of docs/learner-api.md, as --plugin loads it
});

describe('the DER++ example of the learner API page', () => {
  it('forgets less than plain fine-tuning, and leaks no tensors', async () => {
    expect(learners.has('my-derpp')).toBe(true);
    const backend = await useBackend('wasm');
    const f = await forgettingOnTwoTasks([{ type: 'my-derpp', lr: 0.1, bufferSize: 200 }], backend);
    // Measured: a drop of 0.132 on task 0 against naive's 0.383, task 1 learnt as well (0.830 and 0.826).
    expect(f['my-derpp'].drop).toBeLessThan(f.naive.drop - 0.15);
    expect(f['my-derpp'].learned).toBeGreaterThan(0.7);

    const counts = await tensorCountsAt(tinyScenario({ learners: [{ type: 'my-derpp', lr: 0.05, bufferSize: 50 }] }), backend, atTaskEnds);
    const [, second, third] = counts.get('my-derpp')!;
    expect(third).toBe(second);
  });
});

describe('docs/learner-api.md', () => {
  it('lists examples/derpp.ts exactly as it is', () => {
    const doc = readFileSync('docs/learner-api.md', 'utf8');
    const listing = /<!-- examples\/derpp\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(listing).toBe(readFileSync('examples/derpp.ts', 'utf8').trimEnd());
  });
});

describe('the MAS example of the learner API page', () => {
  beforeAll(async () => {
    await import('../examples/mas.js');
  });

  it('forgets less than plain fine-tuning, and leaks no tensors', async () => {
    const backend = await useBackend('wasm');
    const f = await forgettingOnTwoTasks([{ type: 'my-mas', lr: 0.1, lambda: 1 }], backend);
    // Measured: a drop of 0.035 on task 0 against naive's 0.383; task 1 learnt to 0.688 (naive 0.826).
    expect(f['my-mas'].drop).toBeLessThan(f.naive.drop - 0.2);
    expect(f['my-mas'].learned).toBeGreaterThan(0.6);
    const counts = await tensorCountsAt(tinyScenario({ learners: [{ type: 'my-mas', lr: 0.05 }] }), backend, atTaskEnds);
    const [, second, third] = counts.get('my-mas')!;
    expect(third).toBe(second);
  });

  it('runs on a multi-head stream, where other heads get no gradient', async () => {
    const backend = await useBackend('wasm');
    const scenario = tinyScenario({
      stream: { type: 'split-mnist', trainPerTask: 100, testPerTask: 50 },
      learners: [{ type: 'my-mas', lr: 0.05 }],
      protocol: { batchSize: 10, evalEvery: 0, lcaBeta: 0 },
    });
    const [run] = (await runScenario(scenario, { outDir: tempDir(), backend })).runs;
    expect(run.status, run.error).toBe('completed');
  });
});

describe('docs/learner-api.md', () => {
  it('lists examples/mas.ts exactly as it is', () => {
    const doc = readFileSync('docs/learner-api.md', 'utf8');
    const listing = /<!-- examples\/mas\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(listing).toBe(readFileSync('examples/mas.ts', 'utf8').trimEnd());
  });
});

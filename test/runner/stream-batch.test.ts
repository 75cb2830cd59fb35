import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { RunEvent } from '../../src/events/run-events.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('a learner spec’s streamBatch', () => {
  it('cuts that learner’s stream into its own batch size; the others keep protocol.batchSize', async () => {
    const scenario = tinyScenario({
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'naive', name: 'big-batches', lr: 0.05, streamBatch: 50 }],
    });
    const steps = new Map<string, number>();
    const result = await runScenario(scenario, {
      outDir: tempDir(),
      backend,
      onEvent: (e: RunEvent) => {
        if (e.type === 'train-step') steps.set(e.learner, (steps.get(e.learner) ?? 0) + 1);
      },
    });
    // 3 tasks of 200 examples: batches of 10 (protocol) and of 50.
    expect(steps.get('naive')).toBe(60);
    expect(steps.get('big-batches')).toBe(12);
    const big = result.runs.find((r) => r.learner === 'big-batches')!;
    expect(big.status).toBe('completed');
    expect(big.options.streamBatch).toBe(50); // recorded, so the run's settings say how it was fed
  });
});

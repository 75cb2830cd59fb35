import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

/** A small rotated-MNIST scenario that trains in a second or two. */
export function tinyScenario(overrides: Record<string, unknown> = {}): Scenario {
  return resolveScenario({
    name: 'tiny',
    stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 200, testPerTask: 200 },
    model: { type: 'mlp', hidden: [32] },
    protocol: { batchSize: 10, evalEvery: 5, lcaBeta: 3 },
    learners: [{ type: 'naive', lr: 0.05 }],
    seeds: [0],
    ...overrides,
  });
}

export function tempDir(prefix = 'clbench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

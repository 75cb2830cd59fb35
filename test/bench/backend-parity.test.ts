import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/scenario.js';

const tiny = {
  name: 'parity-tiny',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 },
  model: { hidden: [16] },
  protocol: { batchSize: 10, epochs: 1, evalEvery: 0, shuffle: false },
  learners: [{ type: 'naive', lr: 0.05 }, { type: 'er', lr: 0.05, memorySize: 50, replayBatch: 10 }],
  seeds: [0],
};

describe.skipIf(!existsSync('dist/cli/main.js'))('bench/backend-parity.mjs', () => {
  it('runs a scenario on two backends and reports each learner\'s metrics and their largest difference', () => {
    const file = join(tempDir(), 'scenario.json');
    writeFileSync(file, JSON.stringify(tiny));
    const r = spawnSync('node', ['bench/backend-parity.mjs', file, 'wasm', 'cpu'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.learner)).toEqual(['naive', 'er', undefined]);
    for (const line of lines.slice(0, 2)) {
      expect(line.status).toEqual(['completed', 'completed']);
      expect(Object.keys(line.wasm as object)).toEqual(expect.arrayContaining(['ACC', 'BWT', 'LA']));
      // wasm and cpu run the same kernels where the OpenBLAS addon is built, tfjs's own otherwise:
      // at most three of the 100 test images may then flip.
      expect(line.max_abs_metric_diff).toBeLessThanOrEqual(0.03);
    }
    expect(lines[2]).toMatchObject({ scenario: 'parity-tiny', backends: ['wasm', 'cpu'] });
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { Learner } from '../../src/learners/types.js';
import { computeMetrics } from '../../src/metrics/registry.js';
import { defaultMetricOptions, type RunMatrices } from '../../src/metrics/types.js';
import { planCharts } from '../../src/report/html/render-html.js';
import { evaluate, uploadSplit } from '../../src/runner/evaluate.js';
import { writeRunReports } from '../../src/report/write-run-reports.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

/** A "learner" whose logits are its inputs, so the test set spells out the predictions. */
const echo: Learner = { setup() {}, observe() {}, predict: (x) => tf.clone(x), dispose() {} };

describe('task-IL view of a class-incremental evaluation', () => {
  // Four examples of a task that owns outputs 2 and 3 (of 4); x holds the logits.
  const logits = [
    [5, 0, 3, 1], // label 2: class-IL argmax 0 (wrong), task-IL argmax over {2,3} = 2 (right)
    [0, 0, 1, 2], // label 3: both 3 (right)
    [0, 9, 1, 2], // label 2: class-IL 1, task-IL 3 (both wrong)
    [0, 0, 4, 1], // label 3: both 2 (wrong)
  ];
  const split = { x: Float32Array.from(logits.flat()), y: Int32Array.from([2, 3, 2, 3]), n: 4, inputShape: [4] };

  it('scores the same logits class-IL (1/4) and task-IL (2/4), across evaluation chunks', () => {
    const set = uploadSplit(split, 'classification');
    const before = tf.memory().numTensors;
    for (const chunk of [4, 3, 1]) {
      const score = evaluate(echo, set, 0, 'classification', chunk, [2, 3]);
      expect(score.accuracy).toBeCloseTo(0.25, 10);
      expect(score.accuracyTaskIL).toBeCloseTo(0.5, 10);
    }
    expect(evaluate(echo, set, 0, 'classification', 4).accuracyTaskIL).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([set.x, set.y]);
  });

  it('ACC-taskIL is the mean of the task-IL matrix last row, and absent without that view', () => {
    const R = [[1, null], [0.5, 0.9]];
    const run: RunMatrices = { R, b: [0.1, 0.1], Z: [[null], [null]], taskIL: { R: [[1, null], [0.8, 1]] } };
    const values = computeMetrics(run, defaultMetricOptions);
    expect(values.ACC).toBeCloseTo(0.7, 10);
    expect(values['ACC-taskIL']).toBeCloseTo(0.9, 10);
    const { taskIL: _, ...classOnly } = run;
    expect(Object.keys(computeMetrics(classOnly, defaultMetricOptions))).not.toContain('ACC-taskIL');
  });

  it('a class-incremental split-mnist run records both views; a domain-IL run only the usual metrics', async () => {
    const outDir = tempDir();
    const scenario = resolveScenario({
      name: 'tiny-class-il',
      stream: { type: 'split-mnist', setting: 'class-incremental', trainPerTask: 100, testPerTask: 100 },
      model: { type: 'mlp', hidden: [32] },
      protocol: { batchSize: 10 },
      learners: [{ type: 'naive', lr: 0.05 }],
      seeds: [0],
    });
    const result = await runScenario(scenario, { outDir, backend });
    await writeRunReports(result, outDir);
    const [run] = result.runs;
    expect(run.status).toBe('completed');
    expect(run.taskILAccuracyMatrix).toHaveLength(5);
    // Binary choices within a task are never worse than the 10-way argmax over the same logits.
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j <= i; j++) expect(run.taskILAccuracyMatrix![i][j]!).toBeGreaterThanOrEqual(run.accuracyMatrix[i][j]!);
    }
    expect(run.metrics['ACC-taskIL']).toBeGreaterThan(run.metrics.ACC!);
    expect(result.summary.naive['ACC-taskIL'].n).toBe(1);
    const report = readFileSync(join(outDir, 'report.md'), 'utf8');
    expect(report).toContain('ACC-taskIL');
    expect(report).toContain('Task-IL view of the same runs');
    expect(planCharts(result).map((p) => p.id)).toContain('matrices-task-il');

    const domain = await runScenario(tinyScenario(), { outDir: tempDir(), backend });
    expect(domain.runs[0].taskILAccuracyMatrix).toBeUndefined();
    expect(Object.keys(domain.runs[0].metrics)).not.toContain('ACC-taskIL');
    expect(planCharts(domain).map((p) => p.id)).not.toContain('matrices-task-il');
  });
});

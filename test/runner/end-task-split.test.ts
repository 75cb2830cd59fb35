import { describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { ModelLearner } from '../../src/learners/base/model-learner.js';
import { optimizerSchema } from '../../src/learners/base/optimizer.js';
import { learners } from '../../src/learners/registry.js';
import type { Batch, TaskInfo, TrainSplit } from '../../src/learners/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';

/** What endTask saw, per task: the split's shape, its labels' sum, and whether its tensors were alive. */
const seen: { task: number; size: number; xShape: number[]; taskIndex?: number; labelSum: number }[] = [];
let kept: tf.Tensor[] = [];
/** The split beginTask saw, per task: it must be the one endTask sees. */
let begun: TrainSplit[] = [];

class EndTaskProbe extends ModelLearner {
  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }

  override beginTask(_task: TaskInfo, train: TrainSplit): void {
    begun.push(train);
  }

  override endTask(task: TaskInfo, train: TrainSplit): void {
    expect(train.x).toBe(begun[task.index].x);
    expect(train.y).toBe(begun[task.index].y);
    seen.push({ task: task.index, size: train.size, xShape: train.x.shape, taskIndex: train.taskIndex, labelSum: tf.tidy(() => tf.sum(train.y).dataSync()[0]) });
    kept.push(train.x); // not cloned: the runner must dispose it after the call
  }
}

learners.register({
  type: 'end-task-probe',
  description: 'records what endTask receives',
  options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] },
  create: (options: { lr: number }) => new EndTaskProbe(options),
});

describe('beginTask and endTask', () => {
  it("receive the task's whole training split, which the runner frees after endTask", async () => {
    const backend = await useBackend('wasm');
    seen.length = 0;
    kept = [];
    begun = [];
    const before = tf.memory().numTensors;
    const scenario = tinyScenario({ stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 60, testPerTask: 20 }, learners: [{ type: 'end-task-probe', lr: 0.05 }] });
    const result = await runScenario(scenario, { outDir: tempDir(), backend });
    expect(result.runs[0].status, result.runs[0].error).toBe('completed');
    expect(seen.map((s) => [s.task, s.size, s.xShape, s.taskIndex])).toEqual([[0, 60, [60, 784], 0], [1, 60, [60, 784], 1]]);
    for (const s of seen) expect(s.labelSum).toBeGreaterThan(60); // real labels (0..9), not an empty split
    expect(begun.map((b) => b.size)).toEqual([60, 60]);
    expect(kept.every((t) => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

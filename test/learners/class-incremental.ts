import type { BackendInfo } from '../../src/backend/select.js';
import type { LearnerSpec } from '../../src/learners/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';

/**
 * The small class-incremental problem replay learners must beat fine-tuning on: split MNIST
 * (five tasks of two digits, all ten outputs in one head) with 200 training and 100 test images per
 * task, an MLP 784-100-10, batch 10. Fine-tuning ends near 0.2 (it only knows the last two digits).
 * Returns each label's final average accuracy (ACC) over the five tasks.
 */
export async function classIncrementalAccuracy(learners: readonly LearnerSpec[], backend: BackendInfo): Promise<Record<string, number>> {
  const scenario = resolveScenario({
    name: 'class-incremental',
    stream: { type: 'split-mnist', setting: 'class-incremental', trainPerTask: 200, testPerTask: 100 },
    model: { type: 'mlp', hidden: [100] },
    protocol: { batchSize: 10, lcaBeta: 0 },
    learners: [{ type: 'naive', lr: 0.05 }, ...learners],
    seeds: [0],
  });
  const result = await runScenario(scenario, { outDir: tempDir(), backend });
  const out: Record<string, number> = {};
  for (const run of result.runs) {
    if (run.status !== 'completed') throw new Error(`${run.learner} ${run.status}: ${run.error ?? ''}`);
    out[run.learner] = run.metrics.ACC as number;
  }
  return out;
}

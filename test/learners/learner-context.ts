import { mlp } from '../../src/models/mlp.js';
import type { FunctionalModel } from '../../src/models/types.js';
import type { LearnerContext } from '../../src/learners/types.js';
import type { StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';

/**
 * A LearnerContext for driving a learner by hand in unit tests: a classification stream of
 * `inputSize` features and `outputSize` classes, an MLP (one hidden layer of 4 by default).
 */
export function learnerContext(options: { inputSize: number; outputSize: number; heads?: number; hidden?: number[]; numTasks?: number; seed?: number; model?: FunctionalModel }): LearnerContext {
  const heads = options.heads ?? 1;
  const stream: StreamInfo = {
    type: 'hand-made', numTasks: options.numTasks ?? Math.max(heads, 2), inputShape: [options.inputSize], outputSize: options.outputSize,
    heads, kind: 'classification', description: 'unit-test stream',
  };
  const model = options.model ?? mlp({ inputSize: options.inputSize, hidden: options.hidden ?? [4], outputSize: options.outputSize, heads });
  return { stream, model, rng: new Rng(options.seed ?? 0), batchSize: 4, epochs: 1, taskFree: false };
}

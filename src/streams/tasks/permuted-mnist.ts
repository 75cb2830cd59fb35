import { defer, from } from 'rxjs';
import { permutePixels } from '../datasets/transforms.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import type { Task } from '../types.js';
import { type ImageStreamOptions, gatherSplit, imageStreamSchema, loadDataset, perTaskSize } from './image-stream-options.js';
import { LIMITS } from '../../scenario/limits.js';

export interface PermutedMnistSpec extends StreamSpec, ImageStreamOptions {
  readonly tasks: number;
  /** Keep task 0 unpermuted (some papers do); GEM permutes every task. */
  readonly identityFirst?: boolean;
}

/** Domain-incremental permutations: one fixed random pixel permutation per task. */
export const permutedMnist: StreamEntry<PermutedMnistSpec> = {
  type: 'permuted-mnist',
  description: 'MNIST with one fixed random pixel permutation per task (GEM, A-GEM, MER protocol)',
  options: {
    type: 'object',
    properties: {
      ...imageStreamSchema,
      tasks: { type: 'integer', minimum: 1, maximum: LIMITS.maxTasks, description: 'Number of tasks T' },
      identityFirst: { type: 'boolean', default: false, description: 'Leave task 0 unpermuted' },
    },
    required: ['tasks'],
  },
  create(spec, rng) {
    const data = loadDataset(spec);
    const T = spec.tasks;
    const nTrain = perTaskSize(spec.trainPerTask, data.train.n, 'trainPerTask');
    const nTest = perTaskSize(spec.testPerTask, data.test.n, 'testPerTask');
    const pixels = data.rows * data.cols;
    const describe = (t: number): Task => {
      const taskRng = rng.fork(`task-${t}`);
      const perm = t === 0 && spec.identityFirst ? Int32Array.from({ length: pixels }, (_, i) => i) : taskRng.permutation(pixels);
      const trainIdx = taskRng.sample(data.train.n, nTrain);
      const testIdx = taskRng.sample(data.test.n, nTest);
      const permute = (x: Float32Array, n: number) => permutePixels(x, n, perm);
      return {
        index: t,
        id: `permutation-${t}`,
        train: () => gatherSplit(data, 'train', trainIdx, permute),
        test: () => gatherSplit(data, 'test', testIdx, permute),
      };
    };
    return {
      info: {
        type: 'permuted-mnist', numTasks: T, inputShape: [pixels], outputSize: data.numClasses, heads: 1,
        kind: 'classification',
        description: `${T} pixel permutations of ${data.name}, ${nTrain} train / ${nTest} test per task`,
      },
      tasks: () => defer(() => from(Array.from({ length: T }, (_, t) => describe(t)))),
    };
  },
};

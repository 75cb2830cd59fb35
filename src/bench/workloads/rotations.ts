import { registries as productRegistries } from '../../runner/registries.js';
import type { BenchWorkload, WorkloadOptions } from '../types.js';
import { runContinual } from './continual.js';

/** Why a learner-backed workload cannot run yet, or undefined when its learner is registered. */
async function needs(learner: string, issue: string): Promise<string | undefined> {
  return productRegistries.learners.has(learner) ? undefined : `learner '${learner}' is not registered yet (issue ${issue})`;
}

export const rotationsNaive: BenchWorkload = {
  name: 'rotations-naive',
  description: '20 MNIST rotations, MLP 784-100-100-10, plain SGD lr 0.003, batch 10; evaluate all 20 test sets after each task',
  unavailable: async () => undefined,
  torchArgs: () => ['rotations-naive'],
  run: ({ seed }) => runContinual({ learner: { type: 'naive', lr: 0.003 }, seed }),
};

export const rotationsEr: BenchWorkload = {
  name: 'rotations-er',
  description: 'rotations-naive with lr 0.1 and reservoir replay of 5120 examples: 10 incoming + 10 replayed per step',
  unavailable: () => needs('er', '#3'),
  torchArgs: () => ['rotations-er'],
  run: ({ seed }) => runContinual({ learner: { type: 'er', lr: 0.1, memorySize: 5120, replayBatch: 10, buffer: 'reservoir' }, seed }),
};

/** GEM (issue #3) on the rotations stream. The reference has no GEM, so this one has no ratio. */
export const gem: BenchWorkload = {
  name: 'gem',
  description: 'GEM with 256 memories per task on the rotations stream (no PyTorch reference)',
  unavailable: () => needs('gem', '#3'),
  torchArgs: () => undefined,
  run: ({ seed }) => runContinual({ learner: { type: 'gem', lr: 0.1, memoryPerTask: 256 }, seed }),
};

/** MER (issue #5), Algorithm 1 with its 500-memory setting, one example at a time. */
export const rotationsMer: BenchWorkload = {
  name: 'rotations-mer',
  description: 'MER Algorithm 1 (lr .1, β .01, γ 1, k−1 = 10, s = 10, 500 memories), one example at a time',
  unavailable: () => needs('mer', '#5'),
  torchArgs: ({ limit }: WorkloadOptions) => ['rotations-mer', ...(limit === undefined ? [] : ['--limit', String(limit)])],
  run: ({ seed, limit }) =>
    runContinual({
      learner: { type: 'mer', lr: 0.1, beta: 0.01, gamma: 1, replay: 10, steps: 10, memorySize: 500 },
      seed,
      protocol: { batchSize: 1 },
      // The first `limit` of each task's 1000 draws are the images the reference trains on.
      ...(limit === undefined ? {} : { stream: { type: 'rotated-mnist', dataset: 'mnist', tasks: 20, trainPerTask: limit, testPerTask: 1000 } }),
    }),
};

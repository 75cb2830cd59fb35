import type { BenchWorkload, WorkloadOptions } from '../types.js';
import { runMamlSineWorkload } from './maml-sine.js';

/** Meta-iterations unless --iters says otherwise. */
export const MAML_SINE_ITERS = 300;

export const mamlSine: BenchWorkload = {
  name: 'maml-sine',
  description: 'Second-order MAML on sine regression: MLP 1-40-40-1, K support + K query points, one inner step α 0.01, Adam 1e-3, meta-batch 25',
  model: 'mlp',
  unavailable: async () => undefined,
  torchArgs: ({ iters, k }: WorkloadOptions) => ['maml-sine', '--iters', String(iters ?? MAML_SINE_ITERS), '--k', String(k)],
  run: ({ iters, k, seed }) => runMamlSineWorkload({ iters: iters ?? MAML_SINE_ITERS, k, seed }),
};

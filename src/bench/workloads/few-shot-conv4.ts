import { registries as productRegistries } from '../../runner/registries.js';
import { resolveScenario } from '../../scenario/load.js';
import type { BenchWorkload, WorkloadOptions, WorkloadResult } from '../types.js';
import { runMetaTimed } from './meta-timed.js';

/** Meta-iterations of a `few-shot-conv4` run unless --iters says otherwise: a second-order Conv-4 step costs seconds on a CPU. */
export const FEW_SHOT_CONV4_ITERS = 20;

/**
 * The few-shot Conv-4 workload: second-order MAML on 5-way 1-shot MNIST episodes (digits 0–4;
 * 5 query images per class), MAML's Conv-4 with 32 filters, one inner step α 0.4, meta-batch 4.
 * Large convolutions and a second-order backward pass through them: the kind of work a GPU is for.
 * The clock covers the meta-training iterations; the meta-test adaptation accuracy (30 episodes of
 * digits 5–9) is reported so that two backends can be compared.
 */
export async function runFewShotConv4(iters: number, seed: number): Promise<WorkloadResult> {
  const scenario = resolveScenario({
    name: 'bench-few-shot-conv4',
    stream: { type: 'few-shot', source: 'mnist', trainClasses: [0, 1, 2, 3, 4], testClasses: [5, 6, 7, 8, 9], ways: 5, shots: 1, queries: 5, testQueries: 15 },
    model: { type: 'conv4', filters: 32 },
    protocol: { kind: 'meta', metaIterations: iters, metaBatch: 4, evalEpisodes: 30, adaptSteps: 5, reportSteps: [1, 5] },
    learners: [{ type: 'maml', innerSteps: 1, innerLr: 0.4, metaLr: 0.001 }],
    seeds: [seed],
  }, { source: 'bench workload few-shot-conv4' }, productRegistries);
  const { wallSeconds, steps, metrics } = await runMetaTimed(scenario, seed, productRegistries);
  const quality: Record<string, number> = {};
  for (const [name, metric] of [['acc_after_1', 'adapt@1'], ['acc_after_5', 'adapt@5']] as const) {
    const value = metrics[metric];
    if (typeof value === 'number') quality[name] = value;
  }
  return { wallSeconds, quality, extra: { meta_iterations: steps, s_per_iteration: wallSeconds / steps } };
}

export const fewShotConv4: BenchWorkload = {
  name: 'few-shot-conv4',
  description: `Second-order MAML, Conv-4 (32 filters) on 5-way 1-shot MNIST episodes, meta-batch 4; ${FEW_SHOT_CONV4_ITERS} meta-iterations unless --iters`,
  model: 'conv4',
  unavailable: async () => undefined,
  torchArgs: () => undefined,
  run: ({ iters, seed }: WorkloadOptions) => runFewShotConv4(iters ?? FEW_SHOT_CONV4_ITERS, seed),
};

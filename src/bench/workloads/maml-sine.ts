import { type Registries, registries as productRegistries } from '../../runner/registries.js';
import { resolveScenario } from '../../scenario/load.js';
import type { WorkloadResult } from '../types.js';
import { runMetaTimed } from './meta-timed.js';

export interface MamlSineWorkloadOptions {
  readonly iters: number;
  /** Support (and query) points per meta-training task. */
  readonly k: number;
  readonly seed: number;
  readonly registries?: Registries;
}

/**
 * The reference's maml-sine workload (torch_reference.py maml-sine) through the product path
 * (scenario validation, runMeta, collectRun): second-order MAML, MLP 1-40-40-1, K support and K
 * query points, one inner step α = 0.01, Adam 1e-3, meta-batch 25. The clock covers the
 * meta-training iterations, as the reference's does; then the post-update MSE after 1 and 10 steps
 * on 100 held-out tasks with 100 query points each.
 */
export async function runMamlSineWorkload(options: MamlSineWorkloadOptions): Promise<WorkloadResult> {
  const regs = options.registries ?? productRegistries;
  const learner = { type: 'maml', innerLr: 0.01, innerSteps: 1, metaLr: 0.001, metaOptimizer: 'adam' };
  const scenario = resolveScenario({
    name: 'bench-maml-sine',
    stream: { type: 'sine', shots: options.k, queries: options.k, testQueries: 100 },
    model: { type: 'mlp', hidden: [40, 40] },
    protocol: { kind: 'meta', metaIterations: options.iters, metaBatch: 25, evalEpisodes: 100, adaptSteps: 10, reportSteps: [1, 10] },
    learners: [learner],
    seeds: [options.seed],
  }, { source: 'bench workload maml-sine' }, regs);
  const { wallSeconds, steps, metrics } = await runMetaTimed(scenario, options.seed, regs);
  const quality: Record<string, number> = {};
  for (const [name, metric] of [['mse_after_1', 'adapt@1'], ['mse_after_10', 'adapt@10']] as const) {
    const value = metrics[metric];
    if (typeof value === 'number') quality[name] = value;
  }
  return { wallSeconds, quality, extra: { meta_iterations: steps } };
}

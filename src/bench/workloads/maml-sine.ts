import { collectRun } from '../../runner/collect-run.js';
import type { RunEvent } from '../../runner/events.js';
import { type Registries, registries as productRegistries } from '../../runner/registries.js';
import { runMeta } from '../../runner/run-meta.js';
import { metricOptionsOf } from '../../runner/run-scenario.js';
import { resolveScenario } from '../../scenario/load.js';
import { type Scenario, learnerLabel, learnerOptions } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';
import type { WorkloadResult } from '../types.js';

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

/**
 * The scenario's first learner through runMeta and collectRun, timed over the meta-training
 * iterations (from meta-start to the last meta-step): the metrics and the iteration count.
 */
export async function runMetaTimed(scenario: Scenario, seed: number, regs: Registries): Promise<{ wallSeconds: number; steps: number; metrics: Record<string, unknown> }> {
  const spec = scenario.learners[0];
  let started: number | undefined;
  let finished = NaN;
  let steps = 0;
  const clock = (e: RunEvent) => {
    if (e.type === 'meta-start') started = performance.now();
    if (e.type === 'meta-step') {
      finished = performance.now();
      steps = e.iteration;
    }
  };
  const record = await collectRun(
    runMeta({ scenario, learner: spec, seed }, regs),
    { learner: learnerLabel(spec), learnerType: spec.type, options: learnerOptions(spec), seed, numTasks: 0, score: 'loss' },
    metricOptionsOf(scenario),
    clock,
  );
  if (record.status !== 'completed' || started === undefined) {
    throw new ClbenchError(`bench run of ${scenario.name} ended ${record.status}${record.error ? `: ${record.error}` : ''}`);
  }
  return { wallSeconds: (finished - started) / 1000, steps, metrics: record.metrics };
}

import { collectRun } from '../../runner/collect-run.js';
import type { RunEvent } from '../../runner/events.js';
import type { Registries } from '../../runner/registries.js';
import { runMeta } from '../../runner/run-meta.js';
import { metricOptionsOf } from '../../runner/run-scenario.js';
import { type Scenario, learnerLabel, learnerOptions } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';

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

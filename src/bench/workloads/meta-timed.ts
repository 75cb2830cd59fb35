import type { RunEvent } from '../../events/run-events.js';
import { runAndCollect } from '../../runner/run-plan.js';
import type { Registries } from '../../scenario/registries.js';
import type { Scenario } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';

/**
 * The scenario's first learner through runAndCollect, timed over the meta-training
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
  const record = await runAndCollect({ scenario, learner: spec, seed }, { registries: regs, onEvent: clock });
  if (record.status !== 'completed' || started === undefined) {
    throw new ClbenchError(`bench run of ${scenario.name} ended ${record.status}${record.error ? `: ${record.error}` : ''}`);
  }
  return { wallSeconds: (finished - started) / 1000, steps, metrics: record.metrics };
}

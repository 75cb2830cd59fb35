import type { Observable } from 'rxjs';
import type { MetricOptions } from '../metrics/types.js';
import { type Scenario, isMetaProtocol, learnerLabel, learnerOptions } from '../scenario/types.js';
import { collectRun } from './collect-run.js';
import type { RunPlan } from './driver.js';
import type { RunEvent } from '../events/run-events.js';
import { createStream } from './factories.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';
import type { RunRecord } from './result.js';
import { runMeta } from './run-meta.js';
import { runLength, runOne } from './run-one.js';

/** The protocol a scenario names: the continual one (runOne) or the meta-learning one (runMeta). */
export function runPlan(plan: RunPlan, regs: Registries = defaultRegistries, signal?: AbortSignal): Observable<RunEvent> {
  return isMetaProtocol(plan.scenario.protocol) ? runMeta(plan, regs, signal) : runOne(plan, regs, signal);
}

export function metricOptionsOf(scenario: Scenario): MetricOptions {
  return { normalization: scenario.metrics.normalization, lcaRule: scenario.metrics.lcaRule, lcaBeta: scenario.protocol.lcaBeta };
}

export interface RunAndCollectOptions {
  readonly registries?: Registries;
  /** Sees every event of the run (log, progress, timers). */
  readonly onEvent?: (event: RunEvent) => void;
  /** Aborting it stops the run within a step; the record then has status 'cancelled' and what was done. */
  readonly signal?: AbortSignal;
}

/**
 * Runs one (learner, seed) and folds its events into its record: how the CLI, sweeps and
 * benchmarks all execute a run.
 */
export async function runAndCollect(plan: RunPlan, options: RunAndCollectOptions = {}): Promise<RunRecord> {
  const regs = options.registries ?? defaultRegistries;
  const { scenario, learner, seed } = plan;
  const { info } = createStream(scenario, seed, regs);
  const identity = {
    learner: learnerLabel(learner), learnerType: learner.type, options: learnerOptions(learner), seed,
    numTasks: isMetaProtocol(scenario.protocol) ? 0 : runLength(info, scenario.protocol),
    score: info.kind === 'classification' ? 'accuracy' : 'loss',
  } as const;
  return collectRun(runPlan(plan, regs, options.signal), identity, metricOptionsOf(scenario), options.onEvent);
}

import { Registry } from '../util/registry.js';
import { acc } from './acc.js';
import { accTaskIL } from './acc-task-il.js';
import { adaptationSpeedEntry } from './adaptation-speed.js';
import { anytimeAccEntry } from './anytime-acc.js';
import { bwt } from './bwt.js';
import { forgetting } from './forgetting.js';
import { fwt } from './fwt.js';
import { la } from './la.js';
import { lca } from './lca.js';
import { minAccEntry } from './min-acc.js';
import { gapDepthEntry, gapRecoveryEntry } from './stability-gap.js';
import { wcAccEntry } from './wc-acc.js';
import { windowedForgettingEntry } from './windowed-forgetting.js';
import type { MetricEntry, MetricOptions, MetricValues, RunMatrices } from './types.js';

export const metrics = new Registry<MetricEntry>('metric');
for (const entry of [acc, accTaskIL, bwt, fwt, la, forgetting, lca]) metrics.register(entry);
// Continual evaluation (De Lange et al., ICLR 2023): read off the scores along the stream.
for (const entry of [minAccEntry, wcAccEntry, gapDepthEntry, gapRecoveryEntry, anytimeAccEntry, adaptationSpeedEntry, windowedForgettingEntry]) {
  metrics.register(entry);
}

/** Every registered metric that applies to the run. */
export function computeMetrics(run: RunMatrices, options: MetricOptions): MetricValues {
  const values: MetricValues = {};
  for (const entry of metrics.list()) {
    if (entry.appliesTo && !entry.appliesTo(run)) continue;
    values[entry.type] = entry.compute(run, options);
  }
  return values;
}

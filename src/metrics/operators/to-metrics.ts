import { type OperatorFunction, map } from 'rxjs';
import { computeMetrics } from '../registry.js';
import type { MetricOptions, MetricValues, RunMatrices } from '../types.js';

/** Every registered metric, recomputed for each matrices snapshot (live metrics during a run). */
export function toMetrics(options: MetricOptions): OperatorFunction<RunMatrices, MetricValues> {
  return map((m) => computeMetrics(m, options));
}

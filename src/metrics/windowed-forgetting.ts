import { type EvalPoint, completePoints, endPoint } from './eval-points.js';
import { known, meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** w: the window, in batches (training steps). */
export const FORGETTING_WINDOW = 10;

/**
 * Task i's windowed forgetting (De Lange et al., ICLR 2023, WF^w): the largest drop of its
 * accuracy from one evaluation point to a later one at most w batches later, over the points
 * from the end of its own training on (0 if it never drops). Null if no two such points lie
 * within w batches (evaluation too sparse to see a window).
 */
export function windowedForgetting(points: readonly EvalPoint[], i: number, w: number): number | null {
  const end = endPoint(points, i);
  if (!end) return null;
  const series = points
    .filter((p) => p === end || (p.afterTask > i && p.batchInTask > 0))
    .map((p) => ({ step: p.step, a: p.accuracy.get(i) }));
  if (!series.every((p) => known(p.a))) return null;
  let worst: number | null = null;
  for (let m = 0; m < series.length; m++) {
    for (let n = m + 1; n < series.length && series[n].step - series[m].step <= w; n++) {
      worst = Math.max(worst ?? 0, series[m].a! - series[n].a!);
    }
  }
  return worst;
}

export const windowedForgettingEntry: MetricEntry = {
  type: `WF${FORGETTING_WINDOW}`,
  description: `Windowed forgetting: each earlier task’s largest accuracy drop within a window of w = ${FORGETTING_WINDOW} batches after it was learned, mean over tasks 1..T−1 (De Lange et al. 2023)`,
  formula: `WF^w = 1/(T−1) Σ_{i<T} max_{m<n, step_n − step_m ≤ w} (a_i(m) − a_i(n)),  w = ${FORGETTING_WINDOW}`,
  higherIsBetter: false,
  options: {},
  compute({ R, trace }) {
    const T = R.length;
    const points = completePoints(trace, T);
    if (!points || T < 2) return null;
    return meanIfAllKnown(Array.from({ length: T - 1 }, (_, i) => windowedForgetting(points, i, FORGETTING_WINDOW)));
  },
};

import { type EvalPoint, completePoints } from './eval-points.js';
import { known, meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/**
 * For each task i but the last, the lowest accuracy it reaches at any evaluation point after its
 * own training ended (points after at least one batch of a later task), or null if it was never
 * scored there. De Lange et al. (ICLR 2023), min-ACC's inner minimum.
 */
export function minAccuracies(points: readonly EvalPoint[], T: number): (number | null)[] {
  return Array.from({ length: Math.max(T - 1, 0) }, (_, i) => {
    let low: number | null = null;
    for (const p of points) {
      if (p.afterTask <= i || p.batchInTask === 0) continue;
      const a = p.accuracy.get(i);
      if (!known(a)) return null;
      low = low === null ? a : Math.min(low, a);
    }
    return low;
  });
}

/** min-ACC over the whole stream: the mean of minAccuracies, or null if any is missing. */
export function minAcc(points: readonly EvalPoint[], T: number): number | null {
  return meanIfAllKnown(minAccuracies(points, T));
}

/** Average minimum accuracy of the earlier tasks (De Lange et al., ICLR 2023). */
export const minAccEntry: MetricEntry = {
  type: 'minACC',
  description: 'Average over tasks 1..T−1 of the lowest accuracy each reaches after it was learned, at any evaluation point (De Lange et al. 2023)',
  formula: 'min-ACC = 1/(T−1) Σ_{i<T} min_{n > end of task i} a_i(n)',
  higherIsBetter: true,
  options: {},
  compute({ R, trace }) {
    const points = completePoints(trace, R.length);
    return points ? minAcc(points, R.length) : null;
  },
};

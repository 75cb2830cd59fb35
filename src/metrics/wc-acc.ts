import { completePoints, endPoint } from './eval-points.js';
import { known } from './matrix-helpers.js';
import { minAcc } from './min-acc.js';
import type { MetricEntry } from './types.js';

/**
 * Worst-case accuracy at the end of the stream (De Lange et al., ICLR 2023): the last task's
 * accuracy weighted 1/T, the earlier tasks' min-ACC weighted (T−1)/T.
 */
export const wcAccEntry: MetricEntry = {
  type: 'WC-ACC',
  description: 'Worst-case accuracy: the last task’s final accuracy and the earlier tasks’ min-ACC, weighted 1/T and (T−1)/T (De Lange et al. 2023)',
  formula: 'WC-ACC = (1/T) a_T(end) + (1 − 1/T) min-ACC',
  higherIsBetter: true,
  options: {},
  compute({ R, trace }) {
    const T = R.length;
    const points = completePoints(trace, T);
    if (!points) return null;
    const current = endPoint(points, T - 1)?.accuracy.get(T - 1);
    if (!known(current)) return null;
    if (T === 1) return current;
    const worst = minAcc(points, T);
    return worst === null ? null : current / T + (1 - 1 / T) * worst;
  },
};

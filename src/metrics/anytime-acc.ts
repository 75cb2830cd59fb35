import { completePoints, firstTasks, meanAccuracy } from './eval-points.js';
import { meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/**
 * Average anytime accuracy (Caccia et al., ICLR 2022, AAA; De Lange et al. 2023 evaluate the same
 * way): the mean accuracy over the tasks seen so far (1..t while training on t), averaged over
 * every evaluation point after a batch. Points before a task's first batch repeat the previous
 * task's last point, so they are left out.
 */
export const anytimeAccEntry: MetricEntry = {
  type: 'AAA',
  description: 'Average anytime accuracy: mean accuracy over the tasks seen so far, averaged over every evaluation point of the run (Caccia et al. 2022)',
  formula: 'AAA = (1/|N|) Σ_{n∈N} (1/t_n) Σ_{j≤t_n} a_j(n),  t_n = task being trained at point n',
  higherIsBetter: true,
  options: {},
  compute({ R, trace }) {
    const points = completePoints(trace, R.length);
    if (!points) return null;
    return meanIfAllKnown(points.filter((p) => p.batchInTask > 0).map((p) => meanAccuracy(p, firstTasks(p.afterTask + 1))));
  },
};

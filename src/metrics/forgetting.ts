import { known } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** A-GEM's average forgetting after the last task: the drop from each task's best earlier score. */
export const forgetting: MetricEntry = {
  type: 'forgetting',
  description: 'Average forgetting after the last task (A-GEM F_T): best earlier score minus final score',
  formula: 'F_T = 1/(T−1) Σ_{j<T} max_{l<T} (R[l][j] − R[T][j])',
  higherIsBetter: false,
  options: {},
  compute({ R }) {
    const T = R.length;
    if (T < 2) return null;
    let sum = 0;
    for (let j = 0; j < T - 1; j++) {
      const final = R[T - 1][j];
      if (!known(final)) return null;
      let best = -Infinity;
      for (let l = 0; l < T - 1; l++) {
        const earlier = R[l][j];
        if (!known(earlier)) return null;
        best = Math.max(best, earlier - final);
      }
      sum += best;
    }
    return sum / (T - 1);
  },
};

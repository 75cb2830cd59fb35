import { known } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** Backward transfer: how training on later tasks changed the earlier ones (negative = forgetting). */
export const bwt: MetricEntry = {
  type: 'BWT',
  description: 'Backward transfer: mean change on earlier tasks from training on later ones (MER: BTI)',
  formula: 'BWT = 1/(T−1) Σ_{j<T} (R[T][j] − R[j][j])   (1/T with normalization "T")',
  higherIsBetter: true,
  options: {},
  compute({ R }, { normalization }) {
    const T = R.length;
    if (T < 2) return null;
    let sum = 0;
    for (let j = 0; j < T - 1; j++) {
      const last = R[T - 1][j];
      const diag = R[j][j];
      if (!known(last) || !known(diag)) return null;
      sum += last - diag;
    }
    return sum / (normalization === 'T' ? T : T - 1);
  },
};

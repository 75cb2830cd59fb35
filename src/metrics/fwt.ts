import { known } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** Forward transfer: how much earlier tasks help a task before it is trained on, versus chance init. */
export const fwt: MetricEntry = {
  type: 'FWT',
  description: 'Forward transfer: score on each task just before training on it, minus the untrained model’s',
  formula: 'FWT = 1/(T−1) Σ_{j≥2} (R[j−1][j] − b_j)   (1/T with normalization "T")',
  higherIsBetter: true,
  options: {},
  compute({ R, b }, { normalization }) {
    const T = R.length;
    if (T < 2) return null;
    let sum = 0;
    for (let j = 1; j < T; j++) {
      const before = R[j - 1][j];
      const base = b[j];
      if (!known(before) || !known(base)) return null;
      sum += before - base;
    }
    return sum / (normalization === 'T' ? T : T - 1);
  },
};

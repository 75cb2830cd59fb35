import { meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** Learning accuracy: how well each task is learnt right after training on it. */
export const la: MetricEntry = {
  type: 'LA',
  description: 'Learning accuracy: mean score on each task right after training on it (MER)',
  formula: 'LA = (1/T) Σ_j R[j][j]',
  higherIsBetter: true,
  options: {},
  compute({ R }) {
    return meanIfAllKnown(R.map((row, j) => row[j]));
  },
};

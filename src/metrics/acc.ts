import { meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry } from './types.js';

/** Average accuracy after the last task (MER's "retained accuracy", RA). */
export const acc: MetricEntry = {
  type: 'ACC',
  description: 'Average accuracy over all tasks after training on the last one (MER: RA)',
  formula: 'ACC = (1/T) Σ_j R[T][j]',
  higherIsBetter: true,
  options: {},
  compute({ R }) {
    const T = R.length;
    return T === 0 ? null : meanIfAllKnown(R[T - 1]);
  },
};

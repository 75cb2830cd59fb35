import { known } from './matrix-helpers.js';
import type { MetricEntry, Score } from './types.js';

/** Mean over tasks of Z[k][β'] for each β' = 0..β; null if any task lacks a point. */
export function averageLcaCurve(Z: readonly (readonly Score[])[], beta: number): Score[] {
  const curve: Score[] = [];
  for (let s = 0; s <= beta; s++) {
    const column = Z.map((row) => row[s]);
    curve.push(column.length > 0 && column.every(known) ? (column as number[]).reduce((a, b) => a + b, 0) / column.length : null);
  }
  return curve;
}

/** Learning curve area (A-GEM): how fast a new task is picked up in its first β minibatches. */
export const lca: MetricEntry = {
  type: 'LCA',
  description: 'Learning curve area over the first β minibatches of each task (A-GEM LCA_β)',
  formula: 'LCA_β = 1/(β+1) Σ_{b=0..β} Z_b,  Z_b = mean_k score on task k after b minibatches of it',
  higherIsBetter: true,
  options: {},
  compute({ Z }, { lcaBeta, lcaRule }) {
    const curve = averageLcaCurve(Z, lcaBeta);
    if (curve.length === 0 || !curve.every(known)) return null;
    const z = curve as number[];
    if (lcaRule === 'trapezoid') {
      if (lcaBeta === 0) return z[0];
      let area = 0;
      for (let s = 0; s < lcaBeta; s++) area += (z[s] + z[s + 1]) / 2;
      return area / lcaBeta;
    }
    return z.reduce((a, b) => a + b, 0) / z.length;
  },
};

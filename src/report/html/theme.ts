import type { Config } from 'vega-lite';

/** The page and the charts share one font stack and one palette. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Learner colours (Tableau 10, as in Vega): a learner keeps its colour in every chart of a report. */
export const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

export const INK = '#1e293b';
export const MUTED = '#64748b';
const GRID = '#e2e8f0';
const DOMAIN = '#94a3b8';

/** Colour of the i-th learner of a report. */
export function learnerColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** A colour scale that maps each learner to its report-wide colour. */
export function learnerScale(learners: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...learners], range: learners.map((_, i) => learnerColor(i)) };
}

export const vegaConfig: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelColor: MUTED,
    titleColor: INK,
    titleFontWeight: 600,
    titleFontSize: 12,
    labelFontSize: 11,
    gridColor: GRID,
    domainColor: DOMAIN,
    tickColor: DOMAIN,
    titlePadding: 8,
  },
  legend: { labelColor: INK, titleColor: INK, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600, symbolSize: 80 },
  header: { labelColor: INK, labelFontSize: 12, labelFontWeight: 600, titleFontSize: 12, titleColor: MUTED },
  title: { color: INK, fontSize: 13, fontWeight: 600, anchor: 'start', subtitleColor: MUTED },
  line: { strokeWidth: 2 },
  point: { filled: true, size: 40 },
  range: { category: PALETTE },
};

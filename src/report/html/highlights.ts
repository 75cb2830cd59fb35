import type { RunResult } from '../../runner/result.js';
import { bestLearners, formatDuration, formatScore } from '../format.js';
import { type SafeHtml, html } from './escape.js';
import { learnerColor } from './theme.js';

interface Tile {
  readonly label: string;
  readonly value: string;
  readonly learners?: readonly string[];
  readonly detail?: string;
}

/** The winner of a metric as a tile, or null when there is nothing to compare. */
function winner(result: RunResult, metric: string, label: string): Tile | null {
  const best = [...bestLearners(result, metric)];
  if (best.length === 0 || best.length === Object.keys(result.summary).length) return null;
  return { label, value: formatScore(result.summary[best[0]][metric]?.mean), learners: best };
}

/**
 * The answers a reader looks for first: who ends best, who forgets least, who adapts fastest, and
 * what it all cost. Left out when there is a single learner (nothing to rank).
 */
export function highlights(result: RunResult): SafeHtml | null {
  const learners = Object.keys(result.summary);
  if (learners.length < 2) return null;
  const regression = result.stream.kind === 'regression';
  const tiles = [
    winner(result, 'ACC', regression ? 'Lowest final loss · ACC' : 'Best final accuracy · ACC'),
    winner(result, 'forgetting', 'Least forgetting · F'),
    winner(result, 'LCA', 'Fastest adaptation · LCA'),
  ].filter((t): t is Tile => t !== null);
  const total = result.runs.reduce((a, r) => a + r.wallSeconds, 0);
  tiles.push({ label: 'Compute', value: formatDuration(total), detail: `${result.runs.length} runs on ${result.backend}` });
  return html`<div class="tiles">${tiles.map(
    (t) => html`<div class="tile"><div class="tile-label">${t.label}</div><div class="tile-value">${t.value}</div>
      <div class="tile-who">${
        t.learners
          ? t.learners.map((l, i) => html`${i ? ', ' : ''}<span class="swatch" style="background:${learnerColor(learners.indexOf(l))}"></span>${l}`)
          : t.detail
      }</div></div>`,
  )}</div>`;
}

import { metrics } from '../../metrics/registry.js';
import type { RunResult, SummaryCell } from '../../runner/result.js';
import { CLOSE, WARN } from '../console-summary.js';
import {
  MISSING,
  WALL_SECONDS,
  bestLearners,
  columnLabel,
  formatDiff,
  formatSummaryCell,
  formatScore,
  higherIsBetter,
  runsByLearner,
  summaryColumns,
} from '../format.js';
import { type SafeHtml, html } from './escape.js';
import { learnerColor } from './theme.js';

/** Rounding slack so that e.g. 0.551 − 0.531 counts as within 0.02. */
const EPSILON = 1e-9;

/** Columns with at least one number: drops non-scalar entries such as a few-shot adaptationCurve. */
export function tableColumns(result: RunResult): string[] {
  return summaryColumns(result).filter((column) =>
    Object.values(result.summary).some((cells) => typeof cells[column]?.mean === 'number'),
  );
}

/** "lr 0.03 · memory 200": a learner's options in a line (long values cut short). */
export function describeOptions(type: string, options: Record<string, unknown>, label?: string): string {
  // An option set to undefined from code (not JSON) is no setting at all.
  const parts = Object.entries(options).filter(([, value]) => value !== undefined).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key} ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
  });
  return [...(type === label ? [] : [type]), ...parts].join(' · ');
}

function diffClass(ours: number | null, paper: number): 'ok' | 'warn' | 'bad' | '' {
  if (ours === null || Number.isNaN(ours)) return '';
  const gap = Math.abs(ours - paper);
  if (gap <= CLOSE + EPSILON) return 'ok';
  if (gap <= WARN + EPSILON) return 'warn';
  return 'bad';
}

function valueCell(result: RunResult, learner: string, column: string, best: boolean, paper: number | undefined): SafeHtml {
  const cell = result.summary[learner]?.[column] as SummaryCell | undefined;
  const text = formatSummaryCell(result, learner, column);
  const [mean, sd] = text.split(' ± ');
  const reference =
    paper === undefined
      ? null
      : html`<span class="ref">paper ${paper} <span class="d ${diffClass(cell?.mean ?? null, paper)}">${formatDiff(cell?.mean ?? null, paper)}</span></span>`;
  const title = cell && cell.n > 0 ? `mean over ${cell.n} run${cell.n === 1 ? '' : 's'}` : 'not measured';
  return html`<td class="${best ? 'best' : ''}" title="${title}"><span class="v">${mean}</span>${sd ? html`<span class="sd">± ${sd}</span>` : null}${reference}</td>`;
}

/**
 * Learners × metrics, mean ± std over seeds, best per column highlighted; published values (when
 * the scenario carries them) under ours with the difference, coloured by how close it is.
 */
export function summaryTable(result: RunResult): SafeHtml {
  const learners = Object.keys(result.summary);
  if (learners.length === 0) return html`<p class="callout warn">No runs finished.</p>`;
  const columns = tableColumns(result);
  const reference = result.scenario.reference;
  const groups = runsByLearner(result);
  const head = columns.map((column) => {
    const higher = higherIsBetter(result, column);
    const description = metrics.has(column) ? metrics.get(column).description : column === WALL_SECONDS ? 'Wall-clock time of one run' : '';
    const arrow = higher === undefined ? '' : higher ? '↑' : '↓';
    return html`<th scope="col" title="${description}">${columnLabel(column)}<span class="dir">${arrow}</span></th>`;
  });
  const rows = learners.map((learner, index) => {
    const best = new Set(columns.filter((c) => bestLearners(result, c).has(learner)));
    const runs = groups.get(learner) ?? [];
    const first = runs[0];
    const completed = runs.filter((r) => r.status === 'completed' && !r.diverged).length;
    const seeds = completed === runs.length ? String(runs.length) : `${completed} of ${runs.length}`;
    const paper = (reference?.values[learner] ?? {}) as Record<string, number>;
    return html`<tr>
      <th scope="row"><span class="swatch" style="background:${learnerColor(index)}"></span>${learner}${
        first ? html`<span class="opts">${describeOptions(first.learnerType, first.options, learner)}</span>` : null
      }</th>
      <td title="completed runs">${seeds}</td>
      ${columns.map((c) => valueCell(result, learner, c, best.has(c), paper[c]))}
    </tr>`;
  });
  const paperOnly = Object.entries(reference?.values ?? {})
    .filter(([learner]) => !learners.includes(learner))
    .map(
      ([learner, values]) => html`<tr class="paper-only">
      <th scope="row">${learner}<span class="opts">published only: not run here</span></th>
      <td>${MISSING}</td>
      ${columns.map((c) => html`<td>${values[c] !== undefined ? html`<span class="v">${formatScore(values[c])}</span>` : MISSING}</td>`)}
    </tr>`,
    );
  const unmatched = Object.entries(reference?.values ?? {}).flatMap(([learner, values]) =>
    Object.keys(values)
      .filter((m) => !columns.includes(m))
      .map((m) => `${learner} ${m} = ${values[m]}`),
  );
  const regression = result.stream.kind === 'regression';
  return html`<div class="scroll"><table class="summary">
    <thead><tr><th scope="col">learner</th><th scope="col" title="completed runs (seeds)">seeds</th>${head}</tr></thead>
    <tbody>${rows}${paperOnly}</tbody>
  </table></div>
  <p class="note">Mean ± sample standard deviation over seeds; <span class="legend-pill"></span> best mean per metric
  (↑ higher is better, ↓ lower is better)${regression ? '; scores are test losses' : ''}.${
    reference
      ? html` Published values from <b>${reference.source}</b>, with ours − paper: <span class="ref" style="display:inline"><span class="d ok">within ${CLOSE}</span>, <span class="d warn">within ${WARN}</span>, <span class="d bad">further</span></span>.${
          reference.note ? html` ${reference.note}` : null
        }${unmatched.length ? html` Published but not measured here: ${unmatched.join(', ')}.` : null}`
      : null
  }</p>`;
}

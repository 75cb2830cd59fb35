import { Chalk, type ChalkInstance } from 'chalk';
import type { RunResult, SummaryCell } from '../runner/result.js';
import { isListMetric } from './adaptation-section.js';
import {
  MISSING,
  bestLearners,
  columnLabel,
  describeProblem,
  formatDiff,
  formatSummaryCell,
  problemRuns,
  summaryColumns,
} from './format.js';

/** |ours − paper| up to this is shown green, up to WARN yellow, beyond it red. */
export const CLOSE = 0.02;
export const WARN = 0.05;
/** Rounding slack, so that e.g. 0.551 − 0.531 still counts as ≤ 0.02. */
const EPSILON = 1e-9;

type Align = 'left' | 'right';
type Style = (text: string) => string;

/** One table cell: plain text (for widths and padding) plus a style applied after padding. */
interface Cell {
  readonly text: string;
  readonly style?: Style;
}

const GAP = '  ';

/**
 * Aligned rows: widths come from the plain text, each cell is padded first and styled after, so
 * ANSI codes never upset the alignment. A rule of '─' follows the header. Every line of the
 * result has the same visible length.
 */
function renderTable(header: readonly Cell[], align: readonly Align[], rows: readonly (readonly Cell[])[]): string[] {
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]?.text.length ?? 0)));
  const line = (row: readonly Cell[]): string =>
    widths
      .map((width, c) => {
        const cell = row[c] ?? { text: '' };
        const padded = align[c] === 'right' ? cell.text.padStart(width) : cell.text.padEnd(width);
        return cell.style ? cell.style(padded) : padded;
      })
      .join(GAP);
  const total = widths.reduce((a, w) => a + w, 0) + GAP.length * (widths.length - 1);
  return [line(header), '─'.repeat(total), ...rows.map(line)];
}

/** green / yellow / red by how far ours is from the published number. */
function diffStyle(chalk: ChalkInstance, ours: number | null, paper: number): Style | undefined {
  if (ours === null || Number.isNaN(ours)) return undefined;
  const gap = Math.abs(ours - paper);
  if (gap <= CLOSE + EPSILON) return chalk.green;
  if (gap <= WARN + EPSILON) return chalk.yellow;
  return chalk.red;
}

function summaryBlock(result: RunResult, chalk: ChalkInstance): string[] {
  const learners = Object.keys(result.summary);
  if (learners.length === 0) return [chalk.yellow('No runs finished.')];
  // Curves (a meta run's adaptationCurve, metaCurve) have no single number: the reports chart them.
  const all = summaryColumns(result);
  const columns = all.filter((c) => !isListMetric(result, c));
  const lists = all.filter((c) => isListMetric(result, c));
  const best = new Map(columns.map((c) => [c, bestLearners(result, c)]));
  const header: Cell[] = [{ text: 'learner' }, ...columns.map((c) => ({ text: columnLabel(c) }))].map((cell) => ({
    ...cell,
    style: chalk.bold,
  }));
  const rows = learners.map((learner): Cell[] => [
    { text: learner },
    ...columns.map((column): Cell => {
      const text = formatSummaryCell(result, learner, column);
      return best.get(column)?.has(learner) ? { text, style: chalk.bold.green } : { text };
    }),
  ]);
  const table = renderTable(header, ['left', ...columns.map((): Align => 'right')], rows);
  return lists.length > 0 ? [...table, chalk.dim(`curves (${lists.join(', ')}): see report.md and report.html`)] : table;
}

function referenceBlock(result: RunResult, chalk: ChalkInstance): string[] {
  const reference = result.scenario.reference;
  if (!reference) return [];
  const rows: Cell[][] = [];
  for (const [learner, values] of Object.entries(reference.values)) {
    const ours = result.summary[learner] as Record<string, SummaryCell> | undefined;
    for (const [metric, paper] of Object.entries(values)) {
      const cell = ours?.[metric];
      if (ours && !cell) continue; // a metric this run does not compute
      rows.push([
        { text: learner },
        { text: metric },
        cell ? { text: formatSummaryCell(result, learner, metric) } : { text: 'not run', style: chalk.dim },
        { text: String(paper) },
        cell ? { text: formatDiff(cell.mean, paper), style: diffStyle(chalk, cell.mean, paper) } : { text: MISSING },
      ]);
    }
  }
  if (rows.length === 0) return [];
  const header = ['learner', 'metric', 'ours', 'paper', 'diff'].map((text): Cell => ({ text, style: chalk.bold }));
  return [
    chalk.bold(`vs paper (${reference.source})`),
    ...renderTable(header, ['left', 'left', 'right', 'right', 'right'], rows),
  ];
}

function problemsBlock(result: RunResult, chalk: ChalkInstance): string[] {
  return problemRuns(result).map((run) =>
    chalk.red(`✗ ${run.learner} seed ${run.seed}: ${describeProblem(run, result.taskIds)}`),
  );
}

/** The end-of-run summary for the terminal: metrics table, comparison with the paper, problems. */
export function renderConsoleSummary(result: RunResult, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const title = [chalk.bold(result.scenario.name)];
  if (!result.complete) title.push(chalk.yellow('partial run (complete: false): only finished runs are included'));
  const blocks = [title, summaryBlock(result, chalk), referenceBlock(result, chalk), problemsBlock(result, chalk)];
  return `${blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join('\n'))
    .join('\n\n')}\n`;
}

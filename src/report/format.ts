import { metrics } from '../metrics/registry.js';
import type { RunRecord, RunResult, SummaryCell } from '../runner/result.js';
import { meanStd } from '../runner/summarize.js';
import type { AnchorValue } from '../scenario/types.js';

/** Shown for a value that was not measured (null, undefined or NaN). */
export const MISSING = '—';
/** U+2212, the typographic minus sign used for signed differences. */
export const MINUS = '−';
/** The summary key the runner adds beside the metrics. */
export const WALL_SECONDS = 'wallSeconds';

function isNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/** From this magnitude on a finite value prints in exponent form: fixed decimals would be a wall of digits. */
export const EXPONENT_FROM = 1e6;

/**
 * `v` with `digits` decimals, '—' when it is null, undefined or NaN. Never prints "-0.000". A finite
 * value with |v| ≥ 1e6 (a diverged loss) prints with two significant digits in exponent form: "4.7e+29".
 */
export function formatScore(v: number | null | undefined, digits = 3): string {
  if (!isNumber(v)) return MISSING;
  if (Number.isFinite(v) && Math.abs(v) >= EXPONENT_FROM) return v.toExponential(1);
  const text = v.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** "0.531 ± 0.012"; just "0.531" for a single run (or no std); '—' when there is no mean. */
export function formatMeanStd(cell: SummaryCell, digits = 3): string {
  if (!isNumber(cell.mean)) return MISSING;
  const mean = formatScore(cell.mean, digits);
  if (cell.n <= 1 || !isNumber(cell.std)) return mean;
  return `${mean} ± ${formatScore(cell.std, digits)}`;
}

/**
 * An outside anchor's figure: a single one through `single` (as printed, or with fixed decimals),
 * per-seed figures as "0.535 ± 0.034 (n=3)", the way our own means are shown; '—' when absent.
 */
export function formatAnchorValue(value: AnchorValue | undefined, single: (v: number) => string = (v) => formatScore(v)): string {
  if (value === undefined) return MISSING;
  if (typeof value === 'number') return single(value);
  return `${formatMeanStd(meanStd(value))} (n=${value.length})`;
}

/** The adaptation metric that counts steps: a whole number per run, null when the run never reached its target. */
export const STEPS_TO_TARGET = 'stepsToTarget';

/** A step count: whole numbers as such ("5"), a mean over seeds with one decimal ("5.5"). */
function formatSteps(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** A count per run: a whole number as such ("0"), a mean over seeds with one decimal ("1.3 ± 0.6"). */
function formatCount(cell: SummaryCell): string {
  if (!isNumber(cell.mean)) return MISSING;
  const spread = cell.n > 1 && isNumber(cell.std) && cell.std > 0 ? ` ± ${cell.std.toFixed(1)}` : '';
  return `${formatSteps(cell.mean)}${spread}`;
}

/**
 * stepsToTarget over `measured` runs, of which `cell.n` reached the target: "5", "5.5 ± 0.7" over
 * seeds, "never" when none did, and "(2/3 reached)" after the mean when only some did (the mean is
 * over those).
 */
export function formatStepsToTarget(cell: SummaryCell, measured: number): string {
  if (!isNumber(cell.mean)) return measured > 0 ? 'never' : MISSING;
  const spread = cell.n > 1 && isNumber(cell.std) ? ` ± ${cell.std.toFixed(1)}` : '';
  const partial = cell.n < measured ? ` (${cell.n}/${measured} reached)` : '';
  return `${formatSteps(cell.mean)}${spread}${partial}`;
}

/** Continual-evaluation metrics that count batches (src/metrics/stability-gap.ts, adaptation-speed.ts). */
const BATCH_COUNTS = new Set(['gapRecovery', 'stepsTo90']);
/** The adaptation metric that counts meta-test episodes (src/metrics/adaptation.ts). */
export const DIVERGED_EPISODES = 'divergedEpisodes';

/**
 * The text of summary[learner][column]: wall time and batch counts with 1 decimal, stepsToTarget
 * as a step count (or "never"), divergedEpisodes as a count ("0", "1.3 ± 0.6" over seeds), any other
 * metric as a score with 3 decimals, followed by "(2 of 3 runs)" when only some of the completed
 * runs have a value; '—' when the learner has no such cell.
 */
export function formatSummaryCell(result: RunResult, learner: string, column: string): string {
  const cell = result.summary[learner]?.[column] as SummaryCell | undefined;
  if (!cell) return MISSING;
  const reporting = result.runs.filter((run) => run.learner === learner && column in run.metrics);
  if (column === STEPS_TO_TARGET) return formatStepsToTarget(cell, reporting.length);
  if (column === DIVERGED_EPISODES) return formatCount(cell);
  const text = formatMeanStd(cell, column === WALL_SECONDS || BATCH_COUNTS.has(column) ? 1 : 3);
  // A completed run can still have no value (a non-finite meta-test episode): the mean then covers
  // only some seeds and says so. Diverged and failed runs are listed as such in every report.
  const completed = reporting.filter((run) => run.status === 'completed').length;
  return isNumber(cell.mean) && cell.n < completed ? `${text} (${cell.n} of ${completed} runs)` : text;
}

/**
 * ours − paper with an explicit sign: "+0.012", "−0.040" (U+2212). A difference that rounds to
 * zero prints as "±0.000"; '—' when ours is unknown.
 */
export function formatDiff(ours: number | null, paper: number, digits = 3): string {
  if (!isNumber(ours) || !isNumber(paper)) return MISSING;
  const diff = ours - paper;
  const magnitude = formatScore(Math.abs(diff), digits);
  if (Number(magnitude) === 0) return `±${magnitude}`;
  return `${diff > 0 ? '+' : MINUS}${magnitude}`;
}

/**
 * The summary's columns: registered metrics present in result.summary (registry order), then any
 * metric the registry does not know (e.g. a plugin not loaded now; first-seen order), then
 * 'wallSeconds' if present.
 */
export function summaryColumns(result: RunResult): string[] {
  const present: string[] = [];
  for (const cells of Object.values(result.summary)) {
    for (const name of Object.keys(cells)) if (!present.includes(name)) present.push(name);
  }
  // A registered metric no learner measured (the continual-evaluation ones on a run scored at task
  // ends only) would be a column of dashes.
  const measured = (name: string) => Object.values(result.summary).some((cells) => typeof cells[name]?.mean === 'number');
  const registered = metrics.names().filter((name) => present.includes(name) && measured(name));
  const unknown = present.filter((name) => name !== WALL_SECONDS && !registered.includes(name));
  return [...registered, ...unknown, ...(present.includes(WALL_SECONDS) ? [WALL_SECONDS] : [])];
}

/** Header text of a summary column. */
export function columnLabel(column: string): string {
  return column === WALL_SECONDS ? 'wall s' : column;
}

/**
 * Whether larger values of a metric are better, or undefined when the metric has no direction
 * (wall time, unregistered metrics). On regression streams the matrices hold test losses instead
 * of accuracies, so every registered direction flips.
 */
export function higherIsBetter(result: RunResult, column: string): boolean | undefined {
  if (column === WALL_SECONDS || !metrics.has(column)) return undefined;
  const higher = metrics.get(column).higherIsBetter;
  return result.stream.kind === 'regression' ? !higher : higher;
}

/**
 * The learners whose mean is best in `column` (ties at the printed precision all win). Empty when
 * the column has no direction, fewer than two learners have a value, or all of them tie (nothing
 * to compare).
 */
export function bestLearners(result: RunResult, column: string, digits = 3): Set<string> {
  const higher = higherIsBetter(result, column);
  if (higher === undefined) return new Set();
  const means: [string, number][] = [];
  for (const [learner, cells] of Object.entries(result.summary)) {
    const mean = cells[column]?.mean;
    if (isNumber(mean)) means.push([learner, Number(mean.toFixed(digits))]);
  }
  if (means.length < 2) return new Set();
  const best = higher ? Math.max(...means.map(([, m]) => m)) : Math.min(...means.map(([, m]) => m));
  const winners = means.filter(([, m]) => m === best).map(([learner]) => learner);
  // A column where every learner ties (class-incremental FWT, by construction) has no best.
  return winners.length === means.length ? new Set() : new Set(winners);
}

/** A loss as logged: a number, or "NaN" / "Infinity" as result.json keeps them (null, in older results, is "not finite"). */
function formatLoss(loss: number | string | null | undefined): string {
  if (typeof loss === 'string') return loss;
  if (typeof loss !== 'number') return 'non-finite';
  return Number.isFinite(loss) ? String(Number(loss.toPrecision(4))) : String(loss);
}

/** The meta-test episodes on which a meta run's fine-tuning diverged (0 for a continual run). */
export function divergedEpisodesOf(run: RunRecord): number {
  const count = run.metrics[DIVERGED_EPISODES];
  return typeof count === 'number' ? count : 0;
}

/** Runs that did not complete (failed or diverged), and meta runs whose fine-tuning diverged on some episode. */
export function problemRuns(result: RunResult): RunRecord[] {
  return result.runs.filter((run) => run.status !== 'completed' || run.diverged !== undefined || divergedEpisodesOf(run) > 0);
}

/**
 * What went wrong, on one line, starting with the status: "diverged at task 1 (rot-45), step 57
 * (loss NaN)", "failed: <error>" or "completed; fine-tuning diverged on 2 meta-test episodes (divergedEpisodes)".
 */
export function describeProblem(run: RunRecord, taskIds: readonly string[] = []): string {
  const parts: string[] = [];
  if (run.diverged) {
    const { task, step, loss } = run.diverged;
    const id = (run.taskIds ?? taskIds)[task]; // the run's own tasks: each seed may draw others
    parts.push(`diverged at task ${task}${id !== undefined ? ` (${id})` : ''}, step ${step} (loss ${formatLoss(loss)})`);
  } else if (run.status === 'diverged') {
    parts.push('diverged');
  }
  const error = run.error?.replace(/\s*\n\s*/g, ' ').trim();
  if (run.status === 'failed') parts.push(`failed${error ? `: ${error}` : ' (no error message)'}`);
  else if (error) parts.push(`error: ${error}`);
  if (parts.length === 0) parts.push(run.status);
  const episodes = divergedEpisodesOf(run);
  if (episodes > 0) parts.push(`fine-tuning diverged on ${episodes} meta-test episode${episodes === 1 ? '' : 's'} (divergedEpisodes)`);
  return parts.join('; ');
}

/** Runs grouped by learner: summary order first, then learners only seen in runs. */
export function runsByLearner(result: RunResult): Map<string, RunRecord[]> {
  const groups = new Map<string, RunRecord[]>(Object.keys(result.summary).map((l) => [l, []]));
  for (const run of result.runs) groups.set(run.learner, [...(groups.get(run.learner) ?? []), run]);
  return groups;
}

/** "1h02m", "3m05s", "42s" ('?' for a negative or non-finite time). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

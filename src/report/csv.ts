import type { RunRecord } from '../runner/result.js';
import { WALL_SECONDS } from './format.js';
import { tableColumns } from './html/summary-table.js';
import type { ReportGroup } from './load-results.js';

type CsvValue = string | number | null | undefined;

/**
 * One CSV field (RFC 4180). Numbers keep full precision; text that a spreadsheet would run as a
 * formula (= + - @ at the start) is prefixed with a quote.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(rows: readonly (readonly CsvValue[])[]): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** Numeric metric columns across all groups, in table order (wall time has its own columns). */
function metricColumns(groups: readonly ReportGroup[]): string[] {
  const columns: string[] = [];
  for (const g of groups) for (const c of tableColumns(g.result)) if (c !== WALL_SECONDS && !columns.includes(c)) columns.push(c);
  return columns;
}

function mean(values: readonly (number | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** One row per (scenario, learner): mean, std and n of every metric, wall time and peak memory. */
export function summaryCsv(groups: readonly ReportGroup[]): string {
  const metrics = metricColumns(groups);
  const header = [
    'scenario', 'fingerprint', 'learner', 'learner_type', 'runs',
    ...metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_n`]),
    'wall_seconds_mean', 'wall_seconds_std', 'peak_rss_bytes_mean', 'peak_tensor_bytes_mean',
  ];
  const rows: CsvValue[][] = [header];
  for (const g of groups) {
    for (const [learner, cells] of Object.entries(g.result.summary)) {
      const runs = g.result.runs.filter((r) => r.learner === learner);
      rows.push([
        g.result.scenario.name, g.fingerprint, learner, runs[0]?.learnerType, runs.length,
        ...metrics.flatMap((m) => [cells[m]?.mean, cells[m]?.std, cells[m]?.n ?? 0]),
        cells[WALL_SECONDS]?.mean, cells[WALL_SECONDS]?.std,
        mean(runs.map((r) => r.peakRssBytes)), mean(runs.map((r) => r.peakTensorBytes)),
      ]);
    }
  }
  return csv(rows);
}

function metricValue(run: RunRecord, metric: string): number | null {
  const v = run.metrics[metric];
  return typeof v === 'number' ? v : null;
}

/** One row per run (learner × seed), for analyses of your own. */
export function runsCsv(groups: readonly ReportGroup[]): string {
  const metrics = metricColumns(groups);
  const header = [
    'scenario', 'fingerprint', 'learner', 'learner_type', 'seed', 'status', 'backend',
    ...metrics, 'wall_seconds', 'peak_rss_bytes', 'peak_tensor_bytes', 'error',
  ];
  const rows: CsvValue[][] = [header];
  for (const g of groups) {
    for (const run of g.result.runs) {
      rows.push([
        g.result.scenario.name, g.fingerprint, run.learner, run.learnerType, run.seed, run.diverged ? 'diverged' : run.status,
        g.result.backend, ...metrics.map((m) => metricValue(run, m)), run.wallSeconds, run.peakRssBytes, run.peakTensorBytes, run.error,
      ]);
    }
  }
  return csv(rows);
}

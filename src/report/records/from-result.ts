import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { RunRecord, RunResult } from '../../runner/result.js';
import type { StabilityGap } from '../../metrics/stability-gap.js';
import type { AdaptationPoint } from '../../metrics/adaptation.js';
import type { MetricValues, Score } from '../../metrics/types.js';
import { scenarioFingerprint } from '../load-results.js';
import { RECORD_DECIMALS, RECORD_FORMAT, RECORD_VERSION, type RecordedRun, type ReproductionRecord } from './format.js';

const SCALE = 10 ** RECORD_DECIMALS;

function round(value: number): number {
  return Math.round(value * SCALE) / SCALE;
}

function roundScores(values: readonly Score[]): Score[] {
  return values.map((v) => (v === null ? null : round(v)));
}

function roundGap(gap: StabilityGap | null): StabilityGap | null {
  return gap && { ...gap, atSwitch: round(gap.atSwitch), depth: round(gap.depth) };
}

/**
 * The metrics, exactly; of a meta run's two curves (stored among them) the adaptation curve, the
 * evidence of its adapt@k, rounded, and not the meta-training curve.
 */
function recordMetrics(metrics: MetricValues): MetricValues {
  const { metaCurve: _metaCurve, adaptationCurve, ...scalars } = metrics as Record<string, unknown>;
  if (!Array.isArray(adaptationCurve)) return scalars as MetricValues;
  // A point with no finite episode has no mean (null in result.json): it stays null, not 0.
  const roundKnown = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? round(v) : null);
  const points = (adaptationCurve as AdaptationPoint[]).map((p) => ({ ...p, mean: roundKnown(p.mean), ci95: roundKnown(p.ci95) }));
  return { ...scalars, adaptationCurve: points } as unknown as MetricValues;
}

/** The run without curves and evaluation subset; its task ids only where they differ from the result's. */
function recordRun(run: RunRecord, taskIds: readonly string[]): RecordedRun {
  const { curves: _curves, evalSubset: _subset, taskIds: ownTaskIds, ...kept } = run;
  const sameTasks = ownTaskIds === undefined || ownTaskIds.join('\0') === taskIds.join('\0');
  return {
    ...kept,
    ...(sameTasks ? {} : { taskIds: ownTaskIds }),
    wallSeconds: Math.round(run.wallSeconds * 1000) / 1000,
    accuracyMatrix: run.accuracyMatrix.map(roundScores),
    ...(run.taskILAccuracyMatrix ? { taskILAccuracyMatrix: run.taskILAccuracyMatrix.map(roundScores) } : {}),
    baseline: roundScores(run.baseline),
    lcaCurve: roundScores(run.lcaCurve),
    ...(run.stabilityGaps ? { stabilityGaps: run.stabilityGaps.map(roundGap) } : {}),
    metrics: recordMetrics(run.metrics),
  };
}

/** The repository a file lies in: the nearest folder above it holding `.git` (a folder, or a worktree's file). */
export function repositoryRoot(file: string): string | undefined {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** An absolute path inside `root` as a path relative to it ("." for the root itself); others unchanged. */
function relativeInside(path: string, root: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(root, path);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/**
 * The command line with every absolute path under `root` made relative to it, in bare arguments
 * and in KEY=PATH ones (`--out=/repo/reports/x`, `--set stream.path=/repo/data`), so the command
 * reads the same in every checkout. Paths outside the repository are left as they are.
 */
export function relativeCommand(command: string, root: string): string {
  return command
    .split(' ')
    .map((word) => {
      const eq = word.indexOf('=');
      if (eq > 0 && isAbsolute(word.slice(eq + 1))) return `${word.slice(0, eq + 1)}${relativeInside(word.slice(eq + 1), root)}`;
      return relativeInside(word, root);
    })
    .join(' ');
}

/** Absolute paths left in a command line (outside the repository, so not made relative). */
export function absolutePaths(command: string): string[] {
  return command.split(' ').map((word) => word.slice(word.indexOf('=') + 1)).filter((path) => path.startsWith('/'));
}

/**
 * The record of one result file. `root` is the repository the run was made in (its paths are
 * written relative to it). The stream's `path` (where the data sat on that machine) is left out:
 * it is no setting of the experiment, and the fingerprint ignores it too.
 */
export function recordFromResult(result: RunResult, file: string, root: string): ReproductionRecord {
  const { path: _path, ...stream } = result.scenario.stream;
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    fingerprint: scenarioFingerprint(result),
    source: relativeInside(resolve(file), root),
    ...(result.command !== undefined ? { command: relativeCommand(result.command, root) } : {}),
    ...(result.overrides?.length ? { overrides: [...result.overrides] } : {}),
    createdAt: result.createdAt,
    complete: result.complete,
    clbench: result.clbench,
    backend: result.backend,
    versions: result.versions ?? {},
    scenario: { ...result.scenario, stream },
    stream: result.stream,
    taskIds: result.taskIds,
    metricOptions: result.metricOptions,
    runs: result.runs.map((run) => recordRun(run, result.taskIds)),
  };
}

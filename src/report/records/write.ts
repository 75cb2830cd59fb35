import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LoadedResult } from '../load-results.js';
import { ClbenchError } from '../../util/errors.js';
import type { ReproductionRecord } from './format.js';
import { recordFromResult, repositoryRoot } from './from-result.js';

const LINE = 120;

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** One-line JSON with a space after ',' and ':' ; undefined members left out, as JSON.stringify does. */
function inline(value: unknown): string {
  if (isPrimitive(value)) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
}

/**
 * Indented JSON where a list of numbers is always one line (a matrix row of 100 tasks too) and a
 * short object or list of lists fits on one line when it can.
 */
function layout(value: unknown, indent: string, prefix: number): string {
  if (isPrimitive(value) || (Array.isArray(value) && value.every(isPrimitive))) return inline(value);
  const flat = inline(value);
  if (indent.length + prefix + flat.length <= LINE) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${layout(v, inner, 0)}`).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const lines = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, inner, JSON.stringify(k).length + 2)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** A record as committed: one line per matrix row and per short object, so a diff shows the value that changed. */
export function recordText(record: ReproductionRecord): string {
  return `${layout(record, '', 0)}\n`;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A name safe as one path segment. */
function segment(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'result';
}

/** reports/reproductions/der-seq-mnist-er/result.json → "der-seq-mnist-er"; runs/a.json → "a". */
export function recordName(resultFile: string): string {
  return segment(basename(resultFile) === 'result.json' ? basename(dirname(resultFile)) : basename(resultFile).replace(/\.json$/, ''));
}

export interface RecordOptions {
  /** Folder of records; each goes to <into>/<scenario>/<name>.json. */
  readonly into: string;
  /** The record's name, for a single result (default: the result's folder name). */
  readonly name?: string;
  /** The repository the runs were made in (default: the one holding each result file). */
  readonly root?: string;
  /** Keep only the runs of these learners (labels), e.g. to record a result's other learners apart. */
  readonly learners?: readonly string[];
  /** Keep the runs of every learner but these (labels). */
  readonly except?: readonly string[];
}

/**
 * The results with only the runs `--learners` keeps or `--except` leaves (each label must name a
 * learner run in at least one of the results, and each result must keep a run). The result's
 * scenario and command stay as they were: they still say how the kept runs were made.
 */
export function selectRecordedRuns(loaded: readonly LoadedResult[], options: Pick<RecordOptions, 'learners' | 'except'>): LoadedResult[] {
  const { learners, except } = options;
  if (learners && except) throw new ClbenchError('--learners and --except: give one of them');
  const labels = learners ?? except;
  if (!labels) return [...loaded];
  const flag = learners ? '--learners' : '--except';
  const ran = new Set(loaded.flatMap(({ result }) => result.runs.map((r) => r.learner)));
  const unknown = labels.filter((l) => !ran.has(l));
  if (unknown.length > 0) throw new ClbenchError(`${flag}: ${unknown.map((u) => `'${u}'`).join(', ')} ran in none of the results; they ran: ${[...ran].join(', ')}`);
  return loaded.map(({ file, result }) => {
    const runs = result.runs.filter((r) => labels.includes(r.learner) === Boolean(learners));
    if (runs.length === 0) throw new ClbenchError(`${flag}: no run of ${file} is left to record`);
    return { file, result: { ...result, runs } };
  });
}

export interface WrittenRecord {
  readonly file: string;
  readonly record: ReproductionRecord;
}

/**
 * Writes one record per result, replacing a record of the same name (a result recorded again after
 * its run finished). Two results that would get the same file are refused before anything is written.
 */
export function writeRecords(loaded: readonly LoadedResult[], options: RecordOptions): WrittenRecord[] {
  if (options.name !== undefined && loaded.length !== 1) {
    throw new ClbenchError(`--name names one record, but ${loaded.length} result files were given`);
  }
  if (options.name !== undefined && !SAFE_NAME.test(options.name)) {
    throw new ClbenchError(`--name '${options.name}': use letters, digits, '.', '_' and '-' only`);
  }
  const planned = selectRecordedRuns(loaded, options).map(({ file, result }) => {
    const root = options.root ?? repositoryRoot(file) ?? process.cwd();
    const record = recordFromResult(result, file, root);
    return { from: file, file: join(options.into, segment(result.scenario.name), `${options.name ?? recordName(file)}.json`), record };
  });
  const byFile = new Map<string, string>();
  for (const { from, file } of planned) {
    const other = byFile.get(file);
    if (other) throw new ClbenchError(`${other} and ${from} would both be recorded as ${file}; record them one at a time with --name`);
    byFile.set(file, from);
  }
  for (const { file, record } of planned) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, recordText(record));
  }
  return planned.map(({ file, record }) => ({ file, record }));
}

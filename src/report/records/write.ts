import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import stringify from 'json-stringify-pretty-compact';
import type { LoadedResult } from '../load-results.js';
import { ClbenchError } from '../../util/errors.js';
import type { ReproductionRecord } from './format.js';
import { recordFromResult, repositoryRoot } from './from-result.js';

/** A record as committed: one line per matrix row and per short object, so a diff shows what changed. */
export function recordText(record: ReproductionRecord): string {
  return `${stringify(record, { maxLength: 120 })}\n`;
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
  const planned = loaded.map(({ file, result }) => {
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

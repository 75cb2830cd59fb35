import { Ajv, type ValidateFunction } from 'ajv';
import { summarizeRuns } from '../../runner/summarize.js';
import type { RunResult } from '../../runner/result.js';
import { formatAjvError } from '../../scenario/format-errors.js';
import { ClbenchError } from '../../util/errors.js';
import { type LoadedResult, collectFiles, readJsonFile, scenarioFingerprint } from '../load-results.js';
import { type ReproductionRecord, recordSchema } from './format.js';

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(recordSchema);
  return validator;
}

/** The result a record stands for: no curves, and the summary recomputed from the runs. */
export function resultOfRecord(record: ReproductionRecord): RunResult {
  const runs = record.runs.map((run) => ({ ...run, curves: [] }));
  return {
    clbench: record.clbench,
    createdAt: record.createdAt,
    ...(record.command !== undefined ? { command: record.command } : {}),
    ...(record.overrides ? { overrides: record.overrides } : {}),
    complete: record.complete,
    backend: record.backend,
    versions: record.versions,
    scenario: record.scenario,
    stream: record.stream,
    taskIds: record.taskIds,
    metricOptions: record.metricOptions,
    runs,
    summary: summarizeRuns(runs),
  };
}

function isResultFile(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !('format' in value) && 'runs' in value && 'summary' in value;
}

/**
 * The result a parsed record stands for, after checking it against the schema and its fingerprint
 * against its settings; throws one error naming the file and every field at fault.
 */
function checkedResultOf(value: unknown, file: string): RunResult {
  const check = validate();
  if (isResultFile(value)) {
    throw new ClbenchError(`${file}: this is a result.json, not a reproduction record; record it first: clbench reproductions record ${file}`);
  }
  if (!check(value)) {
    // An anyOf reports each of its branches: identical lines are shown once.
    const seen = new Set<string>();
    const lines = (check.errors ?? []).map((e) => formatAjvError(e)).filter((line) => !seen.has(line) && seen.add(line));
    throw new ClbenchError(`${file}: invalid reproduction record:\n  ${lines.join('\n  ')}`);
  }
  const record = value as ReproductionRecord;
  const result = resultOfRecord(record);
  const actual = scenarioFingerprint(result);
  if (actual !== record.fingerprint) {
    throw new ClbenchError(
      `${file}: fingerprint: '${record.fingerprint}' is not that of the recorded settings ('${actual}'): ` +
        'the stream, model, protocol or metric settings were changed after recording; record the result again instead of editing the record',
    );
  }
  return result;
}

export function readRecordFile(file: string): LoadedResult {
  return { file, result: checkedResultOf(readJsonFile(file), file) };
}

/**
 * Reads reproduction records: each path a record file, or a folder searched recursively for *.json
 * (an empty folder is no error: a checkout may have no records yet). A path that does not exist is an error.
 */
export function loadRecords(paths: readonly string[]): LoadedResult[] {
  return collectFiles(paths, {
    accept: (name) => name.endsWith('.json'),
    missing: (path) => `${path}: no such record file or folder`,
  }).map(readRecordFile);
}

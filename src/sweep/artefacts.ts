import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeRuns } from '../runner/summarize.js';
import type { MetricOptions } from '../metrics/types.js';
import type { RunRecord, RunResult } from '../runner/result.js';
import { sharedTaskIds } from '../runner/task-ids.js';
import type { Scenario } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';
import { writeJsonAtomic } from '../util/write-json.js';

/** A run's folder under the sweep's output dir: readable, and unique by the identity. */
export function runDirName(label: string, seed: number, id: string): string {
  return `${label.replace(/\]$/, '').replace(/[^A-Za-z0-9._=+-]+/g, '_')}.seed${seed}.${id}`;
}

export function runDir(outDir: string, label: string, seed: number, id: string): string {
  return join(outDir, 'runs', runDirName(label, seed, id));
}

export interface ResultParts {
  readonly scenario: Scenario;
  readonly stream: StreamInfo;
  /** Labels for runs that carry no task ids of their own (results of older stores). */
  readonly taskIds?: readonly string[];
  readonly metricOptions: MetricOptions;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly runs: readonly RunRecord[];
  readonly complete: boolean;
  readonly command?: string;
  readonly createdAt?: string;
}

/** The result.json shape (src/runner/result.ts) for a set of runs. */
export function buildRunResult(p: ResultParts): RunResult {
  return {
    clbench: p.versions.clbench ?? 'unknown',
    createdAt: p.createdAt ?? new Date().toISOString(),
    ...(p.command ? { command: p.command } : {}),
    complete: p.complete,
    backend: p.backend,
    versions: p.versions,
    scenario: p.scenario,
    stream: p.stream,
    taskIds: sharedTaskIds(p.runs, p.taskIds),
    metricOptions: p.metricOptions,
    runs: [...p.runs],
    summary: summarizeRuns(p.runs),
  };
}

export function writeResultJson(dir: string, result: RunResult): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, 'result.json'), result);
}

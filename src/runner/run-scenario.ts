import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import type { BackendInfo } from '../backend/select.js';
import { summarizeRuns } from '../metrics/summarize.js';
import type { MetricOptions } from '../metrics/types.js';
import { renderRunHtml } from '../report/html/render-html.js';
import { renderMarkdown } from '../report/markdown.js';
import { type Scenario, isMetaProtocol, learnerLabel, learnerOptions } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/write-json.js';
import { checkModelSize, checkResidentTests, checkStreamSize } from '../scenario/limits.js';
import { collectRun } from './collect-run.js';
import { createModel } from './driver.js';
import type { RunEvent } from './events.js';
import { type Registries, registries as defaultRegistries } from './registries.js';
import type { RunRecord, RunResult } from './result.js';
import { createTaskDistribution, runPlan } from './run-meta.js';
import { createStream } from './run-one.js';
import { JsonlLog } from './sinks/jsonl-log.js';
import { sharedTaskIds } from './task-ids.js';

export interface RunScenarioOptions {
  /** Folder for events.jsonl, result.json, report.md and report.html (created if missing). */
  readonly outDir: string;
  readonly backend: BackendInfo;
  /** Sees every event of every run (progress display, live plots). */
  readonly onEvent?: (event: RunEvent) => void;
  /** Called before each run starts, with its position in the plan. */
  readonly onRunStart?: (run: { learner: string; seed: number; index: number; total: number }) => void;
  readonly registries?: Registries;
  /** The command line to record in result.json (the CLI passes its own). */
  readonly command?: string;
  /** The --set overrides the scenario was resolved with, recorded in result.json. */
  readonly overrides?: readonly string[];
}

export interface StreamPreview {
  readonly info: StreamInfo;
  readonly taskIds: string[];
}

/** Builds the stream once up front: missing data and impossible settings fail before any run. */
export async function previewStream(scenario: Scenario, regs: Registries = defaultRegistries): Promise<StreamPreview> {
  // Meta-learning: the stream must be a task distribution; its tasks are episodes, not a sequence to report.
  if (isMetaProtocol(scenario.protocol)) {
    const { info } = createTaskDistribution({ scenario, seed: scenario.seeds[0] }, regs);
    checkModelSize(createModel(scenario, info, regs));
    return { info, taskIds: [] };
  }
  const stream = createStream(scenario, scenario.seeds[0], regs);
  // Before listing the tasks: listing a billion of them would block for good.
  checkStreamSize(stream.info);
  checkModelSize(createModel(scenario, stream.info, regs));
  const tasks = await lastValueFrom(stream.tasks().pipe(toArray()));
  if (tasks.length > 0) checkResidentTests(stream.info, tasks[0].test().n);
  if (scenario.protocol.taskFree && stream.info.heads > 1) {
    throw new ClbenchError(`stream '${scenario.stream.type}' gives one head per task, which needs task ids, but protocol.taskFree is true`);
  }
  return { info: stream.info, taskIds: tasks.map((t) => t.id) };
}

export function metricOptionsOf(scenario: Scenario): MetricOptions {
  return { normalization: scenario.metrics.normalization, lcaRule: scenario.metrics.lcaRule, lcaBeta: scenario.protocol.lcaBeta };
}

/**
 * Runs every (learner, seed) of a scenario in turn. Results are written as they arrive:
 * events.jsonl per event, result.json after every run (complete: false until the end), and
 * report.md and report.html at the end. Returns the final result.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunResult> {
  const regs = options.registries ?? defaultRegistries;
  const { info, taskIds } = await previewStream(scenario, regs);
  mkdirSync(options.outDir, { recursive: true });
  // A reused folder must not show an earlier scenario's reports beside this run's partial result.
  for (const stale of ['report.md', 'report.html']) rmSync(join(options.outDir, stale), { force: true });
  const log = new JsonlLog(join(options.outDir, 'events.jsonl'));
  const metricOptions = metricOptionsOf(scenario);
  const runs: RunRecord[] = [];
  const snapshot = (complete: boolean): RunResult => ({
    clbench: options.backend.versions.clbench ?? 'unknown',
    createdAt: new Date().toISOString(),
    ...(options.command ? { command: options.command } : {}),
    ...(options.overrides?.length ? { overrides: options.overrides } : {}),
    complete,
    backend: options.backend.name,
    versions: options.backend.versions,
    scenario,
    stream: info,
    taskIds: sharedTaskIds(taskIds, runs),
    metricOptions,
    runs,
    summary: summarizeRuns(runs),
  });
  const plan = scenario.learners.flatMap((learner) => scenario.seeds.map((seed) => ({ learner, seed })));
  // Written before the first run, so an interrupted run always leaves a result.json (complete: false).
  writeJsonAtomic(join(options.outDir, 'result.json'), snapshot(false));
  try {
    for (const [index, { learner, seed }] of plan.entries()) {
      const label = learnerLabel(learner);
      options.onRunStart?.({ learner: label, seed, index, total: plan.length });
      const record = await collectRun(
        runPlan({ scenario, learner, seed }, regs),
        {
          learner: label, learnerType: learner.type, options: learnerOptions(learner), seed,
          numTasks: info.numTasks, score: info.kind === 'classification' ? 'accuracy' : 'loss',
        },
        metricOptions,
        (event) => {
          log.write(event);
          options.onEvent?.(event);
        },
      );
      runs.push(record);
      writeJsonAtomic(join(options.outDir, 'result.json'), snapshot(false));
    }
  } finally {
    log.close();
  }
  const result = snapshot(true);
  writeJsonAtomic(join(options.outDir, 'result.json'), result);
  writeFileSync(join(options.outDir, 'report.md'), renderMarkdown(result));
  writeFileSync(join(options.outDir, 'report.html'), await renderRunHtml(result));
  return result;
}

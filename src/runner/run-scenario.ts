import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, take } from 'rxjs';
import type { BackendInfo } from '../backend/select.js';
import { summarizeRuns } from './summarize.js';
import { type Scenario, isMetaProtocol, learnerLabel } from '../scenario/types.js';
import type { StreamInfo } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/write-json.js';
import type { RunEvent } from '../events/run-events.js';
import { checkModelSize, checkResidentTests, checkStreamSize, parameterCount } from '../scenario/limits.js';
import { createModel, createStream, createTaskDistribution } from './factories.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';
import type { RunRecord, RunResult } from './result.js';
import { runLength } from './run-one.js';
import { metricOptionsOf, runAndCollect } from './run-plan.js';
import { JsonlLog } from './sinks/jsonl-log.js';
import { sharedTaskIds } from './task-ids.js';

export interface RunScenarioOptions {
  /** Folder for events.jsonl and result.json (created if missing). */
  readonly outDir: string;
  readonly backend: BackendInfo;
  /** Sees every event of every run (progress display, live plots). */
  readonly onEvent?: (event: RunEvent) => void;
  /** Called before each run starts, with its position in the plan. */
  readonly onRunStart?: (run: { learner: string; seed: number; index: number; total: number }) => void;
  readonly registries?: Registries;
  /** The command line to record in result.json (the CLI passes its own). */
  readonly command?: string;
  /**
   * Stops the scenario: the current run ends within a step, recorded as 'cancelled' with what it
   * did; no later run starts; the result stays complete: false.
   */
  readonly signal?: AbortSignal;
  /** The --set overrides the scenario was resolved with, recorded in result.json. */
  readonly overrides?: readonly string[];
}

export interface StreamPreview {
  readonly info: StreamInfo;
  /** Tasks a continual run trains on (an endless stream cut at protocol.maxTasks); 0 for the meta protocol. */
  readonly runTasks: number;
  /** The model's parameter count (checked against the size limit). */
  readonly parameters: number;
}

/**
 * Builds the stream and the model once up front, and the first task's test split: missing data
 * and impossible settings fail before any run. The stream is not walked: its length is in its
 * info, and each run records the ids of the tasks it saw.
 */
export async function previewStream(scenario: Scenario, regs: Registries = defaultRegistries): Promise<StreamPreview> {
  // Meta-learning: the stream must be a task distribution; its tasks are episodes, not a sequence to report.
  if (isMetaProtocol(scenario.protocol)) {
    const { info } = createTaskDistribution(scenario, scenario.seeds[0], regs);
    const model = createModel(scenario, info, regs);
    checkModelSize(model);
    return { info, runTasks: 0, parameters: parameterCount(model) };
  }
  const stream = createStream(scenario, scenario.seeds[0], regs);
  // The run's length (an endless stream cut at protocol.maxTasks) is checked before any task is listed.
  const run = { ...stream.info, numTasks: runLength(stream.info, scenario.protocol) };
  checkStreamSize(run);
  const model = createModel(scenario, stream.info, regs);
  checkModelSize(model);
  if (scenario.protocol.taskFree && stream.info.heads > 1) {
    throw new ClbenchError(`stream '${scenario.stream.type}' gives one head per task, which needs task ids, but protocol.taskFree is true`);
  }
  // All test splits stay resident during a run: sized from the first task's.
  const first = await firstValueFrom(stream.tasks().pipe(take(Math.min(1, run.numTasks))), { defaultValue: undefined });
  if (first) checkResidentTests(run, first.test().n);
  return { info: stream.info, runTasks: run.numTasks, parameters: parameterCount(model) };
}

/**
 * Runs every (learner, seed) of a scenario in turn. Results are written as they arrive:
 * events.jsonl per event, result.json after every run (complete: false until the end).
 * Returns the final result (the CLI renders the reports from it).
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunResult> {
  const regs = options.registries ?? defaultRegistries;
  const { info } = await previewStream(scenario, regs);
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
    taskIds: sharedTaskIds(runs),
    metricOptions,
    runs,
    summary: summarizeRuns(runs),
  });
  const plan = scenario.learners.flatMap((learner) => scenario.seeds.map((seed) => ({ learner, seed })));
  // Written before the first run, so an interrupted run always leaves a result.json (complete: false).
  writeJsonAtomic(join(options.outDir, 'result.json'), snapshot(false));
  try {
    for (const [index, { learner, seed }] of plan.entries()) {
      if (options.signal?.aborted) break;
      const label = learnerLabel(learner);
      options.onRunStart?.({ learner: label, seed, index, total: plan.length });
      const record = await runAndCollect({ scenario, learner, seed }, {
        registries: regs,
        signal: options.signal,
        onEvent: (event) => {
          log.write(event);
          options.onEvent?.(event);
        },
      });
      runs.push(record);
      writeJsonAtomic(join(options.outDir, 'result.json'), snapshot(false));
    }
  } finally {
    log.close();
  }
  const result = snapshot(!options.signal?.aborted);
  writeJsonAtomic(join(options.outDir, 'result.json'), result);
  return result;
}

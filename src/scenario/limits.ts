import type { FunctionalModel } from '../models/types.js';
import type { StreamInfo } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';

/**
 * The sizes clbench refuses, in one place so that docs/limits.md, the schema and the checks agree.
 * Each is far above what any shipped scenario uses and below what crashes or stalls a run; the
 * reasons are in docs/limits.md.
 */
export const LIMITS = {
  /** Tasks of a stream: the accuracy matrix is T×T evaluations and every test split stays resident. */
  maxTasks: 1000,
  /** Seeds are unsigned 32-bit: the generator's state is seeded from 32 bits, so larger ones would collide. */
  maxSeed: 2 ** 32 - 1,
  /** Seeds in one list (scenario, --seeds, sweep.seeds). */
  maxSeeds: 10_000,
  /** Scenario file size in bytes. */
  maxScenarioBytes: 1024 * 1024,
  /** Nesting depth of a scenario's JSON (objects and arrays). */
  maxJsonDepth: 32,
  /** Free-text fields (description, reference source and note). */
  maxTextLength: 10_000,
  /** Labels and names (scenario name, learner names, metric names). */
  maxLabelLength: 200,
  /** Learners in a scenario, learners and metrics in reference values, orderings. */
  maxLabelsPerList: 1000,
  /** Model parameters (float32): 100 M is 400 MB of weights, about 1.6 GB with gradients and Adam's moments. */
  maxParameters: 100_000_000,
  /** Test examples held resident for the accuracy matrix, all tasks together, in float32 values. */
  maxResidentTestValues: 1024 ** 3, // 4 GiB
  /** Decompressed size of one IDX file: ten times MNIST's largest, and a bound on a gzip bomb. */
  maxIdxBytes: 1024 ** 3,
  /** Runs `clbench run` starts without --yes (the same default as `sweep --confirm-above`). */
  confirmRunsAbove: 100,
} as const;

/** JSON Schema of one seed. */
export const seedSchema = { type: 'integer', minimum: 0, maximum: LIMITS.maxSeed } as const;

/** JSON Schema of a list of seeds. */
export const seedListSchema = { type: 'array', items: seedSchema, minItems: 1, maxItems: LIMITS.maxSeeds, uniqueItems: true } as const;

/**
 * Parses a --seeds flag like the schema checks a seed list: integers in [0, 2^32), distinct, at
 * most LIMITS.maxSeeds of them.
 */
export function parseSeedList(flag: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new ClbenchError(`${flag} must be a comma-separated list of integers, got '${text}'`);
  if (parts.length > LIMITS.maxSeeds) throw new ClbenchError(`${flag}: ${parts.length} seeds; at most ${LIMITS.maxSeeds} are allowed`);
  const seen = new Set<number>();
  return parts.map((part) => {
    const seed = Number(part);
    if (!/^\d+$/.test(part) || !Number.isSafeInteger(seed) || seed > LIMITS.maxSeed) {
      throw new ClbenchError(`${flag}: '${part}' is not a seed; seeds are integers from 0 to ${LIMITS.maxSeed}`);
    }
    if (seen.has(seed)) throw new ClbenchError(`${flag}: seed ${seed} is listed twice`);
    seen.add(seed);
    return seed;
  });
}

/**
 * Walks parsed JSON without recursion (a deeply nested file must not overflow the stack) and
 * rejects nesting deeper than LIMITS.maxJsonDepth and numbers that are not finite (JSON.parse
 * turns 1e999 into Infinity). `where` prefixes the messages.
 */
export function checkJsonShape(value: unknown, where: string): void {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value: v, path, depth } = pending.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new ClbenchError(`${where}${path || '(top level)'}: ${v} is not a finite number`);
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= LIMITS.maxJsonDepth) {
      const shown = path.length > 80 ? `${path.slice(0, 80)}…` : path;
      throw new ClbenchError(`${where}${shown}: nested more than ${LIMITS.maxJsonDepth} levels deep`);
    }
    const entries = Array.isArray(v) ? v.map((item, i) => [`[${i}]`, item] as const) : Object.entries(v).map(([k, item]) => [path ? `.${k}` : k, item] as const);
    for (const [step, item] of entries) pending.push({ value: item, path: `${path}${step}`, depth: depth + 1 });
  }
}

/** The stream's task count against LIMITS.maxTasks; checked before a stream lists its tasks. */
export function checkStreamSize(info: StreamInfo): void {
  if (info.numTasks > LIMITS.maxTasks) {
    throw new ClbenchError(
      `stream.tasks: ${info.numTasks} tasks; at most ${LIMITS.maxTasks} are allowed (the accuracy matrix is tasks × tasks evaluations)`,
    );
  }
}

/** Float32 values of all test splits, which stay resident for the whole run. */
export function residentTestValues(info: StreamInfo, testExamplesPerTask: number): number {
  const perExample = info.inputShape.reduce((a, b) => a * b, 1);
  return info.numTasks * testExamplesPerTask * perExample;
}

export function checkResidentTests(info: StreamInfo, testExamplesPerTask: number): void {
  const values = residentTestValues(info, testExamplesPerTask);
  if (values > LIMITS.maxResidentTestValues) {
    const gib = (values * 4) / 1024 ** 3;
    throw new ClbenchError(
      `stream: ${info.numTasks} tasks × ${testExamplesPerTask} test examples would keep ${gib.toFixed(1)} GiB of test data resident ` +
        `(at most ${(LIMITS.maxResidentTestValues * 4) / 1024 ** 3} GiB); lower stream.tasks or stream.testPerTask`,
    );
  }
}

export function parameterCount(model: FunctionalModel): number {
  return model.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Rejects a model too large to allocate, before any weight is. */
export function checkModelSize(model: FunctionalModel): void {
  const count = parameterCount(model);
  if (count > LIMITS.maxParameters) {
    throw new ClbenchError(`model: ${count.toExponential(2)} parameters; at most ${LIMITS.maxParameters.toExponential(0)} are allowed (lower model.hidden or the like)`);
  }
}

/** Asks for --yes above LIMITS.confirmRunsAbove runs, as `sweep --confirm-above` does. */
export function confirmRunCount(source: string, runs: number, limit: number, yes: boolean | undefined): void {
  if (runs > limit && !yes) {
    throw new ClbenchError(`${source}: ${runs} runs (more than ${limit}); pass --yes to run them all`);
  }
}

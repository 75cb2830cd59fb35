import type { FunctionalModel } from '../models/types.js';
import type { StreamInfo } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { LIMITS } from '../util/limits.js';

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

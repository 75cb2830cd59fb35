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

import type { Registries } from '../runner/registries.js';
import type { JsonSchema, RegistryEntry } from '../util/registry.js';

/**
 * A piece's full schema: its own options plus the keys the scenario uses (`type`, and `extra`),
 * closed to unknown keys so that a typo is an error, not a silently ignored option.
 */
function pieceSchema(entry: RegistryEntry, extra: Record<string, JsonSchema>): JsonSchema {
  const options = entry.options as { properties?: Record<string, JsonSchema>; required?: string[] };
  return {
    type: 'object',
    properties: { ...(options.properties ?? {}), ...extra, type: { const: entry.type } },
    required: ['type', ...(options.required ?? [])],
    additionalProperties: false,
  };
}

/** `type` must name a registered piece; then the piece's own schema applies. */
function discriminated(entries: readonly RegistryEntry[], extra: Record<string, JsonSchema>, fallbackType?: string): JsonSchema {
  return {
    type: 'object',
    properties: { type: { enum: entries.map((e) => e.type), ...(fallbackType ? { default: fallbackType } : {}) } },
    required: fallbackType ? [] : ['type'],
    allOf: entries.map((entry) => ({
      if: { properties: { type: { const: entry.type } }, required: ['type'] },
      then: pieceSchema(entry, extra),
    })),
  };
}

const protocolSchema: JsonSchema = {
  type: 'object',
  properties: {
    batchSize: { type: 'integer', minimum: 1, default: 10, description: 'Examples per training batch' },
    epochs: { type: 'integer', minimum: 1, default: 1, description: 'Passes over each task' },
    evalEvery: { type: 'integer', minimum: 0, default: 0, description: 'Evaluate all tasks every N batches (0: only at task ends)' },
    lcaBeta: { type: 'integer', minimum: 0, default: 10, description: 'β of LCA_β: evaluate the current task after each of its first β batches' },
    shuffle: { type: 'boolean', default: true, description: 'Reshuffle each task every epoch' },
    taskFree: { type: 'boolean', default: false, description: 'Hide task ids and boundaries from the learner' },
    evalBatchSize: { type: 'integer', minimum: 1, default: 1000, description: 'Test examples per forward pass' },
  },
  additionalProperties: false,
};

const metricsSchema: JsonSchema = {
  type: 'object',
  properties: {
    normalization: {
      enum: ['T-1', 'T'], default: 'T-1',
      description: 'Divide BWT and FWT by T−1 (the papers) or by T (the GEM and MER code)',
    },
    lcaRule: { enum: ['mean', 'trapezoid'], default: 'mean', description: 'LCA as A-GEM’s mean over β+1 points, or the trapezoid rule' },
  },
  additionalProperties: false,
};

const referenceSchema: JsonSchema = {
  type: 'object',
  properties: {
    source: { type: 'string', minLength: 1 },
    note: { type: 'string' },
    values: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    },
  },
  required: ['source', 'values'],
  additionalProperties: false,
};

const seedsSchema: JsonSchema = { type: 'array', items: { type: 'integer' }, minItems: 1, uniqueItems: true };

/** The scenario file's JSON Schema, assembled from whatever is registered right now. */
export function scenarioSchema(regs: Registries): JsonSchema {
  const stream = discriminated(regs.streams.list(), {
    seed: { type: 'integer', description: 'Pin the data to this seed instead of each run’s seed' },
  });
  const model = discriminated(regs.models.list(), {}, 'mlp');
  const learner = discriminated(regs.learners.list(), {
    name: { type: 'string', minLength: 1, description: 'Label in reports (default: the type)' },
  });
  return {
    $id: 'https://clbench.dev/scenario.schema.json',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Used in report paths' },
      description: { type: 'string' },
      stream,
      model: { ...model, default: { type: 'mlp' } },
      protocol: { ...protocolSchema, default: {} },
      learners: { type: 'array', items: learner, minItems: 1 },
      seeds: { ...seedsSchema, default: [0] },
      metrics: { ...metricsSchema, default: {} },
      quick: {
        type: 'object',
        description: 'Overrides applied by --quick: a minutes-long version of a long reproduction',
        properties: {
          stream: { type: 'object' },
          model: { type: 'object' },
          protocol: { type: 'object' },
          seeds: seedsSchema,
          learners: {
            description: 'Per-label option overrides, or a replacement list of learners',
            oneOf: [{ type: 'object', additionalProperties: { type: 'object' } }, { type: 'array', items: { type: 'object' } }],
          },
        },
        additionalProperties: false,
      },
      reference: referenceSchema,
    },
    required: ['name', 'stream', 'learners'],
    additionalProperties: false,
  };
}

import type { Registries } from './registries.js';
import { sweepSchema } from './sweep-schema.js';
import type { JsonSchema, RegistryEntry } from '../util/registry.js';
import { LIMITS, seedListSchema, seedSchema } from '../util/limits.js';
import type { Reference } from './types.js';

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

/** The continual protocol's settings (protocol.kind "continual", the default). */
const continualProtocolProperties: Record<string, JsonSchema> = {
  batchSize: { type: 'integer', minimum: 1, default: 10, description: 'Examples per training batch' },
  epochs: { type: 'integer', minimum: 1, default: 1, description: 'Passes over each task' },
  evalEvery: { type: 'integer', minimum: 0, default: 0, description: 'Evaluate all tasks every N batches (0: only at task ends)' },
  lcaBeta: { type: 'integer', minimum: 0, default: 10, description: 'β of LCA_β: evaluate the current task after each of its first β batches' },
  shuffle: { type: 'boolean', default: true, description: 'Reshuffle each task every epoch' },
  taskFree: { type: 'boolean', default: false, description: 'Hide task ids and boundaries from the learner' },
  evalBatchSize: { type: 'integer', minimum: 1, default: 1000, description: 'Test examples per forward pass' },
  evalSubset: {
    type: 'integer', minimum: 1,
    description: 'Continual evaluation: every evalEvery batches, score each task seen so far on a fixed seeded subset of this many test images (default: every task, whole test set)',
  },
};

/** Settings only the continual protocol has. */
const continualOnlyProperties: Record<string, JsonSchema> = {
  maxTasks: {
    type: 'integer', minimum: 1,
    description: 'Train on at most this many tasks of the stream (required for an endless stream; default: all of them)',
  },
};

/**
 * The meta-learning protocol's own settings (protocol.kind "meta"). The continual settings stay
 * valid beside them: batchSize feeds learners without metaObserve, evalBatchSize chunks evaluation.
 */
const metaProtocolProperties: Record<string, JsonSchema> = {
  metaIterations: { type: 'integer', minimum: 1, default: 1000, description: 'Meta-updates (meta-training iterations)' },
  metaBatch: { type: 'integer', minimum: 1, default: 4, description: 'Episodes (tasks) per meta-update, unless the learner sets its own metaBatch' },
  evalEvery: {
    type: 'integer', minimum: 0, default: 0,
    description: 'Interim meta-test evaluation every N meta-iterations, and before the first (0: only at the end)',
  },
  evalEpisodes: { type: 'integer', minimum: 1, default: 100, description: 'Held-out meta-test episodes of the final evaluation (600 in the MAML paper)' },
  interimEpisodes: { type: 'integer', minimum: 1, default: 50, description: 'Meta-test episodes scored by each interim evaluation' },
  adaptSteps: { type: 'integer', minimum: 0, default: 10, description: 'K of the adaptation curve: query scores after 0..K adaptation steps' },
  adaptLr: { type: 'number', exclusiveMinimum: 0, description: 'Step size of test-time adaptation for every learner (default: each learner’s own)' },
  adaptTarget: {
    type: 'number',
    description: 'Score that steps-to-target waits for: query MSE at most this (regression) or accuracy at least this (classification)',
  },
  reportSteps: {
    type: 'array', items: { type: 'integer', minimum: 0 }, uniqueItems: true,
    description: 'Adaptation steps reported as adapt@k columns (default 0, 1, 5, 10 up to adaptSteps, and adaptSteps)',
  },
};

/** `kind` picks the protocol; each kind's object is closed, so a setting of the other kind is an error. */
const protocolSchema: JsonSchema = {
  type: 'object',
  properties: { kind: { enum: ['continual', 'meta'], default: 'continual', description: 'Continual stream, or meta-learning over a task distribution' } },
  // `required` keeps `if` from matching vacuously when kind is left to its default.
  if: { properties: { kind: { const: 'meta' } }, required: ['kind'] },
  then: { properties: { ...continualProtocolProperties, ...metaProtocolProperties, kind: {} }, additionalProperties: false },
  else: { properties: { ...continualProtocolProperties, ...continualOnlyProperties, kind: {} }, additionalProperties: false },
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

/** An ordering the paper reports; that its learners exist is checked by checkReferenceLearners. */
const orderingSchema: JsonSchema = {
  type: 'object',
  properties: {
    metric: { type: 'string', minLength: 1, maxLength: LIMITS.maxLabelLength, description: 'Metric compared on the means over seeds, e.g. ACC, BWT, adapt@10' },
    better: {
      enum: ['higher', 'lower', 'closerToZero'],
      description: 'Which way is better: each learner’s mean ≥ the next one’s (higher), ≤ (lower), or |mean| ≤ the next |mean| (closerToZero)',
    },
    order: {
      type: 'array', items: { type: 'string', minLength: 1, maxLength: LIMITS.maxLabelLength }, minItems: 2, maxItems: LIMITS.maxLabelsPerList, uniqueItems: true,
      description: 'Learner labels, best first',
    },
  },
  required: ['metric', 'better', 'order'],
  additionalProperties: false,
};

/** values[learner label][metric] = number. */
const valuesByLearnerSchema: JsonSchema = {
  type: 'object',
  maxProperties: LIMITS.maxLabelsPerList,
  propertyNames: { maxLength: LIMITS.maxLabelLength },
  additionalProperties: {
    type: 'object', maxProperties: LIMITS.maxLabelsPerList, propertyNames: { maxLength: LIMITS.maxLabelLength }, additionalProperties: { type: 'number' },
  },
};

/** An outside figure on the same protocol (e.g. the PyTorch reference); its learners are checked by checkReferenceLearners. */
const anchorSchema: JsonSchema = {
  type: 'object',
  properties: {
    label: { type: 'string', minLength: 1, maxLength: LIMITS.maxLabelLength, description: 'Column header on the reproductions page, e.g. "torch ref"' },
    source: { type: 'string', minLength: 1, maxLength: LIMITS.maxTextLength, description: 'Where the figures were printed: file, command, seeds, date' },
    note: { type: 'string', maxLength: LIMITS.maxTextLength, description: 'Where its protocol differs from the scenario' },
    values: {
      ...valuesByLearnerSchema,
      additionalProperties: {
        type: 'object',
        maxProperties: LIMITS.maxLabelsPerList,
        propertyNames: { maxLength: LIMITS.maxLabelLength },
        // One figure, or one per seed (shown as mean ± std, n).
        additionalProperties: { type: ['number', 'array'], items: { type: 'number' }, minItems: 1, maxItems: LIMITS.maxLabelsPerList },
      },
      minProperties: 1,
      description: 'The figures: values[learner label][metric], a number or a list of one number per seed',
    },
  },
  required: ['label', 'source', 'values'],
  additionalProperties: false,
};

const referenceSchema: JsonSchema = {
  type: 'object',
  properties: {
    source: { type: 'string', minLength: 1, maxLength: LIMITS.maxTextLength },
    note: { type: 'string', maxLength: LIMITS.maxTextLength },
    values: {
      ...valuesByLearnerSchema,
      default: {},
      description: 'Published numbers: values[learner label][metric]; empty when the paper is not at hand',
    },
    orderings: {
      type: 'array', items: orderingSchema, maxItems: LIMITS.maxLabelsPerList,
      description: 'Rankings the paper reports, checked on our means by `clbench reproductions`',
    },
    anchors: {
      type: 'array', items: anchorSchema, maxItems: LIMITS.maxLabelsPerList,
      description: 'Outside figures on the same protocol that are not the paper’s (e.g. the PyTorch reference), shown in their own column, never judged',
    },
  },
  required: ['source'],
  additionalProperties: false,
};

/**
 * What the reference schema cannot say: every learner an ordering or an anchor names is a learner
 * of the scenario. `learners` are learner specs (label: `name`, else `type`). Returns one message
 * per unknown label, each with its JSON path.
 */
export function checkReferenceLearners(reference: Reference | undefined, learners: readonly unknown[]): string[] {
  const labels = [
    ...new Set(
      learners.flatMap((l) => {
        const spec = (typeof l === 'object' && l !== null ? l : {}) as { name?: unknown; type?: unknown };
        const label = spec.name ?? spec.type;
        return typeof label === 'string' ? [label] : [];
      }),
    ),
  ];
  const unknown = (path: string, label: string) => (labels.includes(label) ? [] : [`${path}: '${label}' is not a learner of this scenario; labels: ${labels.join(', ')}`]);
  return [
    ...(reference?.orderings ?? []).flatMap((ordering, i) => ordering.order.flatMap((label, j) => unknown(`reference.orderings[${i}].order[${j}]`, label))),
    ...(reference?.anchors ?? []).flatMap((anchor, i) => Object.keys(anchor.values).flatMap((label) => unknown(`reference.anchors[${i}].values.${label}`, label))),
  ];
}

/** The scenario file's JSON Schema, assembled from whatever is registered right now. */
export function scenarioSchema(regs: Registries): JsonSchema {
  const stream = discriminated(regs.streams.list(), {
    seed: { ...seedSchema, description: 'Pin the data to this seed instead of each run’s seed' },
  });
  const model = discriminated(regs.models.list(), {}, 'mlp');
  const learner = discriminated(regs.learners.list(), {
    name: { type: 'string', minLength: 1, maxLength: LIMITS.maxLabelLength, description: 'Label in reports (default: the type)' },
    streamBatch: {
      type: 'integer', minimum: 1,
      description: 'Examples per incoming batch for this learner (default: protocol.batchSize), as Mammoth sets batch_size per method',
    },
  });
  return {
    $id: 'https://clbench.dev/scenario.schema.json',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: LIMITS.maxLabelLength, description: 'Used in report paths' },
      description: { type: 'string', maxLength: LIMITS.maxTextLength },
      stream,
      model: { ...model, default: { type: 'mlp' } },
      protocol: { ...protocolSchema, default: {} },
      learners: { type: 'array', items: learner, minItems: 1, maxItems: LIMITS.maxLabelsPerList },
      seeds: { ...seedListSchema, default: [0] },
      metrics: { ...metricsSchema, default: {} },
      quick: {
        type: 'object',
        description: 'Overrides applied by --quick: a minutes-long version of a long reproduction',
        properties: {
          stream: { type: 'object' },
          model: { type: 'object' },
          protocol: { type: 'object' },
          seeds: seedListSchema,
          learners: {
            description: 'Per-label option overrides, or a replacement list of learners',
            oneOf: [{ type: 'object', additionalProperties: { type: 'object' } }, { type: 'array', items: { type: 'object' } }],
          },
        },
        additionalProperties: false,
      },
      reference: referenceSchema,
      sweep: sweepSchema,
    },
    required: ['name', 'stream', 'learners'],
    additionalProperties: false,
  };
}

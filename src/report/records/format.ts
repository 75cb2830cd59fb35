import type { RunRecord, RunResult } from '../../runner/result.js';
import type { JsonSchema } from '../../util/registry.js';

/**
 * A reproduction record: the evidence behind docs/reproductions.md, committed under
 * reproductions/records/<scenario>/<name>.json. It is one result.json without what only charts
 * need (learning curves and a meta run's meta-training curve, the evaluation subset's rows, events,
 * the summary, which is recomputed), with the accuracy matrices, baselines, LCA curves, stability
 * gaps and adaptation curve rounded to 1e-6. The scalar metrics are kept exactly as the run
 * computed them, so the page built from records is the page the result gave.
 */
export const RECORD_FORMAT = 'clbench reproduction record';
export const RECORD_VERSION = 1;

/** Decimals kept in the matrices and curves (scores on ≤ 10 000 test images need 4). */
export const RECORD_DECIMALS = 6;

/** One (learner, seed) run as recorded: RunRecord without its curves and evaluation subset. */
export type RecordedRun = Omit<RunRecord, 'curves' | 'evalSubset'>;

export interface ReproductionRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly version: typeof RECORD_VERSION;
  /** scenarioFingerprint of the settings below; checked on read, so edited settings are caught. */
  readonly fingerprint: string;
  /** The result.json it was recorded from, relative to the repository root it was run in. */
  readonly source: string;
  /** The command line that produced the result, paths relative to the repository root. */
  readonly command?: string;
  readonly overrides?: readonly string[];
  readonly createdAt: string;
  readonly complete: boolean;
  readonly clbench: string;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly scenario: RunResult['scenario'];
  readonly stream: RunResult['stream'];
  readonly taskIds: string[];
  readonly metricOptions: RunResult['metricOptions'];
  readonly runs: RecordedRun[];
}

const score: JsonSchema = { type: ['number', 'null'] };
const scores: JsonSchema = { type: 'array', items: score };
const matrix: JsonSchema = { type: 'array', items: scores };
const strings: JsonSchema = { type: 'array', items: { type: 'string' } };

const runSchema: JsonSchema = {
  type: 'object',
  properties: {
    learner: { type: 'string', minLength: 1 },
    learnerType: { type: 'string', minLength: 1 },
    options: { type: 'object' },
    seed: { type: 'integer' },
    status: { enum: ['completed', 'diverged', 'failed', 'cancelled'] },
    error: { type: 'string' },
    diverged: {
      type: 'object',
      properties: { task: { type: 'integer' }, step: { type: 'integer' }, loss: { type: ['number', 'string', 'null'] } },
      required: ['task', 'step'],
      additionalProperties: false,
    },
    taskIds: strings,
    wallSeconds: { type: 'number', minimum: 0 },
    peakRssBytes: { type: 'number', minimum: 0 },
    peakTensorBytes: { type: 'number', minimum: 0 },
    accuracyMatrix: matrix,
    taskILAccuracyMatrix: matrix,
    baseline: scores,
    lcaCurve: scores,
    stabilityGaps: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: {
              task: { type: 'integer' }, atSwitch: { type: 'number' }, depth: { type: 'number' },
              lowestAfter: { type: 'number' }, recovery: { type: ['number', 'null'] },
            },
            required: ['task', 'atSwitch', 'depth', 'lowestAfter', 'recovery'],
            additionalProperties: false,
          },
        ],
      },
    },
    metrics: {
      type: 'object',
      // A meta run's adaptation curve sits among its metrics, as in result.json.
      properties: {
        adaptationCurve: {
          type: 'array',
          items: {
            type: 'object',
            // nonFinite: episodes left out of the mean as NaN or ±Infinity (absent in records written before it).
            properties: { steps: { type: 'integer' }, mean: { type: ['number', 'null'] }, ci95: { type: ['number', 'null'] }, n: { type: 'integer' }, nonFinite: { type: 'integer' } },
            required: ['steps', 'mean', 'ci95', 'n'],
            additionalProperties: false,
          },
        },
      },
      additionalProperties: score,
    },
  },
  required: ['learner', 'learnerType', 'options', 'seed', 'status', 'wallSeconds', 'accuracyMatrix', 'baseline', 'lcaCurve', 'metrics'],
  additionalProperties: false,
};

/**
 * Closed at the top and in each run, so a mistyped field is an error. The scenario is checked only
 * for what the page reads: it is history, and options renamed since it ran must not make it unreadable.
 */
export const recordSchema: JsonSchema = {
  type: 'object',
  properties: {
    format: { const: RECORD_FORMAT },
    version: { const: RECORD_VERSION },
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{12}$' },
    source: { type: 'string', minLength: 1 },
    command: { type: 'string' },
    overrides: strings,
    createdAt: { type: 'string', minLength: 1 },
    complete: { type: 'boolean' },
    clbench: { type: 'string' },
    backend: { type: 'string', minLength: 1 },
    versions: { type: 'object', additionalProperties: { type: 'string' } },
    scenario: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        stream: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] },
        model: { type: 'object' },
        protocol: { type: 'object' },
        learners: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } },
        seeds: { type: 'array', items: { type: 'integer' } },
        reference: { type: 'object', properties: { source: { type: 'string' }, values: { type: 'object' } }, required: ['source'] },
      },
      required: ['name', 'stream', 'model', 'protocol', 'learners', 'seeds'],
    },
    stream: {
      type: 'object',
      properties: { type: { type: 'string' }, numTasks: { type: ['integer', 'null'] }, kind: { enum: ['classification', 'regression'] } },
      required: ['type', 'kind'],
    },
    taskIds: strings,
    metricOptions: {
      type: 'object',
      properties: { normalization: { type: 'string' }, lcaBeta: { type: 'integer' }, lcaRule: { type: 'string' } },
      required: ['normalization', 'lcaBeta', 'lcaRule'],
    },
    runs: { type: 'array', items: runSchema },
  },
  required: [
    'format', 'version', 'fingerprint', 'source', 'createdAt', 'complete', 'clbench', 'backend', 'versions',
    'scenario', 'stream', 'taskIds', 'metricOptions', 'runs',
  ],
  additionalProperties: false,
};

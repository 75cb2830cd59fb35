import type { LearnerSpec } from '../learners/types.js';
import type { LcaRule, Normalization } from '../metrics/types.js';
import type { ModelSpec } from '../models/types.js';
import type { StreamSpec } from '../streams/stream-entry.js';

/** How the runner feeds and evaluates a learner. */
export interface Protocol {
  readonly batchSize: number;
  readonly epochs: number;
  /** Evaluate every task every N batches for learning curves (0: only at task ends). */
  readonly evalEvery: number;
  /** β of LCA_β: the current task is also evaluated after each of its first β batches. */
  readonly lcaBeta: number;
  /** Reshuffle each task's training data every epoch (seeded). */
  readonly shuffle: boolean;
  /** Hide task ids and boundaries from the learner (the runner still knows them, for metrics). */
  readonly taskFree: boolean;
  /** Test examples per forward pass when evaluating. */
  readonly evalBatchSize: number;
}

export interface MetricSettings {
  readonly normalization: Normalization;
  readonly lcaRule: LcaRule;
}

/** Published numbers printed beside ours: values[learner label][metric]. */
export interface Reference {
  readonly source: string;
  readonly note?: string;
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A scenario after defaults are filled in (and `quick` applied, when asked). */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly stream: StreamSpec;
  readonly model: ModelSpec;
  readonly protocol: Protocol;
  readonly learners: readonly LearnerSpec[];
  readonly seeds: readonly number[];
  readonly metrics: MetricSettings;
  readonly reference?: Reference;
}

export const defaultProtocol: Protocol = {
  batchSize: 10,
  epochs: 1,
  evalEvery: 0,
  lcaBeta: 10,
  shuffle: true,
  taskFree: false,
  evalBatchSize: 1000,
};

/** The label a learner is reported under. */
export function learnerLabel(spec: LearnerSpec): string {
  return spec.name ?? spec.type;
}

/** A learner spec's own options, without the keys the scenario uses to name it. */
export function learnerOptions(spec: LearnerSpec): Record<string, unknown> {
  const { type: _type, name: _name, ...options } = spec;
  return options;
}

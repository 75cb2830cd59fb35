import type { LearnerSpec } from '../learners/types.js';
import type { LcaRule, Normalization } from '../metrics/types.js';
import type { ModelSpec } from '../models/types.js';
import type { StreamSpec } from '../streams/stream-entry.js';

/** Which driver runs a scenario: a continual task stream (run-one.ts) or meta-learning over a task distribution (run-meta.ts). */
export type ProtocolKind = 'continual' | 'meta';

/** How the runner feeds and evaluates a learner on a continual stream. */
export interface ContinualSettings {
  readonly batchSize: number;
  readonly epochs: number;
  /**
   * Evaluate every task every N batches for learning curves (0: only at task ends). Under the meta
   * protocol: an interim meta-test evaluation every N meta-iterations.
   */
  readonly evalEvery: number;
  /** β of LCA_β: the current task is also evaluated after each of its first β batches. */
  readonly lcaBeta: number;
  /** Reshuffle each task's training data every epoch (seeded). */
  readonly shuffle: boolean;
  /** Hide task ids and boundaries from the learner (the runner still knows them, for metrics). */
  readonly taskFree: boolean;
  /** Test examples per forward pass when evaluating. */
  readonly evalBatchSize: number;
  /**
   * Dense (continual) evaluation: the 'curve' evaluations every evalEvery batches score every task
   * seen so far on a fixed, seeded subset of this many test images per task, also before a task's
   * first batch (that task only) and at its end. Absent: they score every task on its whole test set.
   */
  readonly evalSubset?: number;
}

/** protocol.kind "continual" (the default): tasks arrive one after another. */
export interface ContinualProtocol extends ContinualSettings {
  readonly kind: 'continual';
  /** Train on at most this many tasks (an endless stream needs it); absent: every task of the stream. */
  readonly maxTasks?: number;
}

/**
 * protocol.kind "meta": meta-train on episodes drawn from a task distribution, then measure how
 * fast the learner adapts to held-out episodes. The continual settings stay (filled with their
 * defaults): learners without metaObserve are fed in batches of batchSize, and evaluation is
 * chunked by evalBatchSize.
 */
export interface MetaProtocol extends ContinualSettings {
  readonly kind: 'meta';
  readonly metaIterations: number;
  /** Episodes per meta-update (a learner's own `metaBatch` option takes precedence). */
  readonly metaBatch: number;
  /** Final meta-test episodes (600 in the MAML paper). */
  readonly evalEpisodes: number;
  /** Meta-test episodes scored by each interim evaluation (every evalEvery meta-iterations). */
  readonly interimEpisodes: number;
  /** K of the adaptation curve: the query is scored after 0..K adaptation steps. */
  readonly adaptSteps: number;
  /** Test-time adaptation step size for every learner; absent: each learner's own. */
  readonly adaptLr?: number;
  /** Steps-to-target waits for query MSE ≤ target (regression) or accuracy ≥ target (classification). */
  readonly adaptTarget?: number;
  /** Steps reported as adapt@k metrics; absent: 0, 1, 5, 10 (up to adaptSteps) and adaptSteps. */
  readonly reportSteps?: readonly number[];
}

/**
 * The protocol, discriminated by `kind`. Both kinds carry the continual settings, so code written
 * for the continual driver (protocol.batchSize, protocol.taskFree, ...) compiles unchanged.
 */
export type Protocol = ContinualProtocol | MetaProtocol;

/** True for the meta-learning protocol. Results written before `kind` existed are continual. */
export function isMetaProtocol(protocol: Protocol): protocol is MetaProtocol {
  return protocol.kind === 'meta';
}

export interface MetricSettings {
  readonly normalization: Normalization;
  readonly lcaRule: LcaRule;
}

/**
 * Which way an ordering runs, stated on every ordering because a metric's direction depends on
 * the stream (adapt@k is an accuracy on classification, an MSE on regression).
 * 'higher': each learner's mean is at least the next one's; 'lower': at most;
 * 'closerToZero': each |mean| is at most the next |mean| (BWT, where 0 means no forgetting).
 */
export type OrderingDirection = 'higher' | 'lower' | 'closerToZero';

/** A ranking a paper reports, checked on our means: `order` lists learner labels, best first. */
export interface ReferenceOrdering {
  readonly metric: string;
  readonly better: OrderingDirection;
  readonly order: readonly string[];
}

/**
 * An outside figure on the same protocol that is not the paper's: e.g. the PyTorch reference's
 * run of the workload. Shown in its own column; never judged against a tolerance.
 */
export interface ReferenceAnchor {
  /** Column header, e.g. "torch ref". */
  readonly label: string;
  /** Where the figures were printed (file, command, seed, date). */
  readonly source: string;
  /** Where its protocol differs from the scenario's. */
  readonly note?: string;
  /** values[learner label][metric], as printed by the source: one figure, or one per seed. */
  readonly values: Readonly<Record<string, Readonly<Record<string, AnchorValue>>>>;
}

/**
 * An anchor's figure: a number as printed, or the figures of several seeds (each as printed),
 * shown as their mean ± sample std with n, the way our own runs are.
 */
export type AnchorValue = number | readonly number[];

/**
 * What a paper reports: published numbers printed beside ours (values[learner label][metric])
 * and, where its tables are not at hand, the orderings it states; `anchors` add outside figures
 * on the same protocol.
 */
export interface Reference {
  readonly source: string;
  readonly note?: string;
  /** Empty (the schema's default) when the paper's numbers are not available offline. */
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly orderings?: readonly ReferenceOrdering[];
  readonly anchors?: readonly ReferenceAnchor[];
}

/** `sweep.learners[label][option]` lists the values to try; `sweep.seeds` replaces `seeds`. */
export interface SweepSpec {
  readonly learners?: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
  readonly seeds?: readonly number[];
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
  /** Grids of learner options and seeds for `clbench sweep` (see src/sweep/expand.ts). */
  readonly sweep?: SweepSpec;
}

export const defaultProtocol: ContinualProtocol = {
  kind: 'continual',
  batchSize: 10,
  epochs: 1,
  evalEvery: 0,
  lcaBeta: 10,
  shuffle: true,
  taskFree: false,
  evalBatchSize: 1000,
};

/** The meta protocol's defaults (the schema's), for code that builds a scenario without a file. */
export const defaultMetaProtocol: MetaProtocol = {
  ...defaultProtocol,
  kind: 'meta',
  metaIterations: 1000,
  metaBatch: 4,
  evalEvery: 0,
  evalEpisodes: 100,
  interimEpisodes: 50,
  adaptSteps: 10,
};

/** The label a learner is reported under. */
export function learnerLabel(spec: LearnerSpec): string {
  return spec.name ?? spec.type;
}

/**
 * The batch size a learner's stream is cut into: its spec's `streamBatch` (Mammoth sets
 * batch_size per method, e.g. GSS 128 where the rest of Seq-MNIST uses 10), else the protocol's.
 */
export function learnerBatchSize(spec: LearnerSpec, protocol: Protocol): number {
  return typeof spec.streamBatch === 'number' ? spec.streamBatch : protocol.batchSize;
}

/** A learner spec's own options, without the keys the scenario uses to name it. */
export function learnerOptions(spec: LearnerSpec): Record<string, unknown> {
  const { type: _type, name: _name, ...options } = spec;
  return options;
}

import * as tf from '../../backend/tf.js';
import type { Rng } from '../../util/rng.js';
import { ExampleMemory, type StoredExamples, concatExamples } from '../base/example-memory.js';
import type { Batch, LearnerContext, LearnerEntry } from '../types.js';
import { type EngineChoice, type InnerLoopEngine, makeEngine } from './inner-loop-engine.js';
import { ReservoirLearner } from './reservoir-learner.js';
import { rowOf } from './stored-rows.js';

/** Where the incoming example goes in each batch of MER's inner loop. */
export type CurrentPosition = 'shuffled' | 'first' | 'last';

export interface MerOptions {
  /** SGD step size α of every inner step. */
  readonly lr: number;
  /** Within-batch Reptile rate β. */
  readonly beta: number;
  /** Across-batch Reptile rate γ. */
  readonly gamma: number;
  /** k−1: reservoir samples drawn (with replacement) into each batch beside the incoming example. */
  readonly replay: number;
  /** s: batches per incoming example. */
  readonly steps: number;
  /** Reservoir capacity. */
  readonly memorySize: number;
  readonly currentPosition: CurrentPosition;
  /** Multiplier of the incoming example's loss (Algorithm 7's s). */
  readonly currentLossScale: number;
  readonly engine: EngineChoice;
}

/** Slots of the engine's snapshots. */
const START = 0;
const BEFORE = 1;

/** One batch of MER's inner loop: its rows (incoming example and replays), the order they are stepped in, and which row is the incoming one. */
export interface MerBatch {
  readonly examples: StoredExamples;
  readonly order: readonly number[];
  readonly current: number;
}

export interface MerRates {
  readonly lr: number;
  readonly beta: number;
  readonly gamma: number;
  readonly currentLossScale: number;
}

/**
 * MER's update for one incoming example (Riemer et al. 2019, Algorithm 1): for each batch, one SGD
 * step per row in order, then θ ← θ₀ + β(θ_k − θ₀) (within-batch Reptile); after all batches,
 * θ ← θ_start + γ(θ − θ_start) (across-batch Reptile). Returns the mean step loss.
 */
export function merUpdate(engine: InnerLoopEngine, batches: readonly MerBatch[], rates: MerRates): number {
  engine.save(START);
  engine.save(BEFORE);
  let steps = 0;
  for (const batch of batches) {
    engine.use(batch.examples);
    for (const row of batch.order) engine.step(row, rates.lr, row === batch.current ? rates.currentLossScale : 1);
    steps += batch.order.length;
    // The interpolated θ is the next batch's θ₀: saved in the same pass.
    engine.interpolate(BEFORE, rates.beta, true);
  }
  engine.interpolate(START, rates.gamma);
  return engine.takeLossSum() / Math.max(1, steps);
}

/** The order a batch's rows are stepped in; row 0 is the incoming example. */
export function batchOrder(size: number, position: CurrentPosition, rng: Rng): number[] {
  const rows = Array.from({ length: size }, (_, i) => i);
  if (position === 'shuffled') return rng.shuffle(rows);
  return position === 'first' ? rows : [...rows.slice(1), 0];
}

/**
 * Meta-Experience Replay (Riemer et al., ICLR 2019). For each incoming example, `steps` batches
 * of the example plus `replay` reservoir samples, stepped one example at a time, with Reptile's
 * interpolations within (β) and across (γ) batches; then the example is offered to the reservoir.
 *
 * The paper's appendix variants are settings of the same learner: Algorithm 6 is one batch per
 * example with the incoming example last (`steps: 1, currentPosition: "last", beta: 1`, its γ as
 * `gamma`); Algorithm 7 is one shuffled batch whose incoming example's loss is scaled
 * (`steps: 1, currentLossScale: s, beta: 1`). See docs/meta-continual.md.
 *
 * The inner loop runs on the host engine (plain loops, no tfjs launch per step) when the model
 * is an MLP, else through tfjs; both compute the same steps.
 */
export class Mer extends ReservoirLearner {
  private engine!: InnerLoopEngine;
  private orderRng!: Rng;
  /** θ changed in the engine since the variables were last written. */
  private stale = false;

  constructor(private readonly options: MerOptions) {
    super(options.lr, options.memorySize);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    this.orderRng = ctx.rng.fork('batch-order');
    this.engine = makeEngine(this.options.engine, {
      model: ctx.model, stream: ctx.stream, variables: this.params, headOf: (task) => this.headFor(task < 0 ? undefined : task),
    }, 'mer');
  }

  /** Single-example SGD steps taken so far (the reference's `sgd_steps`). */
  get sgdSteps(): number {
    return this.engine.steps;
  }

  /** Which engine runs the inner loop. */
  get engineKind(): 'host' | 'tf' {
    return this.engine.kind;
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    const o = this.options;
    const rates: MerRates = {
      lr: o.lr, beta: o.beta, gamma: o.gamma, currentLossScale: o.currentLossScale,
    };
    const steps = o.steps;
    const replay = o.replay;
    const position = o.currentPosition;
    let loss = 0;
    // MER learns from one example at a time, whatever the protocol's batch size.
    for (let i = 0; i < incoming.n; i++) {
      const example = rowOf(incoming, i);
      const batches: MerBatch[] = [];
      for (let b = 0; b < steps; b++) {
        const examples = concatExamples(example, this.drawReplay(replay));
        batches.push({ examples, order: batchOrder(examples.n, position, this.orderRng), current: 0 });
      }
      loss += merUpdate(this.engine, batches, rates);
      this.buffer.add(example);
    }
    this.stale = true;
    return loss / incoming.n;
  }

  override predict(x: tf.Tensor, taskIndex?: number): tf.Tensor {
    this.sync();
    return super.predict(x, taskIndex);
  }

  /** The variables catch up with the engine lazily: once per evaluation, not once per example. */
  private sync(): void {
    if (!this.stale) return;
    this.engine.commit(this.params);
    this.stale = false;
  }

  override dispose(): void {
    this.engine?.dispose();
    super.dispose();
  }
}

export const merEntry: LearnerEntry<MerOptions> = {
  type: 'mer',
  description: 'Meta-Experience Replay (Riemer et al. 2019): per example, s batches of it plus k−1 reservoir samples, SGD one example at a time, Reptile interpolation within (β) and across (γ) batches',
  options: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, description: 'SGD step size α of each inner step' },
      beta: { type: 'number', minimum: 0, maximum: 1, default: 0.03, description: 'Within-batch Reptile rate β' },
      gamma: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'Across-batch Reptile rate γ' },
      replay: { type: 'integer', minimum: 0, default: 10, description: 'k−1: reservoir samples per batch (drawn with replacement)' },
      steps: { type: 'integer', minimum: 1, default: 10, description: 's: batches per incoming example' },
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Reservoir capacity' },
      currentPosition: {
        enum: ['shuffled', 'first', 'last'], default: 'shuffled',
        description: 'Where the incoming example goes in each batch: shuffled (Algorithm 1 as in the reference, Algorithm 7), first (the MER code’s Algorithm 1), last (Algorithm 6)',
      },
      currentLossScale: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Multiplier of the incoming example’s loss (Algorithm 7’s s)' },
      engine: {
        enum: ['auto', 'host', 'tf'], default: 'auto',
        description: 'Inner loop in host memory (MLPs; auto picks it when the model allows) or through tfjs',
      },
    },
    required: ['lr'],
  },
  create: (options) => new Mer(options),
};

/** The step budget of MER on a stream: Σ over examples of s·(1 + min(k−1, reservoir size)), as the reference counts them. */
export function merStepCount(examples: number, options: Pick<MerOptions, 'steps' | 'replay' | 'memorySize'>): number {
  const s = options.steps;
  const k1 = options.replay;
  const capacity = options.memorySize;
  let total = 0;
  for (let e = 0; e < examples; e++) total += s * (1 + Math.min(k1, e, capacity));
  return total;
}

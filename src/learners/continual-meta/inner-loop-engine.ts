import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import type { StreamInfo } from '../../streams/types.js';
import { uploadRows } from '../../streams/upload.js';
import { ClbenchError } from '../../util/errors.js';
import type { StoredExamples } from '../base/example-memory.js';
import { type HostParams, HostMlp, copyParams, interpolateParams, readParams } from './host-mlp.js';
import { headsMask, maskedValueAndGrads } from './masked-grads.js';
import { trainingLossFor } from '../../models/losses.js';

/**
 * Sequential single-example SGD on a working copy θ of a learner's parameters, with named
 * snapshots for Reptile-style interpolation: the inner loop MER is made of. Two implementations
 * compute the same thing: `host` (plain loops in host memory, MLPs only, ~20× fewer launches)
 * and `tf` (any functional model, through tfjs).
 */
export interface InnerLoopEngine {
  readonly kind: 'host' | 'tf';
  /** Single-example SGD steps taken so far. */
  readonly steps: number;
  /** Makes `examples` the rows that step() reads (the tf engine uploads them once here). */
  use(examples: StoredExamples): void;
  /** θ ← θ − lr·scale·∇ℓ(row) on one row of the examples in use, each scored by its own task's head. */
  step(row: number, lr: number, scale?: number): void;
  /** Remembers θ under `slot`. */
  save(slot: number): void;
  /**
   * θ ← saved[slot] + rate·(θ − saved[slot]); with `resave`, the result is also saved under `slot`
   * (one pass over θ instead of two, for consecutive Reptile batches).
   */
  interpolate(slot: number, rate: number, resave?: boolean): void;
  /** Sum of the step losses since the last call (and resets it): one device→host read at most. */
  takeLossSum(): number;
  /** Writes θ into the learner's variables. */
  commit(variables: readonly tf.Variable[]): void;
  /** Reloads θ from the learner's variables (after they changed outside the engine). */
  load(variables: readonly tf.Variable[]): void;
  dispose(): void;
}

export type EngineChoice = 'auto' | 'host' | 'tf';

export interface EngineSetup {
  readonly model: FunctionalModel;
  readonly stream: StreamInfo;
  readonly variables: readonly tf.Variable[];
  /** Head of an example's task (its own head on multi-head streams, else 0). */
  readonly headOf: (task: number) => number;
}

/** The host engine when the model allows it (and `choice` does not forbid it), else the tf engine. */
export function makeEngine(choice: EngineChoice, setup: EngineSetup, learner: string): InnerLoopEngine {
  if (choice !== 'tf') {
    const mlp = HostMlp.for(setup.model, setup.stream.kind);
    if (mlp) return new HostEngine(mlp, setup);
    if (choice === 'host') {
      throw new ClbenchError(`learner ${learner}: engine 'host' needs a ReLU MLP model (model.type "mlp"); use engine 'auto' or 'tf'`);
    }
  }
  return new TfEngine(setup);
}

class HostEngine implements InnerLoopEngine {
  readonly kind = 'host';
  private theta: HostParams;
  private readonly slots = new Map<number, HostParams>();
  private examples?: StoredExamples;
  private lossSum = 0;
  private readonly labelWidth: number;

  constructor(private readonly mlp: HostMlp, private readonly setup: EngineSetup) {
    this.theta = readParams(setup.variables);
    this.labelWidth = setup.stream.kind === 'classification' ? 1 : setup.stream.outputSize;
  }

  get steps(): number {
    return this.mlp.steps;
  }

  use(examples: StoredExamples): void {
    this.examples = examples;
  }

  step(row: number, lr: number, scale = 1): void {
    const e = this.examples!;
    const d = this.mlp.inputSize;
    const classification = this.setup.stream.kind === 'classification';
    const target = classification ? e.y[row] : e.y;
    this.lossSum += this.mlp.step(this.theta, e.x, row * d, target, row * this.labelWidth, this.setup.headOf(e.tasks[row]), lr, scale);
  }

  save(slot: number): void {
    this.slots.set(slot, copyParams(this.theta, this.slots.get(slot)));
  }

  interpolate(slot: number, rate: number, resave = false): void {
    interpolateParams(this.theta, this.slots.get(slot)!, rate, resave);
  }

  takeLossSum(): number {
    const sum = this.lossSum;
    this.lossSum = 0;
    return sum;
  }

  commit(variables: readonly tf.Variable[]): void {
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(this.theta[i], v.shape))));
  }

  load(variables: readonly tf.Variable[]): void {
    this.theta = readParams(variables);
  }

  dispose(): void {
    this.slots.clear();
  }
}

class TfEngine implements InnerLoopEngine {
  readonly kind = 'tf';
  steps = 0;
  private theta: tf.Tensor[];
  private readonly slots = new Map<number, tf.Tensor[]>();
  private x?: tf.Tensor;
  private y?: tf.Tensor;
  private tasks?: Int32Array;
  private lossSum?: tf.Scalar;
  private readonly loss: (out: tf.Tensor, y: tf.Tensor) => tf.Scalar;

  constructor(private readonly setup: EngineSetup) {
    this.theta = setup.variables.map((v) => tf.keep(v.clone()));
    this.loss = trainingLossFor(setup.stream.kind);
  }

  use(examples: StoredExamples): void {
    tf.dispose([this.x, this.y]);
    const { stream } = this.setup;
    // One upload per batch; each step slices its row.
    const { x, y } = uploadRows(examples, stream);
    this.x = tf.keep(x);
    this.y = tf.keep(y);
    this.tasks = examples.tasks;
  }

  step(row: number, lr: number, scale = 1): void {
    const { model, headOf } = this.setup;
    const head = headOf(this.tasks![row]);
    const [next, sum] = tf.tidy(() => {
      const x = tf.slice(this.x!, row, 1);
      const y = tf.slice(this.y!, row, 1);
      const mask = headsMask(model, [head]);
      const { value, grads } = maskedValueAndGrads((p) => this.loss(model.forward(p, x, head), y), this.theta, mask);
      const rate = lr * scale;
      // Parameters of other heads stay as they are (kept, not copied).
      const updated = this.theta.map((p, i) => (mask[i] ? tf.sub(p, tf.mul(grads[i], rate)) : tf.clone(p)));
      return [updated, this.lossSum ? tf.add(this.lossSum, value) : value] as [tf.Tensor[], tf.Scalar];
    });
    tf.dispose(this.theta);
    this.lossSum?.dispose();
    this.theta = next.map((t) => tf.keep(t));
    this.lossSum = tf.keep(sum);
    this.steps++;
  }

  save(slot: number): void {
    tf.dispose(this.slots.get(slot));
    this.slots.set(slot, this.theta.map((t) => tf.keep(t.clone())));
  }

  interpolate(slot: number, rate: number, resave = false): void {
    const from = this.slots.get(slot)!;
    if (rate !== 1) {
      const next = tf.tidy(() => this.theta.map((p, i) => tf.add(from[i], tf.mul(tf.sub(p, from[i]), rate))));
      tf.dispose(this.theta);
      this.theta = next.map((t) => tf.keep(t));
    }
    if (resave) this.save(slot);
  }

  takeLossSum(): number {
    if (!this.lossSum) return 0;
    const value = this.lossSum.dataSync()[0];
    this.lossSum.dispose();
    this.lossSum = undefined;
    return value;
  }

  commit(variables: readonly tf.Variable[]): void {
    variables.forEach((v, i) => v.assign(this.theta[i]));
  }

  load(variables: readonly tf.Variable[]): void {
    tf.dispose(this.theta);
    this.theta = variables.map((v) => tf.keep(v.clone()));
  }

  dispose(): void {
    tf.dispose([...this.theta, this.x, this.y, this.lossSum]);
    for (const s of this.slots.values()) tf.dispose(s);
    this.slots.clear();
    this.theta = [];
  }
}

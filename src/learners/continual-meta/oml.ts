import { lastValueFrom, take, toArray } from 'rxjs';
import * as tf from '../../backend/tf.js';
import { glorotUniform } from '../../models/init.js';
import type { StreamSpec } from '../../streams/stream-entry.js';
import { streams } from '../../streams/registry.js';
import type { Split, StreamInfo } from '../../streams/types.js';
import { uploadRows } from '../../streams/upload.js';
import { ClbenchError } from '../../util/errors.js';
import { withDefaults } from '../../util/options.js';
import type { Rng } from '../../util/rng.js';
import { ModelLearner } from '../base/model-learner.js';
import { type LossFn, secondOrderLossFor, trainingLossFor } from '../../models/losses.js';
import type { Batch, LearnerContext, LearnerEntry } from '../types.js';
import { type SplitMlp, splitMlp } from './split-mlp.js';

/** How the representation is (meta-)trained before the stream: OML's objective, or the paper's pre-training baseline. */
export type OmlObjective = 'oml' | 'pretrain';

export interface OmlMetaTraining {
  /** The stream trajectories are drawn from: each meta-iteration is a freshly seeded instance of it. */
  readonly stream: StreamSpec;
  readonly iterations: number;
  /** Tasks of each trajectory (default: all of the stream's). */
  readonly tasksPerTrajectory?: number;
  /** Inner minibatch size. */
  readonly batchSize: number;
  /** Inner SGD steps per task of the trajectory. */
  readonly stepsPerTask: number;
  /** Examples per task in the remember set the meta-loss is taken on (from each task's test split). */
  readonly rememberPerTask: number;
  readonly innerLr: number;
  /** Adam step size of the meta-updates. */
  readonly metaLr: number;
  /** Differentiate through the inner loop (OML); false: first-order (the inner updates are constants). */
  readonly secondOrder: boolean;
  /** Element-wise clip of the inner gradients (OML's code: 10). */
  readonly clip: number;
  /** Classification: re-draw the output weights of a trajectory's classes before its inner loop (OML's code). */
  readonly resetClassRows: boolean;
}

export interface OmlOptions {
  /** Step size of the online SGD on the prediction network during the stream (default: the inner step size). */
  readonly lr?: number;
  /** Hidden layers in the representation network; the rest, and the output layer, form the prediction network. */
  readonly representationLayers?: number;
  readonly metaTraining: OmlMetaTraining;
  readonly objective: OmlObjective;
  /** Re-draw the output layer after meta-training (new classes at meta-test). */
  readonly resetHead: boolean;
}

/** One meta-training trajectory as tensors: inner minibatches in order (steps × batchSize rows), and the remember set. */
export interface TrajectoryData {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly steps: number;
  readonly batchSize: number;
  readonly rememberX: tf.Tensor;
  readonly rememberY: tf.Tensor;
}

interface Trajectory extends TrajectoryData {
  /** Labels present in the trajectory (classification). */
  readonly classes: readonly number[];
}

/** `count` rows of a split, cycling through it when it has fewer. */
function rowsOf(split: Split, count: number): { x: Float32Array; y: Float32Array } {
  const d = split.x.length / split.n;
  const w = split.y.length / split.n;
  const x = new Float32Array(count * d);
  const y = new Float32Array(count * w);
  for (let r = 0; r < count; r++) {
    const s = r % split.n;
    x.set(split.x.subarray(s * d, (s + 1) * d), r * d);
    for (let k = 0; k < w; k++) y[r * w + k] = split.y[s * w + k];
  }
  return { x, y };
}

function upload(x: Float32Array, y: Float32Array, info: StreamInfo): [tf.Tensor, tf.Tensor] {
  const n = y.length / (info.kind === 'classification' ? 1 : info.outputSize);
  const rows = uploadRows({ x, y, n }, info);
  return [rows.x, rows.y];
}

export interface InnerSettings {
  readonly innerLr: number;
  /** Element-wise clip of each inner gradient. */
  readonly clip: number;
  readonly lossOf: LossFn;
}

/** The PLN after one SGD step per trajectory minibatch, on features computed once by the RLN. */
export function innerLoop(split: SplitMlp, params: readonly tf.Tensor[], features: tf.Tensor, t: TrajectoryData, s: InnerSettings): tf.Tensor[] {
  const rln = params.slice(0, split.split);
  let fast = params.slice(split.split);
  for (let k = 0; k < t.steps; k++) {
    const h = tf.slice(features, k * t.batchSize, t.batchSize);
    const y = tf.slice(t.y, k * t.batchSize, t.batchSize);
    const g = tf.grads((...w: tf.Tensor[]) => s.lossOf(split.pln([...rln, ...w], h), y))(fast);
    fast = fast.map((w, i) => tf.sub(w, tf.mul(tf.clipByValue(g[i], -s.clip, s.clip), s.innerLr)));
  }
  return fast;
}

/** Loss on the remember set of the RLN in `params` followed by the PLN `fast`. */
export function rememberLoss(split: SplitMlp, params: readonly tf.Tensor[], fast: readonly tf.Tensor[], t: TrajectoryData, lossOf: LossFn): tf.Scalar {
  return lossOf(split.pln([...params.slice(0, split.split), ...fast], split.rln(params, t.rememberX)), t.rememberY);
}

/**
 * OML's meta-loss (Javed & White 2019): the PLN takes one SGD step per trajectory minibatch
 * (features computed once by the RLN), then the adapted network is scored on the remember set.
 * Taken under a gradient tape, the inner steps are differentiated too (second order): the
 * gradient reaches the RLN through both the trajectory's and the remember set's features.
 */
export function omlMetaLoss(split: SplitMlp, params: readonly tf.Tensor[], t: TrajectoryData, s: InnerSettings): tf.Scalar {
  const fast = innerLoop(split, params, split.rln(params, t.x), t, s);
  return rememberLoss(split, params, fast, t, s.lossOf);
}

/**
 * OML (Javed & White, NeurIPS 2019): a representation network (RLN) meta-trained so that online
 * SGD on the prediction network (PLN) on top of it learns a trajectory of tasks without
 * forgetting. Meta-training (at setup) draws trajectories from `metaTraining.stream`; the inner
 * loop takes SGD steps on the PLN through the trajectory's minibatches in order, and the meta-loss
 * is the loss of the adapted PLN on a remember set from all of the trajectory's tasks,
 * differentiated through the inner loop into both the RLN and the PLN's initial weights. On the
 * scenario's stream (meta-test) the RLN is frozen and only the PLN learns, online.
 */
export class Oml extends ModelLearner {
  private split!: SplitMlp;
  private streamLoss!: LossFn;

  constructor(private readonly options: OmlOptions) {
    super({ lr: options.lr ?? options.metaTraining.innerLr });
  }

  override async setup(ctx: LearnerContext): Promise<void> {
    super.setup(ctx);
    const depth = ctx.model.params.filter((p) => p.head === undefined).length / 2;
    const cut = this.options.representationLayers ?? Math.max(0, depth - 1);
    const split = splitMlp(ctx.model, cut);
    if (typeof split === 'string') throw new ClbenchError(`learner oml: ${split}`);
    this.split = split;
    this.streamLoss = trainingLossFor(ctx.stream.kind);
    await this.metaTrain(ctx);
    if (this.options.resetHead) this.redrawOutput(ctx.rng.fork('reset-head'));
  }

  /** Online SGD on the prediction network only; the representation stays as meta-trained. */
  observe(batch: Batch): number {
    const pln = this.params.slice(this.split.split);
    const cost = this.optimizer.minimize(() => {
      const h = this.split.rln(this.params, batch.x);
      return this.streamLoss(this.split.pln(this.params, h), batch.y);
    }, true, pln);
    const value = cost ? cost.dataSync()[0] : NaN;
    cost?.dispose();
    return value;
  }

  private async metaTrain(ctx: LearnerContext): Promise<void> {
    const m = this.options.metaTraining;
    const spec = resolveStreamSpec(m.stream);
    const entry = streams.get(spec.type);
    const iterations = m.iterations;
    const rng = ctx.rng.fork('oml-meta-training');
    const optimizer = tf.train.adam(m.metaLr);
    const objective = this.options.objective;
    const secondOrder = m.secondOrder;
    const lossOf = secondOrder && objective === 'oml' ? secondOrderLossFor(ctx.stream.kind) : trainingLossFor(ctx.stream.kind);
    try {
      for (let it = 0; it < iterations; it++) {
        const stream = entry.create(spec, rng.fork(`trajectory-${it}`));
        if (it === 0) checkCompatible(stream.info, ctx.stream, m.tasksPerTrajectory);
        const tasks = await lastValueFrom(stream.tasks().pipe(take(m.tasksPerTrajectory ?? stream.info.numTasks), toArray()));
        const trajectory = this.trajectory(tasks.map((t) => [t.train(), t.test()] as const), stream.info);
        try {
          if (ctx.stream.kind === 'classification' && m.resetClassRows) {
            this.redrawOutput(rng.fork(`reset-${it}`), trajectory.classes);
          }
          const grads = tf.tidy(() => {
            const f = objective === 'pretrain' ? this.pretrainLoss(trajectory, lossOf) : this.omlLoss(trajectory, lossOf, secondOrder);
            return tf.variableGrads(f, this.params).grads;
          });
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
          tf.dispose(Object.values(grads));
        } finally {
          tf.dispose([trajectory.x, trajectory.y, trajectory.rememberX, trajectory.rememberY]);
        }
        // Meta-training can take minutes inside setup(): let timers (progress, signals) run.
        if (it % 10 === 9) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      optimizer.dispose();
    }
  }

  private trajectory(splits: readonly (readonly [Split, Split])[], info: StreamInfo): Trajectory {
    const m = this.options.metaTraining;
    const batchSize = m.batchSize;
    const perTask = batchSize * m.stepsPerTask;
    const remember = m.rememberPerTask;
    const join = (parts: { x: Float32Array; y: Float32Array }[]) => {
      const x = new Float32Array(parts.reduce((a, p) => a + p.x.length, 0));
      const y = new Float32Array(parts.reduce((a, p) => a + p.y.length, 0));
      let [ox, oy] = [0, 0];
      for (const p of parts) {
        x.set(p.x, ox);
        y.set(p.y, oy);
        ox += p.x.length;
        oy += p.y.length;
      }
      return { x, y };
    };
    const traj = join(splits.map(([train]) => rowsOf(train, perTask)));
    const rand = join(splits.map(([, test]) => rowsOf(test, remember)));
    const [x, y] = upload(traj.x, traj.y, info);
    const [rememberX, rememberY] = upload(rand.x, rand.y, info);
    const classes = info.kind === 'classification' ? [...new Set(traj.y)] : [];
    return { x, y, steps: traj.y.length / (info.kind === 'classification' ? 1 : info.outputSize) / batchSize, batchSize, rememberX, rememberY, classes };
  }

  /** OML's meta-objective on one trajectory, as a closure for tf.variableGrads (see omlMetaLoss). */
  private omlLoss(t: Trajectory, lossOf: LossFn, secondOrder: boolean): () => tf.Scalar {
    const m = this.options.metaTraining;
    const inner: InnerSettings = { innerLr: m.innerLr, clip: m.clip, lossOf };
    if (secondOrder) return () => omlMetaLoss(this.split, this.params, t, inner);
    // First order: the PLN's inner displacement θ_K − θ_0, computed without recording, enters as a constant.
    const delta = tf.tidy(() => {
      const frozen = this.params.map((p) => tf.clone(p));
      const fast = innerLoop(this.split, frozen, this.split.rln(frozen, t.x), t, inner);
      return fast.map((w, k) => tf.sub(w, frozen[this.split.split + k]));
    });
    return () => {
      const fast = this.params.slice(this.split.split).map((w, k) => tf.add(w, delta[k]));
      return rememberLoss(this.split, this.params, fast, t, lossOf);
    };
  }

  /** The pre-training baseline: one supervised step on the trajectory and remember set together. */
  private pretrainLoss(t: Trajectory, lossOf: LossFn): () => tf.Scalar {
    return () => lossOf(this.ctx.model.forward(this.params, tf.concat([t.x, t.rememberX])), tf.concat([t.y, t.rememberY]));
  }

  /** Re-draws the output layer (only the given classes' columns when listed) from the Glorot initialiser. */
  private redrawOutput(rng: Rng, classes?: readonly number[]): void {
    const [kernel, bias] = this.params.slice(-2);
    const [din, dout] = kernel.shape;
    const fresh = glorotUniform([din, dout], din, dout, rng);
    tf.tidy(() => {
      if (!classes) {
        kernel.assign(fresh);
        bias.assign(tf.zerosLike(bias));
        return;
      }
      const mask = tf.tensor1d(Array.from({ length: dout }, (_, c) => (classes.includes(c) ? 1 : 0)));
      kernel.assign(tf.add(tf.mul(fresh, mask), tf.mul(kernel, tf.sub(1, mask))));
      bias.assign(tf.mul(bias, tf.sub(1, mask)));
    });
    fresh.dispose();
  }
}

/** The meta-training stream's options, validated and with their defaults, as a scenario's stream would be. */
function resolveStreamSpec(raw: StreamSpec): StreamSpec {
  if (!streams.has(raw.type)) throw new ClbenchError(`learner oml: metaTraining.stream.type '${raw.type}' is not a known stream; known: ${streams.names().join(', ')}`);
  const { type, ...options } = raw;
  return { type, ...withDefaults<object>(streams.get(type).options, options, 'learner oml', 'metaTraining.stream') };
}

function checkCompatible(meta: StreamInfo, target: StreamInfo, tasksPerTrajectory: number | undefined): void {
  // A trajectory is a window of the meta-training stream; on an endless stream "all of it" never ends.
  if (tasksPerTrajectory === undefined && !Number.isFinite(meta.numTasks)) {
    throw new ClbenchError('learner oml: metaTraining.stream is endless, so metaTraining.tasksPerTrajectory must say how many tasks a trajectory takes');
  }
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (meta.kind !== target.kind || !same(meta.inputShape, target.inputShape) || meta.outputSize !== target.outputSize || meta.heads !== 1) {
    const show = (s: StreamInfo) => `${s.kind}, input [${s.inputShape.join(', ')}], ${s.outputSize} outputs, ${s.heads} head(s)`;
    throw new ClbenchError(`learner oml: metaTraining.stream (${show(meta)}) does not match the scenario's stream (${show(target)})`);
  }
}

export const omlEntry: LearnerEntry<OmlOptions> = {
  type: 'oml',
  description: 'OML (Javed & White 2019): a representation meta-trained so that online SGD on the prediction layers does not forget; the stream then trains the prediction layers only',
  options: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, description: 'Online SGD step size on the prediction network (default: metaTraining.innerLr)' },
      representationLayers: { type: 'integer', minimum: 0, description: 'Hidden layers in the representation network (default: all but the last)' },
      objective: { enum: ['oml', 'pretrain'], default: 'oml', description: 'oml: meta-train the representation; pretrain: plain supervised pre-training on the same data (the paper’s baseline)' },
      resetHead: { type: 'boolean', default: false, description: 'Re-draw the output layer after meta-training' },
      metaTraining: {
        type: 'object',
        properties: {
          stream: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'], description: 'Stream the trajectories come from (any registered stream and its options)' },
          iterations: { type: 'integer', minimum: 0, default: 200, description: 'Meta-updates' },
          tasksPerTrajectory: { type: 'integer', minimum: 1, description: 'Tasks per trajectory (default: all of the stream’s)' },
          batchSize: { type: 'integer', minimum: 1, default: 8, description: 'Inner minibatch size' },
          stepsPerTask: { type: 'integer', minimum: 1, default: 40, description: 'Inner SGD steps per task' },
          rememberPerTask: { type: 'integer', minimum: 1, default: 32, description: 'Remember-set examples per task (from its test split)' },
          innerLr: { type: 'number', exclusiveMinimum: 0, default: 0.003, description: 'Inner SGD step size' },
          metaLr: { type: 'number', exclusiveMinimum: 0, default: 1e-4, description: 'Adam step size of the meta-updates' },
          secondOrder: { type: 'boolean', default: true, description: 'Differentiate through the inner loop (false: first order)' },
          clip: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'Element-wise clip of the inner gradients' },
          resetClassRows: { type: 'boolean', default: true, description: 'Classification: re-draw the output weights of a trajectory’s classes first' },
        },
        required: ['stream'],
        additionalProperties: false,
      },
    },
    required: ['metaTraining'],
  },
  create: (options) => new Oml(options),
};

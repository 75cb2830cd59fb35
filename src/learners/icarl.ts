import * as tf from '../backend/tf.js';
import { uploadRows } from '../streams/upload.js';
import { ClbenchError } from '../util/errors.js';
import { ExampleMemory, type StoredExamples, gatherRows } from './base/example-memory.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { MergedBatches } from './base/merged-batches.js';
import { ReplayBuffer, labelWidthOf } from './base/replay-buffer.js';
import { weightDecayPenalty, weightDecaySchema } from './base/weight-decay.js';
import type { Rng } from '../util/rng.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo, TrainSplit } from './types.js';

export interface IcarlOptions extends OptimizerOptions {
  /** Exemplars kept in total, shared equally by the classes seen. */
  readonly memorySize: number;
  /** Train on the exemplars with each task's data (iCaRL's rehearsal); false: they only serve the class means. */
  readonly trainOnExemplars: boolean;
  /** wd of the wd·Σθ² term added to the loss (Mammoth's wd_reg). */
  readonly weightDecay: number;
}

/** Score of the classes without exemplars under nearest-mean classification: never the argmax. */
const NO_MEAN = -1e30;

/**
 * Herding (Welling 2009; iCaRL's Algorithm 4): picks `k` of the `n` feature rows (each `d` values)
 * one at a time, each time the one that brings the mean of the picked rows closest to the mean μ
 * of all rows: p_i = argmin_x ‖μ − (x + Σ_{j<i} p_j) / i‖. Returns the picked rows in order.
 */
export function herdingOrder(features: Float32Array, n: number, d: number, k: number): number[] {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += features[r * d + j] / n;
  const sum = new Float64Array(d);
  const picked: number[] = [];
  const taken = new Uint8Array(n);
  for (let i = 1; i <= Math.min(k, n); i++) {
    let best = -1;
    let bestCost = Infinity;
    for (let r = 0; r < n; r++) {
      if (taken[r]) continue;
      let cost = 0;
      for (let j = 0; j < d; j++) {
        const diff = mean[j] - (sum[j] + features[r * d + j]) / i;
        cost += diff * diff;
      }
      if (cost < bestCost) [best, bestCost] = [r, cost];
    }
    taken[best] = 1;
    picked.push(best);
    for (let j = 0; j < d; j++) sum[j] += features[best * d + j];
  }
  return picked;
}

/**
 * Binary cross-entropy with logits, averaged over the rows and the given columns (the classes
 * seen so far): max(z, 0) − z·t + log(1 + e^−|z|).
 */
export function binaryCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, columns: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    // A 0/1 column mask rather than a gather: gather's gradient needs a kernel wasm lacks.
    const keep = new Float32Array(logits.shape[1]!);
    for (const c of columns) keep[c] = 1;
    const z = logits;
    const perEntry = tf.add(tf.sub(tf.relu(z), tf.mul(z, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.div(tf.sum(tf.mul(perEntry, tf.tensor1d(keep))), logits.shape[0]! * columns.length) as tf.Scalar;
  });
}

/**
 * iCaRL's targets for a batch with labels `y`: one-hot, except on the old classes' columns
 * (`oldColumns`, a 0/1 mask), which take the previous model's sigmoid outputs when there is one.
 * An old class's exemplar thus gets the teacher's outputs on every old column and 0 on the new ones.
 */
export function icarlTargets(y: tf.Tensor, outputSize: number, teacherProbs: tf.Tensor | null, oldColumns: Float32Array): tf.Tensor {
  return tf.tidy(() => {
    // Cast rather than oneHot's dtype argument, which the wasm kernel ignores (int data read as floats).
    const labels = tf.cast(tf.oneHot(tf.cast(y, 'int32'), outputSize), 'float32');
    if (!teacherProbs) return labels;
    const old = tf.broadcastTo(tf.greater(tf.tensor1d(oldColumns), 0), labels.shape);
    return tf.where(old, teacherProbs, labels);
  });
}

/**
 * iCaRL (Rebuffi et al., CVPR 2017, "iCaRL: incremental classifier and representation learning"),
 * as in Mammoth (models/icarl.py). Three parts:
 * - representation learning: each task is learnt on its examples merged with the exemplars (the
 *   union shuffled and cut into the protocol's batches, so each exemplar is trained on once per
 *   epoch); sigmoid outputs trained with binary cross-entropy over the classes seen so far, the new
 *   classes' targets one-hot, the old classes' targets the previous model's sigmoid outputs
 *   (distillation); an optional weight decay wd·Σθ² (Mammoth's wd_reg);
 * - exemplars: at each task end the memory is shared equally by the classes seen; an old class
 *   keeps its first exemplars, a new class gets its examples chosen by herding in feature space;
 * - nearest-mean-of-exemplars classification: an input goes to the class whose exemplars' mean
 *   feature is closest (score −‖f(x) − μ_c‖²; features not normalised, as in Mammoth).
 * Needs one shared head (class-incremental).
 */
export class Icarl extends ModelLearner {
  private exemplars!: ReplayBuffer;
  /** This task's examples merged with the exemplars, re-batched; null without exemplars to train on. */
  private merged: MergedBatches | null = null;
  private mergeRng!: Rng;
  private teacher: tf.Tensor[] | null = null;
  private readonly oldClasses = new Set<number>();
  private readonly currentClasses = new Set<number>();
  /** Class means of the exemplars' features (host), recomputed when the parameters have moved. */
  private classMeans: { means: Float32Array; hasMean: boolean[] } | null = null;

  constructor(private readonly options: IcarlOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const { stream, model } = ctx;
    if (stream.kind !== 'classification' || stream.heads !== 1) {
      throw new ClbenchError(`learner icarl: needs one shared classification head (class-incremental), but stream '${stream.type}' has ${stream.heads} head(s) (${stream.kind})`);
    }
    if (!model.features) throw new ClbenchError('learner icarl: the model gives no features (FunctionalModel.features) for nearest-mean classification');
    const capacity = this.options.memorySize;
    this.exemplars = ReplayBuffer.forStream(stream, { policy: 'reservoir', capacity }, ctx.rng.fork('exemplars'));
    this.mergeRng = ctx.rng.fork('merge');
  }

  /** The exemplars join the task's examples (Mammoth's begin_task): their merged batches are planned. */
  override beginTask(task: TaskInfo, train: TrainSplit): void {
    this.currentClasses.clear();
    for (const c of task.classes ?? []) this.currentClasses.add(c);
    const { stream, batchSize } = this.ctx;
    this.merged = this.options.trainOnExemplars && this.exemplars.size > 0
      ? new MergedBatches(this.exemplars.all(), train.size, batchSize, this.mergeRng, stream.inputShape, labelWidthOf(stream))
      : null;
  }

  observe(batch: Batch): number | undefined {
    this.classMeans = null;
    for (const c of batch.y.dataSync()) if (!this.oldClasses.has(c)) this.currentClasses.add(c);
    if (!this.merged) return this.trainOn(batch.x, batch.y);
    let loss: number | undefined;
    for (const examples of this.merged.arrive(ExampleMemory.read(batch))) {
      const { x, y } = uploadRows(examples, this.ctx.stream);
      try {
        loss = this.trainOn(x, y);
      } finally {
        tf.dispose([x, y]);
      }
    }
    return loss;
  }

  /** One step of binary cross-entropy on the classes seen so far, the old ones distilled from the teacher. */
  private trainOn(x: tf.Tensor, y: tf.Tensor): number {
    const { model, stream } = this.ctx;
    const columns = [...this.oldClasses, ...this.currentClasses].sort((a, b) => a - b);
    const oldColumns = Float32Array.from({ length: stream.outputSize }, (_, c) => (this.oldClasses.has(c) ? 1 : 0));
    const teacher = this.teacher;
    const { weightDecay } = this.options;
    return this.step(() => tf.tidy(() => {
      const targets = icarlTargets(y, stream.outputSize, teacher ? tf.sigmoid(model.forward(teacher, x)) : null, oldColumns);
      const loss = binaryCrossEntropy(model.forward(this.params, x), targets, columns);
      return weightDecay > 0 ? tf.add(loss, weightDecayPenalty(this.params, weightDecay)) as tf.Scalar : loss;
    }));
  }

  /** The previous model becomes the teacher; the exemplar sets are rebuilt for the classes seen. */
  override endTask(_task: TaskInfo, train: TrainSplit): void {
    this.merged = null;
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = this.params.map((p) => tf.clone(p));
    const seen = new Set([...this.oldClasses, ...this.currentClasses]);
    const perClass = Math.floor(this.exemplars.capacity / Math.max(1, seen.size));
    const kept = this.exemplars.all();
    this.exemplars.clear();
    for (const c of [...this.oldClasses].sort((a, b) => a - b)) this.exemplars.add(firstOfClass(kept, c, perClass));
    const task = ExampleMemory.read(train);
    const features = this.featuresOf(task);
    const d = features.length / Math.max(1, task.n);
    for (const c of [...this.currentClasses].sort((a, b) => a - b)) {
      const rows = rowsOfClass(task, c);
      const own = pickRows(features, rows, d);
      const order = herdingOrder(own, rows.length, d, perClass);
      this.exemplars.add(gatherRows(task, order.map((r) => rows[r])));
    }
    for (const c of this.currentClasses) this.oldClasses.add(c);
    this.currentClasses.clear();
    this.classMeans = null;
  }

  /** Nearest mean of exemplars; the network's own outputs while there are no exemplars yet. */
  override predict(x: tf.Tensor, taskIndex?: number): tf.Tensor {
    if (this.exemplars.size === 0) return super.predict(x, taskIndex);
    const { means, hasMean } = (this.classMeans ??= this.computeClassMeans());
    const { outputSize } = this.ctx.stream;
    return tf.tidy(() => {
      const f = this.ctx.model.features!(this.params, x);
      const mu = tf.tensor2d(means, [outputSize, f.shape[1]!]);
      // ‖f − μ‖² = ‖f‖² − 2 f·μ + ‖μ‖², for every (row, class) pair at once.
      const distance = tf.add(tf.sub(tf.sum(tf.square(f), 1, true), tf.mul(2, tf.matMul(f, mu, false, true))), tf.sum(tf.square(mu), 1));
      const valid = tf.tensor1d(hasMean.map((h) => (h ? 1 : 0)), 'bool');
      return tf.where(tf.broadcastTo(valid, distance.shape), tf.neg(distance), tf.fill(distance.shape, NO_MEAN));
    });
  }

  private computeClassMeans(): { means: Float32Array; hasMean: boolean[] } {
    const all = this.exemplars.all();
    const features = this.featuresOf(all);
    const d = features.length / Math.max(1, all.n);
    const { outputSize } = this.ctx.stream;
    const means = new Float32Array(outputSize * d);
    const counts = new Array<number>(outputSize).fill(0);
    for (let r = 0; r < all.n; r++) {
      const c = all.y[r];
      counts[c]++;
      for (let j = 0; j < d; j++) means[c * d + j] += features[r * d + j];
    }
    for (let c = 0; c < outputSize; c++) for (let j = 0; j < d; j++) means[c * d + j] /= Math.max(1, counts[c]);
    return { means, hasMean: counts.map((n) => n > 0) };
  }

  /** Trunk features of stored examples, [n × d] on the host, computed in chunks. */
  private featuresOf(examples: StoredExamples): Float32Array {
    const chunk = 1000;
    const parts: Float32Array[] = [];
    for (let start = 0; start < examples.n; start += chunk) {
      const rows = Int32Array.from({ length: Math.min(chunk, examples.n - start) }, (_, i) => start + i);
      const { x, y } = uploadRows(gatherRows(examples, rows), this.ctx.stream);
      const f = this.ctx.model.features!(this.params, x);
      parts.push(f.dataSync() as Float32Array);
      tf.dispose([x, y, f]);
    }
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  override dispose(): void {
    if (this.teacher) tf.dispose(this.teacher);
    this.teacher = null;
    super.dispose();
  }
}

/** The rows of `examples` labelled `cls`, in order. */
function rowsOfClass(examples: StoredExamples, cls: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < examples.n; r++) if (examples.y[r] === cls) rows.push(r);
  return rows;
}

/** Rows `rows` of a packed [n × d] matrix. */
function pickRows(values: Float32Array, rows: readonly number[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, k) => out.set(values.subarray(r * d, (r + 1) * d), k * d));
  return out;
}

/** The first `k` examples of class `cls` (an exemplar set shrinks from its end, herding's order). */
function firstOfClass(examples: StoredExamples, cls: number, k: number): StoredExamples {
  return gatherRows(examples, rowsOfClass(examples, cls).slice(0, k));
}

export const icarlEntry: LearnerEntry<IcarlOptions> = {
  type: 'icarl',
  description: 'iCaRL: herding exemplars, distillation of the old model’s sigmoid outputs, nearest-mean-of-exemplars classification',
  requiresTaskLabels: true,
  // Defaults: Mammoth's best_args for seq-mnist, buffer 500 (lr 0.1, wd_reg 0).
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memorySize: { type: 'integer', minimum: 1, default: 500, description: 'Exemplars kept in total, shared equally by the classes seen' },
      trainOnExemplars: { type: 'boolean', default: true, description: 'Train on the exemplars merged into each task’s data; false: they only give the class means' },
      weightDecay: weightDecaySchema,
    },
    required: ['lr'],
  },
  create: (options) => new Icarl(options),
};

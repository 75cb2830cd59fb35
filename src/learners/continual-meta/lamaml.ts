import * as tf from '../../backend/tf.js';
import { ClbenchError } from '../../util/errors.js';
import type { JsonSchema } from '../../util/registry.js';
import type { Rng } from '../../util/rng.js';
import { ExampleMemory, toTensors } from '../base/example-memory.js';
import { ModelLearner, toVariables } from '../base/model-learner.js';
import type { LossFn } from '../base/losses.js';
import { ReplayBuffer, labelWidthOf } from '../base/replay-buffer.js';
import { type TaskBatchedForward, taskBatchedForward } from '../meta/task-batched.js';
import type { Batch, LearnerContext, LearnerEntry } from '../types.js';
import { clipByGlobalNorm } from './clip.js';
import { HostMlp, readParams } from './host-mlp.js';
import type { EngineChoice } from './inner-loop-engine.js';
import { HostLaMaml } from './lamaml-host.js';
import { headsMask, maskedValueAndGrads } from './masked-grads.js';
import { mixedTaskLoss } from '../base/mixed-task-loss.js';
import { type RowSource, concatExamples, drawWithReplacement, frozenRows } from './stored-rows.js';
import { trainingLoss } from './training-loss.js';

/** How the three learners of the La-MAML paper differ: whether α is learned, and how θ moves. */
export interface LaMamlMode {
  /** Learn the per-parameter step sizes α (La-MAML, Sync) or keep them at alphaInit (C-MAML). */
  readonly learnLr: boolean;
  /** θ ← θ − lr·g (C-MAML, Sync), or θ ← θ − relu(α)⊙g with the just-updated α (La-MAML). */
  readonly syncUpdate: boolean;
}

export interface LaMamlOptions {
  /** θ's meta step size (opt_wt); the synchronous variants only. */
  readonly lr?: number;
  /** Initial value of every per-parameter step size α. */
  readonly alphaInit?: number;
  /** Step size of α's own SGD (opt_lr). */
  readonly alphaLr?: number;
  /** Meta-updates per incoming batch (single-pass "glances"). */
  readonly glances?: number;
  readonly memorySize?: number;
  /** Replayed examples in each meta-loss batch, beside the incoming batch. */
  readonly replayBatch?: number;
  /** Replay only what the memory held when the current task began (needs task boundaries). */
  readonly useOldTaskMemory?: boolean;
  /** Global-norm clip of the meta-gradients of θ and of α (each on its own). */
  readonly clipNorm?: number;
  /** Host memory (single-head MLPs; auto picks it when the model allows) or tfjs. */
  readonly engine?: EngineChoice;
}

const DEFAULTS = {
  alphaInit: 0.1, alphaLr: 0.1, lr: 0.1, glances: 5, memorySize: 200, replayBatch: 10, useOldTaskMemory: false, clipNorm: 2, engine: 'auto',
} as const;

/** Σ_i L(θ_i) for parameters stacked along a leading axis (θ_i = slice i), in one batched pass. */
export type StackedLoss = (stacked: readonly tf.Tensor[]) => tf.Scalar;

// A type (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type MetaGradients = {
  /** ∂/∂θ of the mean meta-loss (first order). */
  theta: tf.Tensor[];
  /** ∂/∂α of the mean meta-loss. */
  alpha: tf.Tensor[];
  /** The mean meta-loss. */
  loss: tf.Scalar;
};

/**
 * La-MAML's first-order meta-gradient for one glance (Gupta et al. 2020, Algorithm 1). The fast
 * weights take one SGD step per incoming example, θ_i = θ_{i−1} − relu(α)⊙g_i with
 * g_i = ∇ℓ(θ_{i−1}; x_i) held constant (first order), and the meta-loss is the mean over i of
 * L(θ_i) on the meta batch (replay + incoming). Its gradients follow in closed form:
 * ∂/∂θ = (1/n) Σ_i ∇L(θ_i) and ∂/∂α = −(1/n) Σ_i ∇L(θ_i) ⊙ (Σ_{j≤i} g_j) ⊙ 1[α > 0].
 * The caller owns the returned tensors (run inside tf.tidy).
 */
export function laMamlMetaGradients(
  theta: readonly tf.Tensor[], alpha: readonly tf.Tensor[],
  innerLoss: (params: readonly tf.Tensor[], i: number) => tf.Scalar, steps: readonly number[],
  metaLoss: (params: readonly tf.Tensor[]) => tf.Scalar,
  stackedMetaLoss?: StackedLoss,
  masks?: { readonly inner: readonly boolean[]; readonly meta: readonly boolean[] },
): MetaGradients {
  const all = theta.map(() => true);
  const rates = alpha.map((a) => tf.relu(a));
  let fast = [...theta];
  const path: tf.Tensor[][] = [];
  const inner: tf.Tensor[][] = [];
  for (const i of steps) {
    const g = maskedValueAndGrads((p) => innerLoss(p, i), fast, masks?.inner ?? all).grads;
    fast = fast.map((p, k) => tf.sub(p, tf.mul(rates[k], g[k])));
    path.push(fast);
    inner.push(g);
  }
  const n = steps.length;
  // Σ_{j≤i} g_j for every i, along a leading axis.
  const cumulative = theta.map((_, k) => tf.cumsum(tf.stack(inner.map((g) => g[k])), 0));
  let sumTheta: tf.Tensor[];
  let sumAlpha: tf.Tensor[];
  let lossSum: tf.Tensor;
  if (stackedMetaLoss) {
    // All n meta-gradients in one batched pass: each θ_i is one slice of a stacked parameter.
    const stacked = theta.map((_, k) => tf.stack(path.map((f) => f[k])));
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => stackedMetaLoss(p))(stacked);
    lossSum = value;
    sumTheta = grads.map((m) => tf.sum(m, 0));
    sumAlpha = grads.map((m, k) => tf.sum(tf.mul(m, cumulative[k]), 0));
  } else {
    lossSum = tf.scalar(0);
    sumTheta = theta.map((p) => tf.zerosLike(p));
    sumAlpha = theta.map((p) => tf.zerosLike(p));
    path.forEach((f, i) => {
      const { value, grads } = maskedValueAndGrads(metaLoss, f, masks?.meta ?? all);
      lossSum = tf.add(lossSum, value);
      sumTheta = sumTheta.map((s, k) => tf.add(s, grads[k]));
      sumAlpha = sumAlpha.map((s, k) => tf.add(s, tf.mul(grads[k], tf.squeeze(tf.slice(cumulative[k], i, 1), [0]))));
    });
  }
  return {
    theta: sumTheta.map((s) => tf.div(s, n)),
    alpha: sumAlpha.map((s, k) => tf.mul(tf.div(s, -n), tf.step(alpha[k]))),
    loss: tf.div(lossSum, n) as tf.Scalar,
  };
}

/**
 * Look-ahead MAML for online continual learning (Gupta, Yadav & Paull, NeurIPS 2020) and the two
 * baselines of its paper, as one learner: C-MAML (fixed α, synchronous SGD on θ), La-MAML-Sync
 * (learned α, synchronous SGD on θ) and La-MAML (learned α, θ moved by the updated relu(α)).
 * Each incoming batch gets `glances` meta-updates; the first glance offers the batch to a
 * reservoir memory, from which each meta-loss batch draws `replayBatch` examples.
 */
export class LaMaml extends ModelLearner {
  private alpha: tf.Variable[] = [];
  private buffer!: ReplayBuffer;
  private oldMemory?: RowSource;
  private currentTask?: number;
  private drawRng!: Rng;
  private orderRng!: Rng;
  private loss!: LossFn;
  /** Single-head MLPs: all of a glance's meta-gradients in one batched pass. */
  private stackedForward?: TaskBatchedForward;
  /** The host-memory implementation, when the engine is 'host' (θ and α then live there). */
  private host?: HostLaMaml;
  /** θ and α changed on the host since the variables were last written. */
  private stale = false;

  constructor(private readonly mode: LaMamlMode, private readonly options: LaMamlOptions, private readonly label: string) {
    super({ lr: options.lr ?? DEFAULTS.lr });
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (this.options.useOldTaskMemory && ctx.taskFree) {
      throw new ClbenchError(`learner ${this.label}: useOldTaskMemory needs task boundaries, but protocol.taskFree is true`);
    }
    const alphaInit = this.options.alphaInit ?? DEFAULTS.alphaInit;
    this.alpha.forEach((a) => a.dispose());
    this.alpha = toVariables(this.params.map((p) => tf.fill(p.shape, alphaInit)));
    const capacity = this.options.memorySize ?? DEFAULTS.memorySize;
    this.buffer = new ReplayBuffer(ctx.stream.inputShape, labelWidthOf(ctx.stream), { policy: 'reservoir', capacity }, ctx.rng.fork('reservoir'));
    this.drawRng = ctx.rng.fork('replay-draws');
    this.orderRng = ctx.rng.fork('inner-order');
    this.loss = trainingLoss(ctx.stream.kind);
    this.stackedForward = ctx.stream.heads === 1 ? taskBatchedForward(ctx.model) : undefined;
    const engine = this.options.engine ?? DEFAULTS.engine;
    const mlp = engine !== 'tf' && ctx.stream.heads === 1 ? HostMlp.for(ctx.model, ctx.stream.kind) : undefined;
    if (engine === 'host' && !mlp) {
      throw new ClbenchError(`learner ${this.label}: engine 'host' needs a single-head ReLU MLP (model.type "mlp"); use engine 'auto' or 'tf'`);
    }
    this.host = mlp ? new HostLaMaml(mlp, readParams(this.params), readParams(this.alpha)) : undefined;
  }

  /** Which implementation runs the glances. */
  get engineKind(): 'host' | 'tf' {
    return this.host ? 'host' : 'tf';
  }

  /** The per-parameter step sizes α (read-only views for tests and reports). */
  get stepSizes(): readonly tf.Variable[] {
    this.sync();
    return this.alpha;
  }

  override predict(x: tf.Tensor, taskIndex?: number): tf.Tensor {
    this.sync();
    return super.predict(x, taskIndex);
  }

  /** The variables catch up with the host copies lazily: once per evaluation. */
  private sync(): void {
    if (!this.stale || !this.host) return;
    const host = this.host;
    tf.tidy(() => {
      this.params.forEach((v, i) => v.assign(tf.tensor(host.theta[i], v.shape)));
      this.alpha.forEach((v, i) => v.assign(tf.tensor(host.alpha[i], v.shape)));
    });
    this.stale = false;
  }

  observe(batch: Batch): number {
    const incoming = ExampleMemory.read(batch);
    if (this.options.useOldTaskMemory && batch.taskIndex !== this.currentTask) {
      // A new task: from now on replay what the memory held when it began.
      this.currentTask = batch.taskIndex;
      this.oldMemory = frozenRows(this.buffer);
    }
    const glances = this.options.glances ?? DEFAULTS.glances;
    const { stream, model } = this.ctx;
    const headOf = (task: number) => this.headFor(task < 0 ? undefined : task);
    const innerHead = headOf(batch.taskIndex ?? -1);
    let total = 0;
    for (let glance = 0; glance < glances; glance++) {
      const source = this.options.useOldTaskMemory && (this.currentTask ?? 0) > 0 ? this.oldMemory! : this.buffer;
      const replay = drawWithReplacement(source, this.options.replayBatch ?? DEFAULTS.replayBatch, this.drawRng);
      const order = Array.from(this.orderRng.permutation(batch.size));
      if (this.host) {
        total += this.host.glance(incoming, order, concatExamples(replay, incoming), innerHead, this.settings());
        if (glance === 0) this.buffer.add(incoming);
        this.stale = true;
        continue;
      }
      const uploaded = replay.n > 0 ? toTensors(replay, stream.inputShape, stream.kind === 'classification') : undefined;
      const grads = tf.tidy(() => {
        const x = uploaded ? tf.concat([uploaded.x, batch.x]) : batch.x;
        const y = uploaded ? tf.concat([uploaded.y, batch.y]) : batch.y;
        const tasks = [...replay.tasks, ...incoming.tasks];
        const xi = order.map((i) => tf.slice(batch.x, i, 1));
        const yi = order.map((i) => tf.slice(batch.y, i, 1));
        const forward = this.stackedForward;
        const stackedLoss = forward && ((p: readonly tf.Tensor[]) => {
          // Σ_i L(θ_i) = n × the mean loss over n copies of the meta batch, one per θ_i.
          const n = order.length;
          const m = x.shape[0];
          const out = forward(p, tf.tile(tf.reshape(x, [1, m, -1]), [n, 1, 1]));
          const labels = y.rank === 1 ? tf.tile(y, [n]) : tf.tile(y, [n, 1]);
          return tf.mul(this.loss(tf.reshape(out, [n * m, -1]), labels), n) as tf.Scalar;
        });
        const g = laMamlMetaGradients(
          this.params, this.alpha,
          (p, k) => this.loss(model.forward(p, xi[k], innerHead), yi[k]),
          order.map((_, k) => k),
          (p) => mixedTaskLoss(model, this.loss, p, x, y, tasks, headOf),
          stackedLoss,
          { inner: headsMask(model, [innerHead]), meta: headsMask(model, tasks.map(headOf)) },
        );
        const clip = this.options.clipNorm ?? DEFAULTS.clipNorm;
        return { theta: clipByGlobalNorm(g.theta, clip), alpha: clipByGlobalNorm(g.alpha, clip), loss: g.loss };
      });
      tf.dispose([uploaded?.x, uploaded?.y]);
      if (glance === 0) this.buffer.add(incoming);
      this.apply(grads.theta, grads.alpha);
      total += grads.loss.dataSync()[0];
      tf.dispose([...grads.theta, ...grads.alpha, grads.loss]);
    }
    return total / glances;
  }

  private settings() {
    return {
      ...this.mode,
      lr: this.options.lr ?? DEFAULTS.lr,
      alphaLr: this.options.alphaLr ?? DEFAULTS.alphaLr,
      clipNorm: this.options.clipNorm ?? DEFAULTS.clipNorm,
    };
  }

  /** α first (when learned), then θ: synchronously by SGD, or by the new relu(α). */
  private apply(gTheta: readonly tf.Tensor[], gAlpha: readonly tf.Tensor[]): void {
    tf.tidy(() => {
      if (this.mode.learnLr) {
        const alphaLr = this.options.alphaLr ?? DEFAULTS.alphaLr;
        this.alpha.forEach((a, k) => a.assign(tf.sub(a, tf.mul(gAlpha[k], alphaLr))));
      }
      const lr = this.options.lr ?? DEFAULTS.lr;
      this.params.forEach((p, k) => {
        const step = this.mode.syncUpdate ? tf.mul(gTheta[k], lr) : tf.mul(gTheta[k], tf.relu(this.alpha[k]));
        p.assign(tf.sub(p, step));
      });
    });
  }

  override dispose(): void {
    this.alpha.forEach((a) => a.dispose());
    this.alpha = [];
    super.dispose();
  }
}

/** The options all three share; `lr` only where θ takes SGD steps, `alphaLr` only where α is learned. */
function schemaFor(mode: LaMamlMode, defaults: { alphaInit: number; glances: number }): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    alphaInit: { type: 'number', minimum: 0, default: defaults.alphaInit, description: 'Initial per-parameter inner step size α (fixed for cmaml)' },
    glances: { type: 'integer', minimum: 1, default: defaults.glances, description: 'Meta-updates per incoming batch (single-pass glances)' },
    memorySize: { type: 'integer', minimum: 1, default: DEFAULTS.memorySize, description: 'Reservoir memory size' },
    replayBatch: { type: 'integer', minimum: 0, default: DEFAULTS.replayBatch, description: 'Replayed examples in each meta-loss batch (drawn with replacement)' },
    useOldTaskMemory: {
      type: 'boolean', default: DEFAULTS.useOldTaskMemory,
      description: 'Replay only the memory as it was when the current task began (needs task boundaries)',
    },
    clipNorm: { type: 'number', exclusiveMinimum: 0, default: DEFAULTS.clipNorm, description: 'Global-norm clip of the meta-gradients (θ and α separately)' },
    engine: {
      enum: ['auto', 'host', 'tf'], default: DEFAULTS.engine,
      description: 'Glances in host memory (single-head MLPs; auto picks it when the model allows) or through tfjs',
    },
  };
  if (mode.syncUpdate) properties.lr = { type: 'number', exclusiveMinimum: 0, default: DEFAULTS.lr, description: 'Meta step size of θ (opt_wt)' };
  if (mode.learnLr) properties.alphaLr = { type: 'number', exclusiveMinimum: 0, default: DEFAULTS.alphaLr, description: 'Step size of α’s own updates (opt_lr)' };
  return { type: 'object', properties };
}

function entry(type: string, mode: LaMamlMode, description: string, defaults: { alphaInit: number; glances: number }): LearnerEntry<LaMamlOptions> {
  return {
    type,
    description,
    options: schemaFor(mode, defaults),
    create: (options) => new LaMaml(mode, { alphaInit: defaults.alphaInit, glances: defaults.glances, ...options }, type),
  };
}

export const laMamlEntry = entry(
  'lamaml', { learnLr: true, syncUpdate: false },
  'La-MAML (Gupta et al. 2020): online look-ahead meta-learning with learned per-parameter step sizes relu(α), θ moved asynchronously by the updated α',
  { alphaInit: 0.15, glances: 5 },
);

export const laMamlSyncEntry = entry(
  'lamaml-sync', { learnLr: true, syncUpdate: true },
  'La-MAML-Sync (Gupta et al. 2020): learned per-parameter step sizes α, θ updated synchronously by SGD at lr',
  { alphaInit: 0.15, glances: 5 },
);

/** C-MAML is the same learner with α fixed: exported from cmaml.ts. */
export const cMamlMode: LaMamlMode = { learnLr: false, syncUpdate: true };
export { entry as laMamlFamilyEntry };

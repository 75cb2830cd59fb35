import * as tf from '../../backend/tf.js';
import { ClbenchError } from '../../util/errors.js';
import type { JsonSchema } from '../../util/registry.js';
import type { Rng } from '../../util/rng.js';
import { ExampleMemory, type StoredExamples, concatExamples } from '../base/example-memory.js';
import { ModelLearner, toVariables } from '../base/model-learner.js';
import { ReplayBuffer } from '../base/replay-buffer.js';
import { taskBatchedForward } from '../meta/task-batched.js';
import type { Batch, LearnerContext, LearnerEntry } from '../types.js';
import { HostMlp, readParams } from './host-mlp.js';
import type { EngineChoice } from './inner-loop-engine.js';
import type { LookAheadEngine } from './lamaml-engine.js';
import { HostLookAhead } from './lamaml-host.js';
import { TfLookAhead } from './lamaml-tf.js';
import { type RowSource, drawWithReplacement, frozenRows } from './stored-rows.js';

/** How the three learners of the La-MAML paper differ: whether α is learned, and how θ moves. */
export interface LaMamlMode {
  /** Learn the per-parameter step sizes α (La-MAML, Sync) or keep them at alphaInit (C-MAML). */
  readonly learnLr: boolean;
  /** θ ← θ − lr·g (C-MAML, Sync), or θ ← θ − relu(α)⊙g with the just-updated α (La-MAML). */
  readonly syncUpdate: boolean;
}

/**
 * The options as the scenario schema fills them (every default applied). `lr` and `alphaLr` are in
 * a variant's schema, and so present, only where it uses them.
 */
export interface LaMamlOptions {
  /** θ's meta step size (opt_wt); the synchronous variants only. */
  readonly lr?: number;
  /** Initial value of every per-parameter step size α. */
  readonly alphaInit: number;
  /** Step size of α's own SGD (opt_lr); the variants that learn α only. */
  readonly alphaLr?: number;
  /** Meta-updates per incoming batch (single-pass "glances"). */
  readonly glances: number;
  readonly memorySize: number;
  /** Replayed examples in each meta-loss batch, beside the incoming batch. */
  readonly replayBatch: number;
  /** Replay only what the memory held when the current task began (needs task boundaries). */
  readonly useOldTaskMemory: boolean;
  /** Global-norm clip of the meta-gradients of θ and of α (each on its own). */
  readonly clipNorm: number;
  /** Host memory (single-head MLPs; auto picks it when the model allows) or tfjs. */
  readonly engine: EngineChoice;
}

/** θ's step size in the synchronous variants' schema; La-MAML's base-class optimizer and adapt() take it too. */
const SYNC_LR = 0.1;

/** How a glance moves α and θ. */
export interface GlanceSettings {
  /** α's SGD step size; undefined: α stays fixed (C-MAML). */
  readonly alphaLr?: number;
  /** θ's SGD step size (C-MAML, Sync); undefined: θ moves by relu(α) (La-MAML). */
  readonly lr?: number;
  readonly clipNorm: number;
}

/**
 * One glance of La-MAML (Gupta, Yadav & Paull 2020, Algorithm 1, first order, as the authors'
 * code computes it): from θ_0 = θ, one SGD step per incoming example in `order` with the learned
 * per-parameter step sizes, θ_i = θ_{i−1} − relu(α)⊙∇ℓ(θ_{i−1}; x_i); the meta-objective is the
 * mean over i of the loss L_meta(θ_i) on the meta batch (replay + incoming). Its gradients are
 * clipped; then α takes an SGD step (when learned), and θ moves by SGD at lr (C-MAML, Sync) or
 * by relu(α)⊙∂/∂θ with the updated α (La-MAML). Returns the meta-objective.
 */
export function laMamlGlance(
  engine: LookAheadEngine, inner: StoredExamples, order: readonly number[], meta: StoredExamples, innerHead: number, s: GlanceSettings,
): number {
  engine.begin(inner, meta, innerHead);
  for (const row of order) {
    engine.innerStep(row);
    engine.addMetaLoss();
  }
  const loss = engine.metaGradients();
  engine.clipMetaGradients(s.clipNorm);
  if (s.alphaLr !== undefined) engine.updateAlpha(s.alphaLr);
  engine.updateTheta(s.lr ?? 'relu-alpha');
  return loss;
}

/**
 * Look-ahead MAML for online continual learning (Gupta, Yadav & Paull, NeurIPS 2020) and the two
 * baselines of its paper, as one learner: C-MAML (fixed α, synchronous SGD on θ), La-MAML-Sync
 * (learned α, synchronous SGD on θ) and La-MAML (learned α, θ moved by the updated relu(α)).
 * Each incoming batch gets `glances` meta-updates; the first glance offers the batch to a
 * reservoir memory, from which each meta-loss batch draws `replayBatch` examples.
 *
 * The glances run on the host engine (plain loops, no tfjs launch per step) when the model is a
 * single-head MLP, else through tfjs; both compute the same glance.
 */
export class LaMaml extends ModelLearner {
  private alpha: tf.Variable[] = [];
  private engine?: LookAheadEngine;
  private buffer!: ReplayBuffer;
  private oldMemory?: RowSource;
  private currentTask?: number;
  private drawRng!: Rng;
  private orderRng!: Rng;
  /** θ and α changed in the engine since the variables were last written. */
  private stale = false;
  private readonly settings: GlanceSettings;

  constructor(mode: LaMamlMode, private readonly options: LaMamlOptions, private readonly label: string) {
    // La-MAML has no lr (θ moves by relu(α)); the base class's optimizer and adapt() get the synchronous variants' default.
    super({ lr: options.lr ?? SYNC_LR });
    const needed = (name: 'lr' | 'alphaLr'): number => {
      const value = options[name];
      if (value === undefined) throw new ClbenchError(`learner ${label}: option ${name} is missing (the scenario schema gives its default)`);
      return value;
    };
    this.settings = {
      alphaLr: mode.learnLr ? needed('alphaLr') : undefined,
      lr: mode.syncUpdate ? needed('lr') : undefined,
      clipNorm: options.clipNorm,
    };
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const o = this.options;
    if (o.useOldTaskMemory && ctx.taskFree) {
      throw new ClbenchError(`learner ${this.label}: useOldTaskMemory needs task boundaries, but protocol.taskFree is true`);
    }
    this.alpha.forEach((a) => a.dispose());
    this.alpha = toVariables(this.params.map((p) => tf.fill(p.shape, o.alphaInit)));
    this.buffer = ReplayBuffer.forStream(ctx.stream, { policy: 'reservoir', capacity: o.memorySize }, ctx.rng.fork('reservoir'));
    this.drawRng = ctx.rng.fork('replay-draws');
    this.orderRng = ctx.rng.fork('inner-order');
    this.engine?.dispose();
    this.engine = this.makeEngine(ctx);
  }

  /** The host engine for single-head MLPs (unless `engine` is 'tf'), else the tf engine. */
  private makeEngine(ctx: LearnerContext): LookAheadEngine {
    const choice = this.options.engine;
    const singleHead = ctx.stream.heads === 1;
    const mlp = choice !== 'tf' && singleHead ? HostMlp.for(ctx.model, ctx.stream.kind) : undefined;
    if (mlp) return new HostLookAhead(mlp, readParams(this.params), readParams(this.alpha));
    if (choice === 'host') {
      throw new ClbenchError(`learner ${this.label}: engine 'host' needs a single-head ReLU MLP (model.type "mlp"); use engine 'auto' or 'tf'`);
    }
    return new TfLookAhead({
      model: ctx.model, stream: ctx.stream, theta: this.params, alpha: this.alpha,
      headOf: (task) => this.headOf(task), stacked: singleHead ? taskBatchedForward(ctx.model) : undefined,
    });
  }

  private headOf(task: number): number {
    return this.headFor(task < 0 ? undefined : task);
  }

  /** Which engine runs the glances. */
  get engineKind(): 'host' | 'tf' {
    return this.engine!.kind;
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

  /** The variables catch up with the engine lazily: once per evaluation. */
  private sync(): void {
    if (!this.stale) return;
    this.engine!.commit(this.params, this.alpha);
    this.stale = false;
  }

  observe(batch: Batch): number {
    const o = this.options;
    const incoming = ExampleMemory.read(batch);
    if (o.useOldTaskMemory && batch.taskIndex !== this.currentTask) {
      // A new task: from now on replay what the memory held when it began.
      this.currentTask = batch.taskIndex;
      this.oldMemory = frozenRows(this.buffer);
    }
    const innerHead = this.headOf(batch.taskIndex ?? -1);
    let total = 0;
    for (let glance = 0; glance < o.glances; glance++) {
      const source = o.useOldTaskMemory && (this.currentTask ?? 0) > 0 ? this.oldMemory! : this.buffer;
      const replay = drawWithReplacement(source, o.replayBatch, this.drawRng);
      const order = Array.from(this.orderRng.permutation(batch.size));
      total += laMamlGlance(this.engine!, incoming, order, concatExamples(replay, incoming), innerHead, this.settings);
      if (glance === 0) this.buffer.add(incoming);
    }
    this.stale = true;
    return total / o.glances;
  }

  override dispose(): void {
    this.engine?.dispose();
    this.engine = undefined;
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
    memorySize: { type: 'integer', minimum: 1, default: 200, description: 'Reservoir memory size' },
    replayBatch: { type: 'integer', minimum: 0, default: 10, description: 'Replayed examples in each meta-loss batch (drawn with replacement)' },
    useOldTaskMemory: {
      type: 'boolean', default: false,
      description: 'Replay only the memory as it was when the current task began (needs task boundaries)',
    },
    clipNorm: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'Global-norm clip of the meta-gradients (θ and α separately)' },
    engine: {
      enum: ['auto', 'host', 'tf'], default: 'auto',
      description: 'Glances in host memory (single-head MLPs; auto picks it when the model allows) or through tfjs',
    },
  };
  if (mode.syncUpdate) properties.lr = { type: 'number', exclusiveMinimum: 0, default: SYNC_LR, description: 'Meta step size of θ (opt_wt)' };
  if (mode.learnLr) properties.alphaLr = { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'Step size of α’s own updates (opt_lr)' };
  return { type: 'object', properties };
}

function entry(type: string, mode: LaMamlMode, description: string, defaults: { alphaInit: number; glances: number }): LearnerEntry<LaMamlOptions> {
  return {
    type,
    description,
    options: schemaFor(mode, defaults),
    create: (options) => new LaMaml(mode, options, type),
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

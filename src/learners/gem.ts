import * as tf from '../backend/tf.js';
import { ExampleMemory } from './base/example-memory.js';
import { applyFlatGradient, flatGradient } from './base/flat-gradients.js';
import { projectGem } from './base/gem-projection.js';
import { MemorySnapshot } from './base/memory-snapshot.js';
import { ModelLearner } from './base/model-learner.js';
import { type OptimizerOptions, optimizerSchema } from './base/optimizer.js';
import { ReplayBuffer, labelWidthOf } from './base/replay-buffer.js';
import type { Batch, LearnerContext, LearnerEntry, TaskInfo } from './types.js';

export interface GemOptions extends OptimizerOptions {
  /** Episodic memory per task: the task's latest examples (a ring buffer, as in the GEM code). */
  readonly memoryPerTask?: number;
  /** Lower bound on the dual variables (GEM's "memory strength"; see base/gem-projection.ts). */
  readonly margin?: number;
  /** Ridge ε added to G·Gᵀ before solving the QP. */
  readonly eps?: number;
}

const DEFAULTS = { memoryPerTask: 256, margin: 0.5, eps: 1e-3 } as const;

/** Where GEM's time goes; read by bench/gem-qp-share. */
export interface GemTiming {
  readonly steps: number;
  /** Steps whose gradient had to be projected. */
  readonly projections: number;
  readonly observeSeconds: number;
  /** Forward/backward passes over the past tasks' memories. */
  readonly memoryGradientSeconds: number;
  /** Inside the quadprog solver. */
  readonly qpSeconds: number;
}

/**
 * Gradient Episodic Memory (Lopez-Paz & Ranzato 2017). Each step computes the gradient of every
 * past task's loss on its episodic memory (with that task's head on multi-head streams). If the
 * current gradient g conflicts with any of them (g·g_k < 0), it is replaced by the closest gradient
 * that does not, found by solving GEM's dual QP with quadprog.
 */
export class Gem extends ModelLearner {
  private buffer!: ReplayBuffer;
  private memory!: MemorySnapshot;
  private timing = { steps: 0, projections: 0, observeSeconds: 0, memoryGradientSeconds: 0, qpSeconds: 0 };

  constructor(private readonly options: GemOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const { stream } = ctx;
    const perTask = this.options.memoryPerTask ?? DEFAULTS.memoryPerTask;
    this.buffer = new ReplayBuffer(stream.inputShape, labelWidthOf(stream), { policy: 'ring-per-task', perTask, capacity: perTask * stream.numTasks }, ctx.rng.fork('episodic-memory'));
    this.memory = new MemorySnapshot(stream.inputShape, stream.kind === 'classification');
  }

  get stats(): GemTiming {
    return { ...this.timing };
  }

  observe(batch: Batch): number {
    const started = performance.now();
    this.buffer.add(ExampleMemory.read(batch));
    let loss: number;
    if (this.memory.size === 0) {
      loss = this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
    } else {
      loss = tf.tidy(() => {
        const memoryStarted = performance.now();
        const memoryGrads = this.memory.tasks.map((rows) => {
          const { x, y } = this.memory.rows(rows);
          const { value, grad } = flatGradient(this.params, () => this.batchLoss(x, y, rows.task));
          value.dispose();
          return grad;
        });
        const G = tf.stack(memoryGrads) as tf.Tensor2D;
        // CPU backends (wasm, tfjs-node) run kernels synchronously, so this is the passes' own time.
        this.timing.memoryGradientSeconds += (performance.now() - memoryStarted) / 1000;
        const { value, grad } = flatGradient(this.params, () => this.batchLoss(batch.x, batch.y, batch.taskIndex));
        const projection = projectGem(grad, G, {
          margin: this.options.margin ?? DEFAULTS.margin,
          eps: this.options.eps ?? DEFAULTS.eps,
        });
        if (projection.projected) this.timing.projections++;
        this.timing.qpSeconds += projection.qpSeconds;
        applyFlatGradient(this.optimizer, this.params, projection.gradient);
        return value.dataSync()[0];
      });
    }
    this.timing.steps++;
    this.timing.observeSeconds += (performance.now() - started) / 1000;
    return loss;
  }

  /** The finished task's memory joins the ones the constraints are built from. */
  override endTask(_task: TaskInfo): void {
    const { examples, ranges } = this.buffer.byTask();
    this.memory.replace(examples, ranges);
  }

  override dispose(): void {
    this.memory?.dispose();
    super.dispose();
  }
}

export const gemEntry: LearnerEntry<GemOptions> = {
  type: 'gem',
  description: 'Gradient Episodic Memory: projects each update (dual QP, quadprog) so no past task’s memory loss increases',
  requiresTaskLabels: true,
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      memoryPerTask: { type: 'integer', minimum: 1, default: DEFAULTS.memoryPerTask, description: 'Episodic memory per task (its latest examples)' },
      margin: { type: 'number', minimum: 0, default: DEFAULTS.margin, description: 'Memory strength: lower bound on the QP’s dual variables' },
      eps: { type: 'number', minimum: 0, default: DEFAULTS.eps, description: 'Ridge ε added to G·Gᵀ in the QP' },
    },
    required: ['lr'],
  },
  create: (options) => new Gem(options),
};

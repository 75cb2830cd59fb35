/**
 * DER++ (Buzzega et al. 2020, "Dark Experience for General Continual Learning") as a plug-in: the
 * worked example of docs/learner-api.md. A reservoir buffer keeps past inputs with their labels
 * and the logits the model gave them when they arrived; each step adds to the batch's loss
 *   α · MSE(f(x'), z')   (match the stored logits of one replayed sample: "dark knowledge"), and
 *   β · CE(f(x''), y'')  (classify another replayed sample: plain experience replay).
 *
 * Registered as `my-derpp` (clbench's own `derpp` is built in):
 *   npx clbench run my-scenario.json --plugin examples/derpp.ts
 * with { "type": "my-derpp", "lr": 0.03, "alpha": 0.1, "beta": 0.5, "bufferSize": 200 } in the scenario.
 */
import {
  type Batch, ExampleMemory, type LearnerContext, ModelLearner, type OptimizerOptions, type Rng, learners, optimizerSchema, tf, toTensors,
} from 'clbench';

interface DerppOptions extends OptimizerOptions {
  readonly alpha: number;
  readonly beta: number;
  readonly bufferSize: number;
  /** Replayed examples per term (default: the protocol's batch size). */
  readonly replayBatch?: number;
}

class Derpp extends ModelLearner {
  private memory!: ExampleMemory;
  /** The logits each buffer slot had when it was stored: row `slot` of [bufferSize, outputSize]. */
  private logits!: Float32Array;
  private rng!: Rng;
  private seen = 0;

  constructor(private readonly options: DerppOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (ctx.stream.heads > 1) throw new Error('my-derpp: this example assumes one shared output head (domain- or class-incremental streams)');
    const labelWidth = ctx.stream.kind === 'classification' ? 1 : ctx.stream.outputSize;
    this.memory = new ExampleMemory(ctx.stream.inputShape, labelWidth, this.options.bufferSize);
    this.logits = new Float32Array(this.options.bufferSize * ctx.stream.outputSize);
    this.rng = ctx.rng.fork('derpp'); // every random choice from the run's seed
  }

  observe(batch: Batch): number {
    // The logits to store: the model's outputs on this batch before the step, read to host memory.
    const outputs = tf.tidy(() => this.predict(batch.x, batch.taskIndex));
    const stored = outputs.dataSync() as Float32Array;
    outputs.dispose();

    const logitReplay = this.replay();
    const labelReplay = this.replay();
    // The closure runs inside a tidy: every tensor it creates, except the loss it returns, is freed.
    const loss = this.step(() => {
      let total = this.batchLoss(batch.x, batch.y);
      if (logitReplay) {
        const out = this.ctx.model.forward(this.params, logitReplay.x, 0);
        total = tf.add(total, tf.mul(this.options.alpha, tf.losses.meanSquaredError(logitReplay.z, out)));
      }
      if (labelReplay) total = tf.add(total, tf.mul(this.options.beta, this.batchLoss(labelReplay.x, labelReplay.y)));
      return total as tf.Scalar;
    });
    // Replayed tensors were created outside the step: this learner owns them and frees them.
    for (const r of [logitReplay, labelReplay]) if (r) tf.dispose([r.x, r.y, r.z]);

    this.remember(batch, stored);
    return loss;
  }

  /** A random sample of the buffer as tensors: inputs, labels and stored logits (none while it is empty). */
  private replay(): { x: tf.Tensor; y: tf.Tensor; z: tf.Tensor } | undefined {
    const n = Math.min(this.options.replayBatch ?? this.ctx.batchSize, this.memory.size);
    if (n === 0) return undefined;
    const slots = this.rng.sample(this.memory.size, n);
    const { x, y } = toTensors(this.memory.gather(slots), this.ctx.stream.inputShape, this.ctx.stream.kind === 'classification');
    const width = this.ctx.stream.outputSize;
    const z = new Float32Array(n * width);
    slots.forEach((slot, k) => z.set(this.logits.subarray(slot * width, (slot + 1) * width), k * width));
    return { x, y, z: tf.tensor2d(z, [n, width]) };
  }

  /** Reservoir sampling: every example seen so far has the same chance to be in the buffer. */
  private remember(batch: Batch, logits: Float32Array): void {
    const examples = ExampleMemory.read(batch);
    const width = this.ctx.stream.outputSize;
    for (let i = 0; i < examples.n; i++) {
      this.seen++;
      let slot = -1;
      if (this.memory.size < this.options.bufferSize) slot = this.memory.append(examples, i);
      else {
        const j = this.rng.int(this.seen);
        if (j < this.options.bufferSize) {
          slot = j;
          this.memory.write(slot, examples, i);
        }
      }
      if (slot >= 0) this.logits.set(logits.subarray(i * width, (i + 1) * width), slot * width);
    }
  }
}

learners.register({
  type: 'my-derpp',
  description: 'DER++: replay of past inputs with their labels and their stored logits (Buzzega et al. 2020)',
  options: {
    type: 'object',
    properties: {
      ...optimizerSchema,
      alpha: { type: 'number', minimum: 0, default: 0.1, description: 'Weight of the logit-matching term' },
      beta: { type: 'number', minimum: 0, default: 0.5, description: 'Weight of the replayed cross-entropy term' },
      bufferSize: { type: 'integer', minimum: 1, default: 200, description: 'Examples kept (reservoir sampling)' },
      replayBatch: { type: 'integer', minimum: 1, description: 'Replayed examples per term (default: the batch size)' },
    },
    required: ['lr'],
  },
  create: (options: DerppOptions) => new Derpp(options),
});

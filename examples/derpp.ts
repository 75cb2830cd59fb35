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
  type Batch, ExampleMemory, type LearnerContext, ModelLearner, type OptimizerOptions, ReplayBuffer,
  disposeDraw, labelWidthOf, learners, optimizerSchema, tf, uploadDraw, withFields,
} from 'clbench';

interface DerppOptions extends OptimizerOptions {
  readonly alpha: number;
  readonly beta: number;
  readonly bufferSize: number;
  /** Replayed examples per term (default: the protocol's batch size). */
  readonly replayBatch?: number;
}

class Derpp extends ModelLearner {
  private buffer!: ReplayBuffer;

  constructor(private readonly options: DerppOptions) {
    super(options);
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    if (ctx.stream.heads > 1) throw new Error('my-derpp: this example assumes one shared output head (domain- or class-incremental streams)');
    // Every example is stored with one extra field: the outputSize logits it got when it arrived.
    const fields = { logits: ctx.stream.outputSize };
    this.buffer = new ReplayBuffer(ctx.stream.inputShape, labelWidthOf(ctx.stream), { policy: 'reservoir', capacity: this.options.bufferSize, fields }, ctx.rng.fork('buffer'));
  }

  observe(batch: Batch): number {
    // Two independent draws, uploaded as tensors (ours: disposed below); none while the buffer is empty.
    const n = this.options.replayBatch ?? this.ctx.batchSize;
    const forLogits = this.buffer.size > 0 ? uploadDraw(this.ctx, this.buffer.sample(n), ['logits']) : null;
    const forLabels = this.buffer.size > 0 ? uploadDraw(this.ctx, this.buffer.sample(n)) : null;
    // The closure runs inside a tidy; stepWithOutputs keeps the tensors named in `outputs` for us.
    const { loss, outputs } = this.stepWithOutputs(() => {
      const logits = this.ctx.model.forward(this.params, batch.x);
      let total = this.lossFn(logits, batch.y);
      if (forLogits) {
        const replayed = this.ctx.model.forward(this.params, forLogits.x);
        total = tf.add(total, tf.mul(this.options.alpha, tf.losses.meanSquaredError(forLogits.fields.logits, replayed)));
      }
      if (forLabels) total = tf.add(total, tf.mul(this.options.beta, this.batchLoss(forLabels.x, forLabels.y)));
      return { loss: total as tf.Scalar, outputs: { logits } };
    });
    disposeDraw(forLogits);
    disposeDraw(forLabels);
    // The batch joins the buffer with the logits of this step's forward pass (before the update).
    const logits = outputs.logits.dataSync() as Float32Array;
    outputs.logits.dispose();
    this.buffer.add(withFields(ExampleMemory.read(batch), { logits }));
    return loss;
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

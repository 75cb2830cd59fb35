/**
 * MAS (Aljundi et al. 2018, "Memory Aware Synapses") as a plug-in: the endTask example of
 * docs/learner-api.md. At the end of each task, a parameter's importance Ω is the mean absolute
 * gradient of the squared L2 norm of the model's outputs over the task's training split (no
 * labels needed); training then adds (λ/2) Σ Ω (θ − θ*)², θ* the weights at the last task end.
 *
 * Registered as `my-mas` (clbench's own `mas` is built in):
 *   npx clbench run my-scenario.json --plugin examples/mas.ts
 * with { "type": "my-mas", "lr": 0.03, "lambda": 1 } in the scenario.
 */
import { type Batch, ModelLearner, type OptimizerOptions, type TaskInfo, type TrainSplit, learners, optimizerSchema, tf } from 'clbench';

interface MasOptions extends OptimizerOptions {
  readonly lambda: number;
}

class Mas extends ModelLearner {
  /** Ω summed over finished tasks, one tensor per parameter (empty before the first task end). */
  private importance: tf.Tensor[] = [];
  private anchor: tf.Tensor[] = [];

  constructor(private readonly options: MasOptions) {
    super(options);
  }

  observe(batch: Batch): number {
    return this.step(() => {
      let loss = this.batchLoss(batch.x, batch.y, batch.taskIndex);
      this.anchor.forEach((a, i) => {
        const penalty = tf.sum(tf.mul(this.importance[i], tf.squaredDifference(this.params[i], a)));
        loss = tf.add(loss, tf.mul(this.options.lambda / 2, penalty));
      });
      return loss;
    });
  }

  /** `train` is the finished task's whole training split (runner-owned: read it, never dispose it). */
  override endTask(task: TaskInfo, train: TrainSplit): void {
    const head = this.headFor(task.index);
    const chunk = this.ctx.batchSize;
    let sums: tf.Tensor[] = this.params.map((p) => tf.zerosLike(p));
    let chunks = 0;
    for (let start = 0; start < train.size; start += chunk) {
      const next = tf.tidy(() => {
        const x = tf.slice(train.x, start, Math.min(chunk, train.size - start));
        const sensitivity = () => tf.mean(tf.sum(tf.square(this.ctx.model.forward(this.params, x, head)), -1)) as tf.Scalar;
        // One gradient per parameter; other tasks' heads do not touch this output and get zeros.
        const { grads } = this.gradients(sensitivity);
        return sums.map((s, i) => tf.add(s, tf.abs(grads[i])));
      });
      tf.dispose(sums);
      sums = next;
      chunks++;
    }
    const previous = this.importance;
    this.importance = sums.map((s, i) => tf.tidy(() => (previous[i] ? tf.add(previous[i], tf.div(s, chunks)) : tf.div(s, chunks))));
    tf.dispose([...sums, ...previous, ...this.anchor]);
    this.anchor = this.params.map((p) => p.clone());
  }

  override dispose(): void {
    tf.dispose([...this.importance, ...this.anchor]);
    super.dispose();
  }
}

learners.register({
  type: 'my-mas',
  description: 'Memory Aware Synapses: output-sensitivity importance, quadratic penalty (Aljundi et al. 2018)',
  options: {
    type: 'object',
    properties: { ...optimizerSchema, lambda: { type: 'number', minimum: 0, default: 1, description: 'Penalty strength λ' } },
    required: ['lr'],
  },
  create: (options: MasOptions) => new Mas(options),
});

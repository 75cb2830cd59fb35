/**
 * A learner defined outside the clbench package: L2 regularisation towards the weights held at
 * the end of the previous task (a poor man's EWC with an identity Fisher).
 *
 * Load it with --plugin: TypeScript needs no compile step. From the repository root,
 *   npx clbench list --plugin examples/custom-learner.ts
 *   npx clbench run my-scenario.json --plugin examples/custom-learner.ts
 * with it named in the scenario: { "type": "l2-anchor", "lr": 0.01, "strength": 1 }.
 * In your own project (clbench installed there, see docs/learner-api.md) copy this file and
 * load it the same way; `npx clbench new learner NAME` writes a fresh plug-in with its test.
 */
import { type Batch, ModelLearner, type OptimizerOptions, learners, optimizerSchema, tf } from 'clbench';

interface L2AnchorOptions extends OptimizerOptions {
  /** Weight of the pull towards the previous task's parameters. */
  readonly strength: number;
}

class L2Anchor extends ModelLearner {
  private anchor: tf.Tensor[] = [];

  constructor(private readonly options: L2AnchorOptions) {
    super(options);
  }

  observe(batch: Batch): number {
    return this.step(() =>
      tf.tidy(() => {
        let loss = this.batchLoss(batch.x, batch.y, batch.taskIndex);
        this.anchor.forEach((a, i) => {
          loss = tf.add(loss, tf.mul(this.options.strength / 2, tf.sum(tf.squaredDifference(this.params[i], a))));
        });
        return loss;
      }),
    );
  }

  override endTask(): void {
    tf.dispose(this.anchor);
    this.anchor = this.params.map((p) => p.clone());
  }

  override dispose(): void {
    tf.dispose(this.anchor);
    super.dispose();
  }
}

learners.register({
  type: 'l2-anchor',
  description: 'L2 pull towards the previous task’s weights (example of a user-defined learner)',
  options: {
    type: 'object',
    properties: { ...optimizerSchema, strength: { type: 'number', minimum: 0, default: 1 } },
    required: ['lr'],
  },
  create: (options: L2AnchorOptions) => new L2Anchor(options),
});

import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import { Rng } from '../../util/rng.js';

/**
 * A forward pass over T tasks at once, each with its own parameters: every parameter carries a
 * leading task axis ([T, ...shape]) and x is [T, n, ...inputShape]; the output is [T, n, out].
 * With it a meta-batch costs a handful of batched ops instead of T times the ops of one task,
 * which is what makes MAML on small networks fast (tfjs pays a fixed cost per op).
 */
export type TaskBatchedForward = (params: readonly tf.Tensor[], x: tf.Tensor) => tf.Tensor;

/** A model that provides its own task-batched forward pass. */
export interface TaskBatchedModel extends FunctionalModel {
  forwardTasks: TaskBatchedForward;
}

/** A single-head MLP, by the model's own declaration. */
function isSingleHeadMlp(model: FunctionalModel): boolean {
  return model.structure?.kind === 'mlp' && model.structure.heads.length === 1;
}

/** The MLP (ReLU trunk, linear output) over T tasks: batched matmuls, and plain broadcasts where a side is 1 wide. */
export const mlpForwardTasks: TaskBatchedForward = (params, x) =>
  tf.tidy(() => {
    const [T, n] = x.shape;
    let h: tf.Tensor = tf.reshape(x, [T, n, -1]);
    for (let i = 0; i < params.length; i += 2) {
      const w = params[i];
      const bias = params[i + 1];
      const b = bias.rank === 3 ? bias : tf.reshape(bias, [T, 1, -1]);
      // A 1-wide input is an outer product: a broadcast multiply is one cheap op, not a batched matmul.
      const z = w.shape[1] === 1 ? tf.mul(h, w) : tf.matMul(h, w);
      h = tf.add(z, b);
      if (i + 2 < params.length) h = tf.relu(h);
    }
    return h;
  });

/**
 * The task-batched forward pass of `model`, or undefined when there is none (then meta-learners
 * loop over tasks). A model may bring its own (TaskBatchedModel). An MLP is known by its declared
 * structure (model.structure), and the batched pass is then checked once against the model's own forward on
 * random parameters, so a model that only looks like an MLP never runs through the wrong code.
 */
export function taskBatchedForward(model: FunctionalModel): TaskBatchedForward | undefined {
  const own = (model as Partial<TaskBatchedModel>).forwardTasks;
  if (own) return own;
  return isSingleHeadMlp(model) && agreesWithModel(model, mlpForwardTasks) ? mlpForwardTasks : undefined;
}

function agreesWithModel(model: FunctionalModel, forward: TaskBatchedForward): boolean {
  return tf.tidy(() => {
    const rng = new Rng(12345);
    const tasks = [model.init(rng), model.init(rng)];
    const inputSize = model.params[0].shape[0];
    const x = tf.randomUniform([2, 3, inputSize], -1, 1, 'float32', 7);
    try {
      const stacked = model.params.map((_, i) => tf.stack(tasks.map((t) => t[i])));
      const batched = forward(stacked, x);
      const each = tf.stack(tasks.map((t, k) => model.forward(t, tf.squeeze(tf.slice(x, [k, 0, 0], [1, 3, inputSize]), [0]))));
      return tf.max(tf.abs(tf.sub(batched, each))).dataSync()[0] < 1e-4;
    } catch {
      return false;
    }
  });
}

/**
 * T copies of each parameter along a new leading axis: a broadcast add, whose gradient sums the
 * copies back. Vectors become [T, 1, n], the shape a bias broadcasts with over [T, rows, n].
 */
export function perTaskCopies(params: readonly tf.Tensor[], tasks: number): tf.Tensor[] {
  return params.map((p) => tf.add(p, tf.zeros(p.rank === 1 ? [tasks, 1, p.shape[0]] : [tasks, ...p.shape])));
}

import * as tf from '../backend/tf.js';
import { ClbenchError } from '../util/errors.js';
import { dense } from '../backend/native-dense.js';
import type { FunctionalModel, ModelEntry, ParamSpec } from './types.js';
import type { Rng } from '../util/rng.js';
import { glorotUniform, kaimingNormal, truncatedNormal } from './init.js';

export interface MlpOptions {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly outputSize: number;
  /** Number of output heads; > 1 gives one head per task (task-incremental streams). */
  readonly heads?: number;
  /** How weights and biases start (default Glorot-uniform weights, zero biases). */
  readonly init?: MlpInit;
}

/**
 * Initialisation schemes of the reference codes clbench reproduces: Glorot-uniform (the GEM code),
 * Kaiming-normal with zero biases (La-MAML's `meta/learner.py`), and TensorFlow's truncated normal
 * with σ 0.1 and biases 0.1 (the A-GEM code). Which one a paper used moves its baselines by points.
 */
export const mlpInits = ['glorot-uniform', 'kaiming-normal', 'truncated-normal'] as const;
export type MlpInit = (typeof mlpInits)[number];

function initLayer(init: MlpInit, spec: ParamSpec, rng: Rng): tf.Tensor {
  const shape = spec.shape;
  if (shape.length !== 2) return init === 'truncated-normal' ? tf.fill([...shape], 0.1) : tf.zeros([...shape]);
  if (init === 'kaiming-normal') return kaimingNormal(shape, shape[0], rng);
  if (init === 'truncated-normal') return truncatedNormal(shape, 0.1, rng);
  return glorotUniform(shape, shape[0], shape[1], rng);
}

/**
 * A fully connected ReLU network, by default with Glorot-uniform weights and zero biases. Each
 * layer is one fused matMul+bias+relu op, forward and (with the OpenBLAS addon) backward: fewer ops
 * is what matters for tfjs at small batch sizes.
 * Parameter layout: [W1, b1, ..., Wk, bk] for the trunk, then [W, b] for each head.
 */
export function mlp(options: MlpOptions): FunctionalModel {
  const heads = options.heads ?? 1;
  const init = options.init ?? 'glorot-uniform';
  const sizes = [options.inputSize, ...options.hidden];
  const params: ParamSpec[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    params.push({ name: `dense${i}/kernel`, shape: [sizes[i], sizes[i + 1]] });
    params.push({ name: `dense${i}/bias`, shape: [sizes[i + 1]] });
  }
  const last = sizes[sizes.length - 1];
  for (let h = 0; h < heads; h++) {
    const prefix = heads > 1 ? `head${h}` : 'output';
    params.push({ name: `${prefix}/kernel`, shape: [last, options.outputSize], head: h });
    params.push({ name: `${prefix}/bias`, shape: [options.outputSize], head: h });
  }
  const trunkLength = 2 * (sizes.length - 1);
  /** The hidden layers' output (the input itself when there are none). */
  const trunk = (values: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor => {
    let h = x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1]);
    for (let i = 0; i < trunkLength; i += 2) h = dense(h, values[i], values[i + 1], 'relu');
    return h;
  };

  return {
    params,
    init(rng) {
      return params.map((p) => initLayer(init, p, rng));
    },
    forward(values, x, head = 0) {
      if (head < 0 || head >= heads) throw new ClbenchError(`head ${head} out of range: the model has ${heads} head(s)`);
      return tf.tidy(() => {
        const h = trunk(values, x);
        const w = trunkLength + 2 * head;
        return dense(h, values[w], values[w + 1], 'linear');
      });
    },
    features(values, x) {
      return tf.tidy(() => trunk(values, x));
    },
  };
}

export const mlpEntry: ModelEntry = {
  type: 'mlp',
  description: 'Fully connected ReLU network, optionally one head per task',
  options: {
    type: 'object',
    properties: {
      hidden: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        default: [100, 100],
        description: 'Hidden layer widths',
      },
      init: {
        enum: [...mlpInits],
        description:
          'Initialisation: glorot-uniform (the default; zero biases; the GEM code), kaiming-normal (N(0, 2/fan_in), zero biases; the La-MAML code) or truncated-normal (σ 0.1 within 2σ, biases 0.1; the A-GEM code)',
      },
    },
    additionalProperties: false,
  },
  create(spec, stream) {
    const hidden = (spec.hidden as number[] | undefined) ?? [100, 100];
    return mlp({
      inputSize: stream.inputShape.reduce((a, b) => a * b, 1),
      hidden,
      init: spec.init as MlpInit | undefined,
      outputSize: stream.outputSize,
      heads: stream.heads,
    });
  },
};

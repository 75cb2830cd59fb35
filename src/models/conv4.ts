import * as tf from '../backend/tf.js';
// Its registrations make conv2d and maxPool twice differentiable, and trainable on wasm.
import '../backend/second-order-gradients.js';
import type { StreamInfo } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { glorotUniform } from './init.js';
import type { FunctionalModel, ModelEntry, ParamSpec } from './types.js';

export interface Conv4Options {
  /** Input images as [height, width, channels]. */
  readonly imageShape: readonly [number, number, number];
  readonly outputSize: number;
  /** Filters of every convolution (64 in MAML's Omniglot net, 32 in its MiniImagenet net). */
  readonly filters?: number;
  readonly blocks?: number;
  readonly heads?: number;
}

const EPSILON = 1e-5;

/** Batch normalisation with the batch's own statistics (as MAML's reference code: no running averages). */
export function batchNormFromBatch(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPSILON))), gamma), beta);
  });
}

/**
 * The standard few-shot network (Vinyals et al. 2016; MAML): blocks of [conv 3×3, batch-norm,
 * ReLU, 2×2 max-pool (odd sizes floor)], then a linear head per task. Functional, so meta-learners run it on fast
 * weights. Parameter layout per block: conv kernel, BN γ, BN β; then each head's kernel and bias.
 */
export function conv4(options: Conv4Options): FunctionalModel {
  const [height, width, channels] = options.imageShape;
  const filters = options.filters ?? 64;
  const blocks = options.blocks ?? 4;
  const heads = options.heads ?? 1;
  let [h, w] = [height, width];
  const params: ParamSpec[] = [];
  for (let b = 0; b < blocks; b++) {
    params.push(
      { name: `block${b}/conv/kernel`, shape: [3, 3, b === 0 ? channels : filters, filters] },
      { name: `block${b}/bn/gamma`, shape: [filters] },
      { name: `block${b}/bn/beta`, shape: [filters] },
    );
    [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  }
  if (h < 1 || w < 1) throw new ClbenchError(`model.blocks: ${blocks} pooling blocks shrink ${height}×${width} images to nothing`);
  const features = h * w * filters;
  for (let k = 0; k < heads; k++) {
    const prefix = heads > 1 ? `head${k}` : 'output';
    params.push({ name: `${prefix}/kernel`, shape: [features, options.outputSize], head: k }, { name: `${prefix}/bias`, shape: [options.outputSize], head: k });
  }
  const trunk = 3 * blocks;
  return {
    params,
    init(rng) {
      return params.map((p, i) => {
        if (i >= trunk) return p.shape.length === 2 ? glorotUniform(p.shape, p.shape[0], p.shape[1], rng) : tf.zeros([...p.shape]);
        if (i % 3 === 0) return glorotUniform(p.shape, 9 * p.shape[2], 9 * p.shape[3], rng);
        return i % 3 === 1 ? tf.ones([...p.shape]) : tf.zeros([...p.shape]);
      });
    },
    forward(values, x, head = 0) {
      if (head < 0 || head >= heads) throw new ClbenchError(`head ${head} out of range: the model has ${heads} head(s)`);
      return tf.tidy(() => {
        let y = tf.reshape(x, [x.shape[0], height, width, channels]) as tf.Tensor4D;
        for (let b = 0; b < blocks; b++) {
          const [kernel, gamma, beta] = values.slice(3 * b, 3 * b + 3);
          const conv = tf.conv2d(y, kernel as tf.Tensor4D, 1, 'same');
          y = tf.maxPool(tf.relu(batchNormFromBatch(conv, gamma, beta)), 2, 2, 'valid');
        }
        const k = trunk + 2 * head;
        return tf.add(tf.matMul(tf.reshape(y, [y.shape[0], features]), values[k]), values[k + 1]);
      });
    },
  };
}

/** [h, w, c] from a stream's input shape: image streams give [h, w, c]; flat ones [h·w] of a square greyscale image. */
function imageShapeOf(stream: StreamInfo): [number, number, number] {
  const shape = stream.inputShape;
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) return [shape[0], shape[1], 1];
  const side = Math.round(Math.sqrt(shape[0]));
  if (shape.length === 1 && side * side === shape[0]) return [side, side, 1];
  throw new ClbenchError(`model 'conv4' needs image inputs; stream '${stream.type}' gives inputs of shape [${shape.join(', ')}]`);
}

export const conv4Entry: ModelEntry = {
  type: 'conv4',
  description: 'The few-shot Conv-4: 4 × [conv 3×3, batch-norm (batch statistics), ReLU, 2×2 max-pool], then a linear head',
  options: {
    type: 'object',
    properties: {
      filters: { type: 'integer', minimum: 1, default: 64, description: 'Filters per convolution (64: MAML Omniglot; 32: MAML MiniImagenet)' },
      blocks: { type: 'integer', minimum: 1, default: 4, description: 'Number of conv blocks' },
    },
    additionalProperties: false,
  },
  create(spec, stream) {
    return conv4({
      imageShape: imageShapeOf(stream),
      outputSize: stream.outputSize,
      filters: (spec.filters as number | undefined) ?? 64,
      blocks: (spec.blocks as number | undefined) ?? 4,
      heads: stream.heads,
    });
  },
};

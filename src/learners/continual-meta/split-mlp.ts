import * as tf from '../../backend/tf.js';
import { dense } from '../../backend/native-dense.js';
import type { FunctionalModel } from '../../models/types.js';
import { Rng } from '../../util/rng.js';
import { mlpLayers } from './host-mlp.js';

/**
 * A single-head ReLU MLP cut in two after `cut` trunk layers (OML): the representation network
 * (RLN, parameters [0, split)) maps inputs to features once, and the prediction network (PLN,
 * parameters [split, end)) maps features to outputs, so an inner loop that moves only the PLN
 * never recomputes the RLN.
 */
export interface SplitMlp {
  /** Index of the PLN's first parameter. */
  readonly split: number;
  rln(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor;
  pln(params: readonly tf.Tensor[], h: tf.Tensor): tf.Tensor;
}

/**
 * The model cut after `cut` trunk layers, or a message saying why it cannot be: the model must be
 * a single-head ReLU MLP (checked against model.forward on random parameters) with cut ≤ depth.
 */
export function splitMlp(model: FunctionalModel, cut: number): SplitMlp | string {
  const layers = mlpLayers(model);
  if (!layers || layers.heads.length !== 1) return 'it needs a single-head ReLU MLP model (model.type "mlp" on a single-head stream)';
  if (cut > layers.trunk.length) return `representationLayers is ${cut}, but the model has ${layers.trunk.length} hidden layer(s)`;
  const chain = [...layers.trunk, layers.heads[0]];
  const apply = (params: readonly tf.Tensor[], x: tf.Tensor, from: number, to: number) => tf.tidy(() => {
    let h = x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1]);
    for (let l = from; l < to; l++) {
      const layer = chain[l];
      h = dense(h, params[layer.kernel], params[layer.bias], l < chain.length - 1 ? 'relu' : 'linear');
    }
    return h;
  });
  const split: SplitMlp = {
    split: 2 * cut,
    rln: (params, x) => apply(params, x, 0, cut),
    pln: (params, h) => apply(params, h, cut, chain.length),
  };
  const agrees = tf.tidy(() => {
    const params = model.init(new Rng(2024));
    const x = tf.randomUniform([3, model.params[0].shape[0]], -1, 1, 'float32', 5);
    const ours = split.pln(params, split.rln(params, x));
    return tf.max(tf.abs(tf.sub(ours, model.forward(params, x)))).dataSync()[0] < 1e-4;
  });
  return agrees ? split : 'its forward pass is not a plain ReLU MLP chain';
}

import * as tf from '../../src/backend/tf.js';
import type { Learner, LearnerContext } from '../../src/learners/types.js';
import { EpisodeMetaBatch } from '../../src/learners/meta/meta-batch.js';
import { glorotUniform } from '../../src/models/init.js';
import type { FunctionalModel } from '../../src/models/types.js';
import type { Episode } from '../../src/streams/episodes.js';
import type { ProblemKind, Split, StreamInfo } from '../../src/streams/types.js';
import { Rng } from '../../src/util/rng.js';

/** A smooth 1-h-1 network (tanh), so central differences are exact up to O(h²): no ReLU kinks. */
export function tanhNet(hidden = 5, inputs = 1, outputs = 1): FunctionalModel {
  return {
    params: [
      { name: 'dense0/kernel', shape: [inputs, hidden] },
      { name: 'dense0/bias', shape: [hidden] },
      { name: 'output/kernel', shape: [hidden, outputs], head: 0 },
      { name: 'output/bias', shape: [outputs], head: 0 },
    ],
    init: (rng) => [glorotUniform([inputs, hidden], inputs, hidden, rng), tf.randomUniform([hidden], -0.5, 0.5, 'float32', rng.int(1e6)),
      glorotUniform([hidden, outputs], hidden, outputs, rng), tf.zeros([outputs])],
    forward: (p, x) => tf.tidy(() => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, p[0]), p[1])), p[2]), p[3])),
  };
}

/** Sine-like regression splits: n points of a·sin(x − φ). */
export function sineSplit(rng: Rng, n: number, a: number, phase: number): Split {
  const x = Float32Array.from({ length: n }, () => rng.uniform(-5, 5));
  const y = x.map((v) => a * Math.sin(v - phase));
  return { x, y, n, inputShape: [1] };
}

export function sineEpisodes(count: number, support: number, query: number, seed = 1): Episode[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, index) => {
    const a = rng.uniform(0.5, 3);
    const phase = rng.uniform(0, 3);
    const s = sineSplit(rng, support, a, phase);
    const q = sineSplit(rng, query, a, phase);
    return { index, id: `t${index}`, train: () => s, test: () => q };
  });
}

/** Classification episodes: `ways` Gaussian blobs in 2-d with random centres, labels 0..ways-1. */
export function blobEpisodes(count: number, ways: number, shots: number, queries: number, seed = 3): Episode[] {
  const rng = new Rng(seed);
  const split = (centres: number[][], perClass: number): Split => {
    const n = ways * perClass;
    const x = new Float32Array(2 * n);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % ways;
      x[2 * i] = centres[y[i]][0] + 0.5 * rng.normal();
      x[2 * i + 1] = centres[y[i]][1] + 0.5 * rng.normal();
    }
    return { x, y, n, inputShape: [2] };
  };
  return Array.from({ length: count }, (_, index) => {
    const centres = Array.from({ length: ways }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
    const s = split(centres, shots);
    const q = split(centres, queries);
    return { index, id: `b${index}`, train: () => s, test: () => q };
  });
}

export const blobInfo = (ways: number): StreamInfo => ({
  type: 'test-blobs', numTasks: 1, inputShape: [2], outputSize: ways, heads: 1, kind: 'classification', description: 'test blobs',
});

export const sineInfo: StreamInfo = {
  type: 'test-sine', numTasks: 1, inputShape: [1], outputSize: 1, heads: 1, kind: 'regression', description: 'test sine',
};

export async function setUp<L extends Learner>(learner: L, model: FunctionalModel, stream: StreamInfo = sineInfo, seed = 0, iterations = 100): Promise<L> {
  const ctx: LearnerContext = {
    stream, model, rng: new Rng(seed), batchSize: 10, epochs: 1, taskFree: false, meta: { iterations, metaBatch: 1 },
  };
  await learner.setup(ctx);
  return learner;
}

export function metaBatchOf(episodes: readonly Episode[], kind: ProblemKind = 'regression'): EpisodeMetaBatch {
  return new EpisodeMetaBatch(episodes, kind);
}

/** The parameter values of a learner, copied to host memory. */
export function paramValues(params: readonly tf.Tensor[]): Float32Array[] {
  return params.map((p) => Float32Array.from(p.dataSync()));
}

/** Normwise relative error over all entries: max |a − b| / max |b|. */
export function maxRelativeError(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(v - b[i][j]));
    scale = Math.max(scale, Math.abs(b[i][j]));
  }));
  return diff / scale;
}

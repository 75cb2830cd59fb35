import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { useBackend } from '../../src/backend/select.js';
import { learners } from '../../src/learners/registry.js';
import type { Maml } from '../../src/learners/meta/maml.js';
import { meanSquaredError } from '../../src/models/losses.js';
import { mlp } from '../../src/models/mlp.js';
import type { Episode } from '../../src/streams/episodes.js';
import { Rng } from '../../src/util/rng.js';
import { maxRelativeError, metaBatchOf, paramValues, setUp, sineSplit } from './helpers.js';

/**
 * clbench's MAML against the PyTorch reference's (../shared/reference/torch_reference.py, maml_sine):
 * the same weights and sines go to both, on the backend the maml-sine runs use (wasm, with the
 * OpenBLAS kernels where built). Both are float32; only summation orders differ.
 */
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

// The reference's own code: its loop over tasks for the meta-gradient, its meta-test loop for adaptation.
const TORCH_SCRIPT = `
import json, sys, torch
import torch.nn.functional as F
req = json.load(sys.stdin)
ps = [torch.tensor(w, dtype=torch.float32, requires_grad=True) for w in req['weights']]
col = lambda v: torch.tensor(v, dtype=torch.float32).view(-1, 1)
def forward(ps, x):
    h = x
    for i in range(0, len(ps), 2):
        h = h @ ps[i] + ps[i + 1]
        if i + 2 < len(ps):
            h = torch.relu(h)
    return h
alpha = req['alpha']
total = 0
for t in req['tasks']:
    gr = torch.autograd.grad(F.mse_loss(forward(ps, col(t['xs'])), col(t['ys'])), ps, create_graph=True)
    total = total + F.mse_loss(forward([p - alpha * g for p, g in zip(ps, gr)], col(t['xq'])), col(t['yq']))
meta = total / len(req['tasks'])
grads = torch.autograd.grad(meta, ps)
curves = []
for t in req['adapt']:
    fast = [p.detach().clone().requires_grad_() for p in ps]
    curve = []
    for step in range(req['steps'] + 1):
        if step:
            gr = torch.autograd.grad(F.mse_loss(forward(fast, col(t['xs'])), col(t['ys'])), fast)
            fast = [(p - alpha * g).detach().requires_grad_() for p, g in zip(fast, gr)]
        with torch.no_grad():
            curve.append(F.mse_loss(forward(fast, col(t['xq'])), col(t['yq'])).item())
    curves.append(curve)
json.dump({'metaLoss': meta.item(), 'grads': [g.reshape(-1).tolist() for g in grads], 'curves': curves}, sys.stdout)
`;

/** maml-sine's tasks: amplitude U[0.1, 5], phase U[0, π], x U[−5, 5]; `support` and `query` points. */
function sines(count: number, support: number, query: number, seed: number): Episode[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, index) => {
    const a = rng.uniform(0.1, 5);
    const phase = rng.uniform(0, Math.PI);
    const s = sineSplit(rng, support, a, phase);
    const q = sineSplit(rng, query, a, phase);
    return { index, id: `sine${index}`, train: () => s, test: () => q };
  });
}

const asLists = (e: Episode) => ({ xs: Array.from(e.train().x), ys: Array.from(e.train().y), xq: Array.from(e.test().x), yq: Array.from(e.test().y) });

beforeAll(async () => {
  await useBackend('wasm');
});

describe('MAML on maml-sine against the PyTorch reference', () => {
  it.skipIf(!hasTorch)('gives its meta-gradient and its 10-step fine-tuning curve (MLP 1-40-40-1, K = 5, α = 0.01)', { timeout: 120_000 }, async () => {
    const alpha = 0.01;
    const model = mlp({ inputSize: 1, hidden: [40, 40], outputSize: 1 });
    const batch = sines(25, 5, 5, 3);
    const held = sines(4, 5, 100, 4);
    const [vectorised, serial] = await Promise.all([true, false].map((vectorise) =>
      setUp(learners.create('maml', { innerSteps: 1, innerLr: alpha, vectorise }) as Maml, model)));
    const theta = paramValues((vectorised as unknown as { params: tf.Variable[] }).params); // both: seed 0
    const request = { weights: theta.map((w, i) => unflatten(w, model.params[i].shape)), alpha, steps: 10, tasks: batch.map(asLists), adapt: held.map(asLists) };
    const res = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT], { input: JSON.stringify(request), encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const torch = JSON.parse(res.stdout) as { metaLoss: number; grads: number[][]; curves: number[][] };

    for (const maml of [vectorised, serial]) {
      expect(paramValues((maml as unknown as { params: tf.Variable[] }).params)).toEqual(theta);
      const metaBatch = metaBatchOf(batch);
      const { loss, grads } = maml.metaGradient(metaBatch);
      expect(Math.abs(loss - torch.metaLoss) / torch.metaLoss).toBeLessThan(1e-5);
      expect(maxRelativeError(paramValues(grads), torch.grads.map((g) => Float32Array.from(g)))).toBeLessThan(1e-5);
      tf.dispose(grads);
      metaBatch.dispose();
    }

    held.forEach((episode, i) => {
      const [support, query] = [episode.train(), episode.test()];
      const data = { x: tf.tensor2d(support.x, [support.n, 1]), y: tf.tensor2d(support.y, [support.n, 1]), size: support.n };
      const [qx, qy] = [tf.tensor2d(query.x, [query.n, 1]), tf.tensor2d(query.y, [query.n, 1])];
      const adapted = vectorised.adapt(data, 0, { lr: alpha });
      const curve: number[] = [];
      for (let step = 0; step <= 10; step++) {
        if (step) adapted.step(1);
        curve.push(tf.tidy(() => meanSquaredError(adapted.predict(qx), qy).dataSync()[0]));
      }
      adapted.dispose();
      tf.dispose([data.x, data.y, qx, qy]);
      curve.forEach((mse, step) => expect(Math.abs(mse - torch.curves[i][step]) / torch.curves[i][step], `sine ${i}, step ${step}`).toBeLessThan(1e-5));
    });
    vectorised.dispose();
    serial.dispose();
  });
});

/** A flat float32 parameter as the nested lists torch.tensor() reads. */
function unflatten(values: Float32Array, shape: readonly number[]): number[] | number[][] {
  if (shape.length === 1) return Array.from(values);
  const [rows, cols] = shape;
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
}

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { permutePixels, rotateImages, toFloatImages } from '../../src/streams/datasets/transforms.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Deterministic pseudo-random values in [0,1) (mulberry32), so failures reproduce. */
function randomImages(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

describe('toFloatImages', () => {
  it('gathers rows in the given order and scales to [0,1]', () => {
    const images = Uint8Array.from([0, 255, 51, 102, 204, 1]); // 3 images of 2 pixels
    const out = toFloatImages(images, [2, 0], 2);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([Math.fround(204 / 255), Math.fround(1 / 255), 0, 1]);
  });

  it('rejects out-of-range indices', () => {
    expect(() => toFloatImages(new Uint8Array(4), [2], 2)).toThrow(RangeError);
  });
});

describe('permutePixels', () => {
  it('applies out[i*d + k] = x[i*d + perm[k]] to every row', () => {
    const x = Float32Array.from([10, 11, 12, 20, 21, 22]);
    const out = permutePixels(x, 2, Int32Array.from([2, 0, 1]));
    expect(Array.from(out)).toEqual([12, 10, 11, 22, 20, 21]);
  });

  it('rejects a length mismatch', () => {
    expect(() => permutePixels(new Float32Array(5), 2, Int32Array.from([0, 1, 2]))).toThrow(RangeError);
  });
});

describe('rotateImages', () => {
  it('is the identity at 0 degrees', () => {
    const x = randomImages(3 * 28 * 28, 1);
    expect(maxAbsDiff(rotateImages(x, 3, 28, 28, 0), x)).toBeLessThan(1e-6);
  });

  it('is the identity at 360 degrees', () => {
    const x = randomImages(2 * 28 * 28, 2);
    expect(maxAbsDiff(rotateImages(x, 2, 28, 28, 360), x)).toBeLessThan(1e-5);
  });

  it('moves a lit pixel of a 4x4 image exactly at 90 degrees', () => {
    // With align_corners=False, output (i, j) samples input (row j, col 3 - i):
    // px = ((-yn + 1) * 4 - 1) / 2 = 3 - i and py = ((xn + 1) * 4 - 1) / 2 = j.
    // So the input pixel (row 0, col 1) lands at output (row 2, col 0).
    const x = new Float32Array(16);
    x[0 * 4 + 1] = 1;
    const out = rotateImages(x, 1, 4, 4, 90);
    const expected = new Float32Array(16);
    expected[2 * 4 + 0] = 1;
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('is a pixel permutation at 90 degrees for every pixel of a 4x4 image', () => {
    const x = Float32Array.from({ length: 16 }, (_, k) => k + 1);
    const out = rotateImages(x, 1, 4, 4, 90);
    const expected = Float32Array.from({ length: 16 }, (_, p) => x[(p % 4) * 4 + (3 - Math.floor(p / 4))]);
    expect(Array.from(out)).toEqual(Array.from(expected));
    // Four quarter turns come back to the start.
    let y: Float32Array = x;
    for (let k = 0; k < 4; k++) y = rotateImages(y, 1, 4, 4, 90);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('nearest equals bilinear where a rotation is a pixel permutation (90 degrees)', () => {
    const x = randomImages(2 * 28 * 28, 5);
    expect(Array.from(rotateImages(x, 2, 28, 28, 90, 'nearest'))).toEqual(Array.from(rotateImages(x, 2, 28, 28, 90)));
  });

  it('nearest copies, per output pixel, the source pixel closest to where it samples', () => {
    // One lit source pixel at a time: the bilinear output is that pixel's weight (1−dx)(1−dy) at each
    // output position. The closest pixel has dx, dy ≤ ½, so weight ≥ ¼; any other has one distance
    // above ½, so weight < ½. Hence weight > ½ means nearest must copy it, and weight < ¼ that it must not.
    const size = 6;
    for (const source of [7, 14, 21]) {
      const x = new Float32Array(size * size);
      x[source] = 1;
      const bilinear = rotateImages(x, 1, size, size, 23);
      const nearest = rotateImages(x, 1, size, size, 23, 'nearest');
      for (let p = 0; p < size * size; p++) {
        expect(nearest[p] === 0 || nearest[p] === 1).toBe(true);
        if (bilinear[p] > 0.5 + 1e-9) expect(nearest[p]).toBe(1);
        if (bilinear[p] < 0.25 - 1e-9) expect(nearest[p]).toBe(0);
      }
      expect(nearest.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  });

  it('rotates each image independently', () => {
    const a = randomImages(28 * 28, 3);
    const b = randomImages(28 * 28, 4);
    const both = new Float32Array(2 * 28 * 28);
    both.set(a, 0);
    both.set(b, 28 * 28);
    const out = rotateImages(both, 2, 28, 28, 23);
    expect(maxAbsDiff(out.subarray(28 * 28), rotateImages(b, 1, 28, 28, 23))).toBe(0);
  });

  it('roughly preserves the mass of a centred blob at 45 degrees', () => {
    const blob = new Float32Array(28 * 28);
    for (let i = 0; i < 28; i++) {
      for (let j = 0; j < 28; j++) {
        blob[i * 28 + j] = Math.exp(-((i - 13.5) ** 2 + (j - 13.5) ** 2) / (2 * 3 ** 2));
      }
    }
    const out = rotateImages(blob, 1, 28, 28, 45);
    expect(Math.abs(sum(out) / sum(blob) - 1)).toBeLessThan(0.02);
    // A radially symmetric blob about the centre is (nearly) unchanged.
    expect(maxAbsDiff(out, blob)).toBeLessThan(0.05);
  });

  it('moves an off-centre pixel where the 90-degree algebra says', () => {
    // For 28x28 the same algebra as the 4x4 case gives: output (i, j) samples input (row j, col 27 - i).
    const x = new Float32Array(28 * 28);
    x[13 * 28 + 20] = 1;
    const out = rotateImages(x, 1, 28, 28, 90);
    // So input (13, 20), right of centre, lands at output (7, 13), above centre.
    expect(out[7 * 28 + 13]).toBe(1);
    expect(sum(out)).toBe(1);
  });
});

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const TORCH_SCRIPT = `
import json, math, sys, torch
import torch.nn.functional as F
req = json.load(sys.stdin)
n, rows, cols = req['n'], req['rows'], req['cols']
img = torch.tensor(req['x'], dtype=torch.float32).reshape(n, 1, rows, cols)
t = math.radians(req['degrees'])
theta = torch.tensor([[math.cos(t), -math.sin(t), 0.0], [math.sin(t), math.cos(t), 0.0]], dtype=torch.float32)
grid = F.affine_grid(theta.unsqueeze(0).expand(n, 2, 3), [n, 1, rows, cols], align_corners=False)
out = F.grid_sample(img, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
json.dump(out.reshape(-1).tolist(), sys.stdout)
`;

describe('rotateImages against PyTorch', () => {
  it.skipIf(!hasTorch)('matches grid_sample(affine_grid(...)) at 37.5 degrees', { timeout: 60_000 }, () => {
    const n = 4;
    const x = randomImages(n * 28 * 28, 5);
    const request = JSON.stringify({ n, rows: 28, cols: 28, degrees: 37.5, x: Array.from(x) });
    const res = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT], { input: request, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const expected = JSON.parse(res.stdout) as number[];
    expect(maxAbsDiff(rotateImages(x, n, 28, 28, 37.5), expected)).toBeLessThan(1e-4);
  });
});

/** Byte -> [0,1] lookup: exact v/255 rounded once to float32, and faster than dividing per pixel. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Gathers images `indices` (each `pixels` bytes) from `images` into a new array scaled to [0,1].
 */
export function toFloatImages(images: Uint8Array, indices: ArrayLike<number>, pixels: number): Float32Array {
  const available = Math.floor(images.length / pixels);
  const out = new Float32Array(indices.length * pixels);
  for (let r = 0; r < indices.length; r++) {
    const idx = indices[r];
    if (!Number.isInteger(idx) || idx < 0 || idx >= available) {
      throw new RangeError(`toFloatImages: index ${idx} out of range 0..${available - 1}`);
    }
    const src = idx * pixels;
    const dst = r * pixels;
    for (let k = 0; k < pixels; k++) out[dst + k] = BYTE_TO_UNIT[images[src + k]];
  }
  return out;
}

/** Applies one pixel permutation to every row: out[i*d + k] = x[i*d + perm[k]], d = perm.length. */
export function permutePixels(x: Float32Array, n: number, perm: Int32Array): Float32Array {
  const d = perm.length;
  checkLength('permutePixels', x, n * d);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let k = 0; k < d; k++) out[base + k] = x[base + perm[k]];
  }
  return out;
}

/** How a rotation samples the source image: bilinear (torch's grid_sample) or nearest (PIL's default, the GEM code's). */
export const interpolations = ['bilinear', 'nearest'] as const;
export type Interpolation = (typeof interpolations)[number];

/**
 * Rotates n rows x cols images by `degrees` about the image centre with zero padding. Bilinear is
 * numerically the same as PyTorch's
 * grid_sample(img, affine_grid(theta, align_corners=False), align_corners=False)
 * with theta = [[cos t, -sin t, 0], [sin t, cos t, 0]]; nearest takes the source pixel whose centre
 * is closest, as PIL's `Image.rotate` does by default.
 */
export function rotateImages(
  x: Float32Array, n: number, rows: number, cols: number, degrees: number, interpolation: Interpolation = 'bilinear',
): Float32Array {
  const pixels = rows * cols;
  checkLength('rotateImages', x, n * pixels);
  const { index, weight } = rotationStencil(rows, cols, degrees, interpolation);
  const out = new Float32Array(n * pixels);
  // Hot loop: 4 gathers and 4 multiply-adds per output pixel, stencil shared by all images.
  for (let i = 0; i < n; i++) {
    const base = i * pixels;
    for (let p = 0, q = 0; p < pixels; p++, q += 4) {
      out[base + p] =
        weight[q] * x[base + index[q]] +
        weight[q + 1] * x[base + index[q + 1]] +
        weight[q + 2] * x[base + index[q + 2]] +
        weight[q + 3] * x[base + index[q + 3]];
    }
  }
  return out;
}

interface Stencil {
  /** 4 source pixel indices per output pixel (0 where the neighbour is outside; its weight is then 0). */
  index: Int32Array;
  /** 4 bilinear weights per output pixel, matching `index`. */
  weight: Float64Array;
}

/**
 * Per output pixel, the 4 source neighbours and their weights for a rotation by `degrees`:
 * bilinear weights, or for nearest the closest neighbour with weight 1 and the others 0.
 */
function rotationStencil(rows: number, cols: number, degrees: number, interpolation: Interpolation): Stencil {
  const [cos, sin] = cosSin(degrees);
  const index = new Int32Array(4 * rows * cols);
  const weight = new Float64Array(4 * rows * cols);
  for (let i = 0; i < rows; i++) {
    const yn = (2 * i + 1) / rows - 1;
    for (let j = 0; j < cols; j++) {
      const xn = (2 * j + 1) / cols - 1;
      // affine_grid: normalised source coordinates; grid_sample unnormalises with align_corners=False.
      const px = ((cos * xn - sin * yn + 1) * cols - 1) / 2;
      const py = ((sin * xn + cos * yn + 1) * rows - 1) / 2;
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const fx = px - x0;
      const fy = py - y0;
      const q = 4 * (i * cols + j);
      if (interpolation === 'nearest') {
        setTap(index, weight, q, Math.floor(py + 0.5), Math.floor(px + 0.5), 1, rows, cols);
        continue; // the other three taps keep index 0 and weight 0
      }
      setTap(index, weight, q, y0, x0, (1 - fy) * (1 - fx), rows, cols);
      setTap(index, weight, q + 1, y0, x0 + 1, (1 - fy) * fx, rows, cols);
      setTap(index, weight, q + 2, y0 + 1, x0, fy * (1 - fx), rows, cols);
      setTap(index, weight, q + 3, y0 + 1, x0 + 1, fy * fx, rows, cols);
    }
  }
  return { index, weight };
}

/** Zero padding: a neighbour outside the image contributes nothing. */
function setTap(
  index: Int32Array,
  weight: Float64Array,
  q: number,
  y: number,
  x: number,
  w: number,
  rows: number,
  cols: number,
): void {
  const inside = y >= 0 && y < rows && x >= 0 && x < cols;
  index[q] = inside ? y * cols + x : 0;
  weight[q] = inside ? w : 0;
}

/** cos and sin of `degrees`, exact at multiples of 90 so quarter turns are exact pixel permutations. */
function cosSin(degrees: number): [number, number] {
  const d = ((degrees % 360) + 360) % 360;
  if (d === 0) return [1, 0];
  if (d === 90) return [0, 1];
  if (d === 180) return [-1, 0];
  if (d === 270) return [0, -1];
  const t = (d * Math.PI) / 180;
  return [Math.cos(t), Math.sin(t)];
}

function checkLength(fn: string, x: Float32Array, expected: number): void {
  if (x.length !== expected) {
    throw new RangeError(`${fn}: expected ${expected} values, got ${x.length}`);
  }
}

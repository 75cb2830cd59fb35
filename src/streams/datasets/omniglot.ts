import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { ClbenchError } from '../../util/errors.js';

/** The two halves of Lake et al.'s Omniglot release. */
export type OmniglotPart = 'images_background' | 'images_evaluation';

/** One character (a class): its drawings as size×size ink bytes, 255 = full stroke. */
export interface OmniglotCharacter {
  /** "Alphabet/character01". */
  readonly name: string;
  /** n images of size*size bytes each. */
  readonly images: Uint8Array;
  readonly n: number;
}

export interface OmniglotSet {
  readonly dir: string;
  readonly size: number;
  readonly characters: readonly OmniglotCharacter[];
}

const cache = new Map<string, OmniglotSet>();

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/**
 * Loads one part of an Omniglot directory laid out as the official release unpacks:
 * `<root>/<part>/<Alphabet>/<characterNN>/<drawing>.png`. Each drawing becomes ink in [0, 255]
 * (Omniglot draws black strokes on white, so ink = 255 − luminance), box-filtered to size×size.
 * Characters are sorted by path, so class ids are stable across machines. Memoised per process.
 */
export function loadOmniglot(root: string, part: OmniglotPart, size = 28): OmniglotSet {
  const dir = resolve(root, part);
  const key = `${dir}\0${size}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ClbenchError(
      `Omniglot not found: ${dir} is not a directory. stream.path must be a folder holding ` +
        'images_background/ and images_evaluation/ (the official release, unzipped)',
    );
  }
  const characters: OmniglotCharacter[] = [];
  for (const alphabet of subdirectories(dir)) {
    for (const character of subdirectories(join(dir, alphabet))) {
      const folder = join(dir, alphabet, character);
      const files = readdirSync(folder).filter((f) => f.toLowerCase().endsWith('.png')).sort();
      if (files.length === 0) continue;
      const images = new Uint8Array(files.length * size * size);
      files.forEach((file, i) => images.set(readInk(join(folder, file), size), i * size * size));
      characters.push({ name: `${alphabet}/${character}`, images, n: files.length });
    }
  }
  if (characters.length === 0) {
    throw new ClbenchError(`Omniglot: no <Alphabet>/<character>/*.png drawings under ${dir}`);
  }
  const set = { dir, size, characters };
  cache.set(key, set);
  return set;
}

/** A PNG's ink (255 − luminance, alpha-composited on white), resized to size×size. */
export function readInk(path: string, size: number): Uint8Array {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (err) {
    throw new ClbenchError(`Omniglot: cannot decode ${path}: ${(err as Error).message}`, { cause: err });
  }
  const { width, height, data } = png;
  const ink = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const alpha = data[4 * p + 3] / 255;
    const luminance = 0.299 * data[4 * p] + 0.587 * data[4 * p + 1] + 0.114 * data[4 * p + 2];
    ink[p] = alpha * (255 - luminance);
  }
  const out = boxResize(ink, height, width, size, size);
  const bytes = new Uint8Array(size * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(255, Math.max(0, out[i])));
  return bytes;
}

/**
 * Area-averaging resize: each output pixel is the mean of the source area it covers, with
 * fractional weights at the edges (what PIL's BOX filter does; no aliasing when shrinking 105→28).
 */
export function boxResize(src: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Float32Array {
  const rowWeights = coverage(rows, outRows);
  const colWeights = coverage(cols, outCols);
  const out = new Float32Array(outRows * outCols);
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      let sum = 0;
      let total = 0;
      for (const [r, wr] of rowWeights[i]) {
        for (const [c, wc] of colWeights[j]) {
          sum += wr * wc * src[r * cols + c];
          total += wr * wc;
        }
      }
      out[i * outCols + j] = sum / total;
    }
  }
  return out;
}

/** For each output index, the source indices it covers and how much of each. */
function coverage(n: number, outN: number): [number, number][][] {
  const scale = n / outN;
  return Array.from({ length: outN }, (_, i) => {
    const start = i * scale;
    const end = (i + 1) * scale;
    const parts: [number, number][] = [];
    for (let s = Math.floor(start); s < Math.min(n, Math.ceil(end)); s++) {
      const w = Math.min(end, s + 1) - Math.max(start, s);
      if (w > 1e-9) parts.push([s, w]);
    }
    return parts;
  });
}

/** Rotates a square size×size image by quarter turns (counter-clockwise): exact, no interpolation. */
export function rotateQuarter(src: Uint8Array, size: number, quarterTurns: number): Uint8Array {
  const turns = ((quarterTurns % 4) + 4) % 4;
  if (turns === 0) return src;
  const out = new Uint8Array(size * size);
  const last = size - 1;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = src[r * size + c];
      if (turns === 1) out[(last - c) * size + r] = v;
      else if (turns === 2) out[(last - r) * size + (last - c)] = v;
      else out[c * size + (last - r)] = v;
    }
  }
  return out;
}

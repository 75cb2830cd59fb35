import type { Rng } from '../util/rng.js';
import type { ImageDataset } from './datasets/image-dataset.js';
import { type OmniglotSet, rotateQuarter } from './datasets/omniglot.js';
import type { Episode, EpisodeSampler } from './episodes.js';
import type { Split } from './types.js';

/**
 * The classes an N-way K-shot episode is drawn from, with their images held as bytes. Class ids
 * are global within the pool (e.g. the digit, or character × rotation for Omniglot).
 */
export interface ClassPool {
  readonly description: string;
  readonly rows: number;
  readonly cols: number;
  readonly classes: readonly number[];
  /** Images of class `classId`. */
  size(classId: number): number;
  /** Writes image `j` of class `classId` as rows·cols floats in [0, 1] at out[offset..]. */
  write(classId: number, j: number, out: Float32Array, offset: number): void;
}

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function writeBytes(bytes: Uint8Array, start: number, pixels: number, out: Float32Array, offset: number): void {
  for (let k = 0; k < pixels; k++) out[offset + k] = BYTE_TO_UNIT[bytes[start + k]];
}

/** The images of `classes` in one split of an MNIST-format dataset. */
export function imageClassPool(data: ImageDataset, split: 'train' | 'test', classes: readonly number[]): ClassPool {
  const part = data[split];
  const byClass = new Map<number, number[]>(classes.map((c) => [c, []]));
  for (let i = 0; i < part.n; i++) byClass.get(part.labels[i])?.push(i);
  const pixels = data.rows * data.cols;
  return {
    description: `${data.name} ${split} classes ${classes.join(', ')}`,
    rows: data.rows,
    cols: data.cols,
    classes,
    size: (c) => byClass.get(c)?.length ?? 0,
    write: (c, j, out, offset) => writeBytes(part.images, byClass.get(c)![j] * pixels, pixels, out, offset),
  };
}

/**
 * Omniglot characters as classes. With `rotations`, each character at 0°, 90°, 180° and 270° is a
 * class of its own (the MAML paper's augmentation): class id = 4·character + quarter turns.
 */
export function omniglotClassPool(set: OmniglotSet, rotations: boolean, label: string): ClassPool {
  const turns = rotations ? 4 : 1;
  const { size } = set;
  const pixels = size * size;
  const classes = Array.from({ length: set.characters.length * turns }, (_, c) => c);
  return {
    description: `Omniglot ${label}: ${set.characters.length} characters${rotations ? ' × 4 rotations' : ''}`,
    rows: size,
    cols: size,
    classes,
    size: (c) => set.characters[Math.floor(c / turns)].n,
    write: (c, j, out, offset) => {
      const character = set.characters[Math.floor(c / turns)];
      const image = character.images.subarray(j * pixels, (j + 1) * pixels);
      writeBytes(rotateQuarter(image, size, c % turns), 0, pixels, out, offset);
    },
  };
}

/** The smallest class of a pool: the most support + query images an episode can ask for. */
export function smallestClass(pool: ClassPool): number {
  return Math.min(...pool.classes.map((c) => pool.size(c)));
}

function gather(pool: ClassPool, classes: readonly number[], picks: readonly Int32Array[], from: number, to: number): Split {
  const pixels = pool.rows * pool.cols;
  const perClass = to - from;
  const n = classes.length * perClass;
  const x = new Float32Array(n * pixels);
  const y = new Int32Array(n);
  let row = 0;
  classes.forEach((c, label) => {
    for (let j = from; j < to; j++, row++) {
      pool.write(c, picks[label][j], x, row * pixels);
      y[row] = label;
    }
  });
  return { x, y, n, inputShape: [pool.rows, pool.cols, 1] };
}

/**
 * N-way K-shot episodes: N classes drawn without replacement, relabelled 0..N-1 in draw order
 * (so labels mean nothing across episodes), then K support and Q query images per class.
 * Only indices are drawn up front; pixels are gathered when train() / test() is called.
 */
export function fewShotSampler(pool: ClassPool, ways: number, shots: number, queries: number): EpisodeSampler {
  return (rng: Rng, index: number): Episode => {
    const classes = Array.from(rng.sample(pool.classes.length, ways), (i) => pool.classes[i]);
    const picks = classes.map((c) => rng.sample(pool.size(c), shots + queries));
    return {
      index,
      id: `classes-${classes.join('-')}`,
      classes,
      train: () => gather(pool, classes, picks, 0, shots),
      test: () => gather(pool, classes, picks, shots, shots + queries),
    };
  };
}

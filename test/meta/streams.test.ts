import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loadImageDataset } from '../../src/streams/datasets/image-dataset.js';
import { loadOmniglot, readInk, rotateQuarter } from '../../src/streams/datasets/omniglot.js';
import { type Episode, type EpisodeStream, isTaskDistribution } from '../../src/streams/episodes.js';
import { imageClassPool } from '../../src/streams/episodes-pools.js';
import { createFewShot as fewShotCreate } from '../../src/streams/tasks/few-shot.js';
import { createSine } from '../../src/streams/tasks/sine.js';
import { streams } from '../../src/streams/registry.js';
import type { StreamSpec } from '../../src/streams/stream-entry.js';
import { Rng } from '../../src/util/rng.js';
import { writeOmniglotFixture, strokeBox } from '../fixtures/omniglot.js';
import { tempDir } from '../helpers/scenario.js';

const first = async (stream: EpisodeStream, n: number, from = 0): Promise<Episode[]> => lastValueFrom(stream.metaTrain(from).pipe(take(n), toArray()));

describe('the sine task distribution', () => {
  const make = (seed: number, spec: Partial<StreamSpec> = {}) => createSine({ type: 'sine', shots: 5, queries: 7, testQueries: 30, ...spec }, new Rng(seed));

  it('draws y = a·sin(x − φ) with K support and Q query points, the same on every subscription', async () => {
    const stream = make(1);
    expect(isTaskDistribution(stream)).toBe(true);
    const [a, b] = [await first(stream, 3), await first(stream, 3)];
    for (const [i, e] of a.entries()) {
      const s = e.train();
      expect(s.n).toBe(5);
      expect(e.test().n).toBe(7);
      expect(Array.from(s.x)).toEqual(Array.from(b[i].train().x));
      expect(Array.from(e.train().y)).toEqual(Array.from(s.y));
      const { amplitude, phase } = e.info as { amplitude: number; phase: number };
      expect(amplitude).toBeGreaterThanOrEqual(0.1);
      expect(amplitude).toBeLessThanOrEqual(5);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThanOrEqual(Math.PI);
      s.x.forEach((x, j) => {
        expect(x).toBeGreaterThanOrEqual(-5);
        expect(s.y[j]).toBeCloseTo(amplitude * Math.sin(x - phase), 5);
      });
    }
    // metaTrain(i) starts at episode i: a driver can resume or pull one meta-batch at a time.
    const later = await first(stream, 1, 2);
    expect(Array.from(later[0].train().x)).toEqual(Array.from(a[2].train().x));
  });

  it('holds meta-test episodes apart, with their own query size, and changes with the seed', async () => {
    const stream = make(1);
    const test = await lastValueFrom(stream.metaTest(4).pipe(toArray()));
    expect(test.map((e) => e.test().n)).toEqual([30, 30, 30, 30]);
    const train = await first(stream, 4);
    expect(test.map((e) => e.id)).not.toEqual(train.map((e) => e.id));
    const other = await first(make(2), 4);
    expect(other.map((e) => e.id)).not.toEqual(train.map((e) => e.id));
    // The continual view: a fixed sequence of tasks.
    expect((await lastValueFrom(stream.tasks().pipe(toArray()))).length).toBe(10);
  });

  it('rejects an empty range', () => {
    expect(() => make(0, { amplitude: [5, 1] })).toThrow(/stream\.amplitude must be \[low, high\]/);
  });
});

describe('few-shot episodes over MNIST classes', () => {
  it('draws N-way K-shot episodes from the meta-training classes and relabels them 0..N−1', async () => {
    const stream = fewShotCreate({ type: 'few-shot', ways: 3, shots: 2, queries: 4, testQueries: 5, trainClasses: [0, 1, 2, 3], testClasses: [6, 7, 8] }, new Rng(3));
    expect(stream.info).toMatchObject({ inputShape: [28, 28, 1], outputSize: 3, kind: 'classification', classIds: 4, supportSize: 6, querySize: 12 });
    const episodes = await first(stream, 20);
    const seenClasses = new Set<number>();
    for (const e of episodes) {
      const support = e.train();
      expect(support.n).toBe(6);
      expect(Array.from(support.y)).toEqual([0, 0, 1, 1, 2, 2]);
      expect(e.test().n).toBe(12);
      expect(e.classes).toHaveLength(3);
      for (const c of e.classes!) seenClasses.add(c);
      expect(Math.max(...support.x)).toBeLessThanOrEqual(1);
    }
    expect([...seenClasses].sort()).toEqual([0, 1, 2, 3]);
    // Different episodes give the same class different labels.
    const labelsOfClass0 = new Set(episodes.filter((e) => e.classes!.includes(0)).map((e) => e.classes!.indexOf(0)));
    expect(labelsOfClass0.size).toBeGreaterThan(1);
    const test = await lastValueFrom(stream.metaTest(10).pipe(toArray()));
    for (const e of test) {
      expect([...e.classes!].sort()).toEqual([6, 7, 8]);
      expect(e.test().n).toBe(15);
    }
  });

  it('gathers the images of the class it names', () => {
    const data = loadImageDataset('mnist');
    const pool = imageClassPool(data, 'test', [7]);
    const firstSeven = data.test.labels.indexOf(7);
    const out = new Float32Array(784);
    pool.write(7, 0, out, 0);
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual(Array.from(data.test.images.subarray(firstSeven * 784, (firstSeven + 1) * 784)));
  });

  it('works on Fashion-MNIST and names the field at fault when a pool is too small', () => {
    const fashion = fewShotCreate({ type: 'few-shot', source: 'fashion-mnist', ways: 5 }, new Rng(0));
    expect(fashion.info.description).toContain('fashion-mnist');
    expect(() => fewShotCreate({ type: 'few-shot', ways: 6 }, new Rng(0))).toThrow(/stream\.ways is 6, but the meta-training pool .* has only 5 classes/);
    expect(() => fewShotCreate({ type: 'few-shot', ways: 2, shots: 900, testQueries: 100 }, new Rng(0)))
      .toThrow(/stream\.shots \+ stream\.testQueries is 1000, but a class of the meta-test pool/);
    expect(streams.has('few-shot') && streams.has('sine')).toBe(true);
  });
});

describe('the Omniglot loader', () => {
  const fixture = { alphabets: { images_background: 2, images_evaluation: 1 }, characters: 3, drawings: 4, size: 105 };

  it('reads the images_background / images_evaluation layout, box-filters to 28×28, and adds rotated classes', async () => {
    const root = tempDir('clbench-omniglot-');
    writeOmniglotFixture(root, fixture);
    const background = loadOmniglot(root, 'images_background');
    expect(background.characters.map((c) => c.name)).toEqual([
      'Alphabet_B0/character01', 'Alphabet_B0/character02', 'Alphabet_B0/character03',
      'Alphabet_B1/character01', 'Alphabet_B1/character02', 'Alphabet_B1/character03',
    ]);
    expect(background.characters.every((c) => c.n === 4)).toBe(true);

    // Ink where the stroke was: the box maps to its share of the 28×28 grid.
    const box = strokeBox(105, 0, 0, 0);
    const image = background.characters[0].images.subarray(0, 28 * 28);
    const at = (y: number, x: number) => image[Math.floor((y * 28) / 105) * 28 + Math.floor((x * 28) / 105)];
    expect(at(box.top + box.height / 2, box.left + box.width / 2)).toBe(255);
    expect(at(2, 2)).toBe(0);
    // Greyscale (drawing 0) and RGBA PNGs decode alike.
    const path = join(root, 'images_background', 'Alphabet_B0', 'character01');
    expect(PNG.sync.read(readFileSync(join(path, '1000_01.png'))).width).toBe(105);
    expect(Math.max(...readInk(join(path, '1000_02.png'), 28))).toBe(255);

    const stream = fewShotCreate({ type: 'few-shot', source: 'omniglot', path: root, ways: 5, shots: 1, queries: 2, testQueries: 3 }, new Rng(0));
    expect(stream.info.classIds).toBe(6 * 4);
    expect(stream.info.description).toContain('Omniglot images_background: 6 characters × 4 rotations');
    const [episode] = await first(stream, 1);
    expect(episode.train().inputShape).toEqual([28, 28, 1]);
    const [test] = await lastValueFrom(stream.metaTest(1).pipe(toArray()));
    expect(test.classes!.every((c) => c < 3 * 4)).toBe(true);

    // Class 4c + r is character c turned r quarter turns.
    const noRotation = fewShotCreate({ type: 'few-shot', source: 'omniglot', path: root, ways: 2, testQueries: 3, rotations: false }, new Rng(0));
    expect(noRotation.info.classIds).toBe(6);
    const turned = rotateQuarter(image, 28, 1);
    expect(turned).not.toEqual(image);
    expect(rotateQuarter(rotateQuarter(turned, 28, 2), 28, 1)).toEqual(image);
  });

  it('says where it looked when the folder is missing', () => {
    expect(() => fewShotCreate({ type: 'few-shot', source: 'omniglot', path: '/nonexistent/omniglot' }, new Rng(0)))
      .toThrow(/Omniglot not found: \/nonexistent\/omniglot\/images_background is not a directory/);
    expect(() => fewShotCreate({ type: 'few-shot', source: 'omniglot' }, new Rng(0))).toThrow(/stream\.path is required/);
  });
});

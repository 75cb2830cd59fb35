import { ClbenchError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { loadImageDataset } from '../datasets/image-dataset.js';
import { loadOmniglot } from '../datasets/omniglot.js';
import { type EpisodeStream, episodeStream } from '../episodes.js';
import { type ClassPool, fewShotSampler, imageClassPool, omniglotClassPool, smallestClass } from '../episodes-pools.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import { LIMITS } from '../../scenario/limits.js';

export type FewShotSource = 'mnist' | 'fashion-mnist' | 'omniglot';

export interface FewShotSpec extends StreamSpec {
  readonly source?: FewShotSource;
  /** IDX folder (MNIST, Fashion-MNIST) or Omniglot root holding images_background/ and images_evaluation/. */
  readonly path?: string;
  /** MNIST / Fashion-MNIST: meta-training classes (drawn from the training images). */
  readonly trainClasses?: readonly number[];
  /** MNIST / Fashion-MNIST: held-out meta-test classes (drawn from the test images). */
  readonly testClasses?: readonly number[];
  readonly ways?: number;
  readonly shots?: number;
  /** Query images per class in meta-training episodes (default: shots). */
  readonly queries?: number;
  /** Query images per class in meta-test episodes. */
  readonly testQueries?: number;
  /** Omniglot: quarter-turn rotations as extra classes. */
  readonly rotations?: boolean;
  /** Omniglot: side of the resized images. */
  readonly imageSize?: number;
  /** Length of the continual view (tasks()). */
  readonly tasks?: number;
}

const classList = (description: string, fallback: number[]) => ({
  type: 'array', items: { type: 'integer', minimum: 0, maximum: 9 }, minItems: 1, uniqueItems: true, default: fallback, description,
});

function pools(spec: FewShotSpec): { train: ClassPool; test: ClassPool } {
  const source = spec.source ?? 'mnist';
  if (source === 'omniglot') {
    if (!spec.path) throw new ClbenchError('stream.path is required with stream.source "omniglot": the folder holding images_background/ and images_evaluation/');
    const size = spec.imageSize ?? 28;
    const rotations = spec.rotations ?? true;
    return {
      train: omniglotClassPool(loadOmniglot(spec.path, 'images_background', size), rotations, 'images_background'),
      test: omniglotClassPool(loadOmniglot(spec.path, 'images_evaluation', size), rotations, 'images_evaluation'),
    };
  }
  if (spec.rotations !== undefined || spec.imageSize !== undefined) {
    throw new ClbenchError(`stream.rotations and stream.imageSize apply to stream.source "omniglot" only (source is "${source}")`);
  }
  const trainClasses = spec.trainClasses ?? [0, 1, 2, 3, 4];
  const testClasses = spec.testClasses ?? [5, 6, 7, 8, 9];
  const data = loadImageDataset(source, spec.path);
  return { train: imageClassPool(data, 'train', trainClasses), test: imageClassPool(data, 'test', testClasses) };
}

function checkPool(pool: ClassPool, which: string, ways: number, perClass: number, queriesField: string): void {
  if (pool.classes.length < ways) {
    throw new ClbenchError(`stream.ways is ${ways}, but the ${which} pool (${pool.description}) has only ${pool.classes.length} classes`);
  }
  const smallest = smallestClass(pool);
  if (smallest < perClass) {
    throw new ClbenchError(
      `stream.shots + stream.${queriesField} is ${perClass}, but a class of the ${which} pool (${pool.description}) has only ${smallest} images`,
    );
  }
}

/**
 * N-way K-shot classification episodes over a class pool: MNIST or Fashion-MNIST with held-out
 * meta-test classes, or a user-supplied Omniglot folder (background alphabets for meta-training,
 * evaluation alphabets for meta-test).
 */
export const fewShot: StreamEntry<FewShotSpec> = {
  type: 'few-shot',
  description: 'N-way K-shot episodes over MNIST / Fashion-MNIST classes (held-out meta-test classes) or an Omniglot folder',
  options: {
    type: 'object',
    properties: {
      source: { enum: ['mnist', 'fashion-mnist', 'omniglot'], default: 'mnist', description: 'Where the classes come from' },
      path: { type: 'string', minLength: 1, description: 'IDX folder (MNIST, Fashion-MNIST) or Omniglot root (images_background/, images_evaluation/)' },
      trainClasses: classList('MNIST / Fashion-MNIST: meta-training classes, from the training images', [0, 1, 2, 3, 4]),
      testClasses: classList('MNIST / Fashion-MNIST: held-out meta-test classes, from the test images', [5, 6, 7, 8, 9]),
      ways: { type: 'integer', minimum: 2, default: 5, description: 'N: classes per episode' },
      shots: { type: 'integer', minimum: 1, default: 1, description: 'K: support images per class' },
      queries: { type: 'integer', minimum: 1, description: 'Query images per class in meta-training episodes (default: shots)' },
      testQueries: { type: 'integer', minimum: 1, default: 15, description: 'Query images per class in meta-test episodes' },
      rotations: { type: 'boolean', description: 'Omniglot: rotations by 90°, 180°, 270° as new classes (default true)' },
      imageSize: { type: 'integer', minimum: 4, description: 'Omniglot: resize drawings to imageSize × imageSize (default 28)' },
      tasks: { type: 'integer', minimum: 1, maximum: LIMITS.maxTasks, default: 10, description: 'Tasks in the continual view (protocol.kind "continual")' },
    },
  },
  create: (spec, rng) => createFewShot(spec, rng),
};

/** The few-shot task distribution (typed as one, unlike the registry entry's create). */
export function createFewShot(spec: FewShotSpec, rng: Rng): EpisodeStream {
  const ways = spec.ways ?? 5;
  const shots = spec.shots ?? 1;
  const queries = spec.queries ?? shots;
  const testQueries = spec.testQueries ?? 15;
  const { train, test } = pools(spec);
  checkPool(train, 'meta-training', ways, shots + queries, 'queries');
  checkPool(test, 'meta-test', ways, shots + testQueries, 'testQueries');
  return episodeStream(
    {
      type: 'few-shot', numTasks: spec.tasks ?? 10, inputShape: [train.rows, train.cols, 1], outputSize: ways, heads: 1,
      kind: 'classification',
      description: `${ways}-way ${shots}-shot episodes; meta-train: ${train.description}; meta-test: ${test.description}`,
      supportSize: ways * shots, querySize: ways * queries, testQuerySize: ways * testQueries,
      classIds: Math.max(...train.classes) + 1,
    },
    rng,
    { metaTrain: fewShotSampler(train, ways, shots, queries), metaTest: fewShotSampler(test, ways, shots, testQueries) },
  );
}

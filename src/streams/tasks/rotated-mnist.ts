import { type Interpolation, interpolations, rotateImages } from '../datasets/transforms.js';
import { lazyTasks } from '../lazy-tasks.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import type { Task } from '../types.js';
import { ClbenchError } from '../../util/errors.js';
import { type ImageStreamOptions, gatherSplit, imageStreamSchema, loadDataset, perTaskSize } from './image-stream-options.js';
import { LIMITS } from '../../util/limits.js';

export type AngleSampling = 'stratified' | 'uniform';

export interface RotatedMnistSpec extends StreamSpec, ImageStreamOptions {
  readonly tasks: number;
  /** Angles span [min, max) degrees. */
  readonly angleRange?: readonly [number, number];
  /**
   * How each task's angle is drawn from angleRange: "stratified" (default, GEM) from task t's own
   * 1/T slice; "uniform" (DER/Mammoth) from the whole range, independently per task.
   */
  readonly angleSampling?: AngleSampling;
  /** Explicit angle per task in degrees (one per task; replaces the draws from angleRange). */
  readonly angles?: readonly number[];
  /** How rotated pixels are sampled (default bilinear). */
  readonly interpolation?: Interpolation;
}

/**
 * Domain-incremental rotations (GEM): task t shows images rotated by an angle drawn uniformly
 * from [min + (max-min)·t/T, min + (max-min)·(t+1)/T), with fresh random images per task.
 * With angleSampling "uniform" (DER, Mammoth's rot-mnist) every angle is drawn from [min, max).
 */
export const rotatedMnist: StreamEntry<RotatedMnistSpec> = {
  type: 'rotated-mnist',
  description: 'MNIST rotated by a different angle per task: drawn from task t’s slice [180t/T, 180(t+1)/T) (GEM) or uniformly from [0, 180) (DER)',
  options: {
    type: 'object',
    properties: {
      ...imageStreamSchema,
      tasks: { type: 'integer', minimum: 1, maximum: LIMITS.maxTasks, description: 'Number of tasks T' },
      angleRange: {
        type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: [0, 180],
        description: 'Overall angle range in degrees',
      },
      angleSampling: {
        enum: ['stratified', 'uniform'], default: 'stratified',
        description: 'Per-task angle: "stratified" draws task t from its 1/T slice of angleRange (GEM); "uniform" from the whole range (DER/Mammoth)',
      },
      angles: {
        type: 'array', items: { type: 'number' }, minItems: 1,
        description: 'Explicit angle of each task in degrees, e.g. [0, 80, 160] (the stability-gap papers); needs one per task, replaces angleRange',
      },
      interpolation: {
        enum: [...interpolations],
        description: 'Pixel sampling of the rotation: bilinear (the default; torch grid_sample) or nearest (PIL Image.rotate, as the GEM code rotates)',
      },
    },
    required: ['tasks'],
  },
  create(spec, rng) {
    const data = loadDataset(spec);
    const T = spec.tasks;
    const [low, high] = spec.angleRange ?? [0, 180];
    const sampling = spec.angleSampling ?? 'stratified';
    if (spec.angles && spec.angles.length !== T) {
      throw new ClbenchError(`stream.angles: ${spec.angles.length} angles given for stream.tasks = ${T}; give one angle per task`);
    }
    const nTrain = perTaskSize(spec.trainPerTask, data.train.n, 'trainPerTask');
    const nTest = perTaskSize(spec.testPerTask, data.test.n, 'testPerTask');
    const pixels = data.rows * data.cols;
    const describe = (t: number): Task => {
      const taskRng = rng.fork(`task-${t}`);
      const drawn = sampling === 'uniform'
        ? taskRng.uniform(low, high)
        : taskRng.uniform(low + ((high - low) * t) / T, low + ((high - low) * (t + 1)) / T);
      const angle = spec.angles?.[t] ?? drawn;
      const trainIdx = taskRng.sample(data.train.n, nTrain);
      const testIdx = taskRng.sample(data.test.n, nTest);
      const rotate = (x: Float32Array, n: number) => rotateImages(x, n, data.rows, data.cols, angle, spec.interpolation);
      return {
        index: t,
        id: `rotation-${angle.toFixed(1)}deg`,
        info: { angle },
        train: () => gatherSplit(data, 'train', trainIdx, rotate),
        test: () => gatherSplit(data, 'test', testIdx, rotate),
      };
    };
    return {
      info: {
        type: 'rotated-mnist', numTasks: T, inputShape: [pixels], outputSize: data.numClasses, heads: 1,
        kind: 'classification',
        description: spec.angles
          ? `${T} rotations of ${data.name} at ${spec.angles.map((a) => `${a}°`).join(', ')}, ${nTrain} train / ${nTest} test per task`
          : `${T} rotations of ${data.name} in [${low}°, ${high}°)${sampling === 'uniform' ? ' (uniform angles)' : ''}, ${nTrain} train / ${nTest} test per task`,
      },
      tasks: () => lazyTasks(T, describe),
    };
  },
};

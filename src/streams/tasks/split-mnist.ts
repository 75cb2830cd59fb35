import { ClbenchError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { lazyTasks } from '../lazy-tasks.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import type { Task } from '../types.js';
import { type ImageStreamOptions, gatherSplit, imageStreamSchema, loadDataset } from './image-stream-options.js';

/**
 * The three settings of van de Ven & Tolias (2019):
 * - task-incremental: one head per task, labels renumbered 0..C-1 within the task;
 * - domain-incremental: one shared C-way head, labels renumbered 0..C-1 within the task;
 * - class-incremental: one shared head over all classes, original labels.
 */
export type SplitSetting = 'task-incremental' | 'domain-incremental' | 'class-incremental';

export interface SplitMnistSpec extends StreamSpec, ImageStreamOptions {
  readonly setting?: SplitSetting;
  readonly classesPerTask?: number;
  /** The class order; "shuffled" draws it from the stream's seed. Default: 0, 1, ..., 9. */
  readonly classOrder?: readonly number[] | 'shuffled';
}

function indicesOfClasses(labels: Uint8Array, classes: readonly number[], rng: Rng, limit: number | undefined): Int32Array {
  const wanted = new Set(classes);
  const all: number[] = [];
  for (let i = 0; i < labels.length; i++) if (wanted.has(labels[i])) all.push(i);
  const picked = rng.shuffle(Int32Array.from(all));
  return limit === undefined ? picked : picked.slice(0, Math.min(limit, picked.length));
}

/** MNIST split into tasks of disjoint classes (e.g. 0/1, 2/3, ..., 8/9). */
export const splitMnist: StreamEntry<SplitMnistSpec> = {
  type: 'split-mnist',
  description: 'MNIST split into tasks of disjoint classes, task-, domain- or class-incremental',
  options: {
    type: 'object',
    properties: {
      ...imageStreamSchema,
      setting: { enum: ['task-incremental', 'domain-incremental', 'class-incremental'], default: 'task-incremental' },
      classesPerTask: { type: 'integer', minimum: 1, maximum: 10, default: 2 },
      classOrder: {
        oneOf: [
          { type: 'array', items: { type: 'integer', minimum: 0, maximum: 9 }, minItems: 1, uniqueItems: true },
          { const: 'shuffled' },
        ],
        description: 'Order in which classes are split into tasks, or "shuffled"',
      },
    },
  },
  create(spec, rng) {
    const data = loadDataset(spec);
    const setting = spec.setting ?? 'task-incremental';
    const perTask = spec.classesPerTask ?? 2;
    const order = spec.classOrder === 'shuffled'
      ? Array.from(rng.fork('class-order').permutation(data.numClasses))
      : [...(spec.classOrder ?? Array.from({ length: data.numClasses }, (_, c) => c))];
    if (order.length % perTask !== 0) {
      throw new ClbenchError(`stream.classOrder has ${order.length} classes, not a multiple of stream.classesPerTask (${perTask})`);
    }
    const T = order.length / perTask;
    const pixels = data.rows * data.cols;
    const describe = (t: number): Task => {
      const classes = order.slice(t * perTask, (t + 1) * perTask);
      const taskRng = rng.fork(`task-${t}`);
      const trainIdx = indicesOfClasses(data.train.labels, classes, taskRng, spec.trainPerTask);
      const testIdx = indicesOfClasses(data.test.labels, classes, taskRng, spec.testPerTask);
      const relabel = setting === 'class-incremental' ? (c: number) => c : (c: number) => classes.indexOf(c);
      return {
        index: t,
        id: `classes-${classes.join('-')}`,
        classes,
        ...(setting === 'class-incremental' ? { taskOutputs: classes } : {}),
        train: () => gatherSplit(data, 'train', trainIdx, undefined, relabel),
        test: () => gatherSplit(data, 'test', testIdx, undefined, relabel),
      };
    };
    return {
      info: {
        type: 'split-mnist', numTasks: T, inputShape: [pixels],
        outputSize: setting === 'class-incremental' ? data.numClasses : perTask,
        heads: setting === 'task-incremental' ? T : 1,
        kind: 'classification',
        description: `${data.name} split into ${T} tasks of ${perTask} classes (${setting})`,
      },
      tasks: () => lazyTasks(T, describe),
    };
  },
};

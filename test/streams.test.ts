import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { permutedMnist } from '../src/streams/tasks/permuted-mnist.js';
import { rotatedMnist } from '../src/streams/tasks/rotated-mnist.js';
import { splitMnist } from '../src/streams/tasks/split-mnist.js';
import type { TaskStream } from '../src/streams/types.js';
import { Rng } from '../src/util/rng.js';

const tasksOf = (stream: TaskStream) => lastValueFrom(stream.tasks().pipe(toArray()));

describe('rotated-mnist', () => {
  it('draws task t’s angle from [180t/T, 180(t+1)/T) and is reproducible', async () => {
    const spec = { type: 'rotated-mnist', tasks: 20, trainPerTask: 10, testPerTask: 10 };
    const tasks = await tasksOf(rotatedMnist.create(spec, new Rng(7)));
    expect(tasks).toHaveLength(20);
    tasks.forEach((task, t) => {
      const angle = task.info!.angle as number;
      expect(angle).toBeGreaterThanOrEqual(9 * t);
      expect(angle).toBeLessThan(9 * (t + 1));
    });
    const again = await tasksOf(rotatedMnist.create(spec, new Rng(7)));
    expect(again[3].train().x).toEqual(tasks[3].train().x);
    const other = await tasksOf(rotatedMnist.create(spec, new Rng(8)));
    expect(other[3].info!.angle).not.toBe(tasks[3].info!.angle);
  });

  it('materialises splits only when asked', async () => {
    const stream = rotatedMnist.create({ type: 'rotated-mnist', tasks: 3, trainPerTask: 5, testPerTask: 5 }, new Rng(0));
    const [first] = await tasksOf(stream);
    const split = first.train();
    expect(split.n).toBe(5);
    expect(split.x).toHaveLength(5 * 784);
    expect(Math.max(...split.x)).toBeLessThanOrEqual(1);
    expect(split.inputShape).toEqual([784]);
  });

  it('with interpolation "nearest" copies source pixels (multiples of 1/255); bilinear blends them', async () => {
    const spec = { type: 'rotated-mnist', tasks: 2, trainPerTask: 5, testPerTask: 5 };
    const onGrid = (x: Float32Array) => x.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-3);
    const [, nearest] = await tasksOf(rotatedMnist.create({ ...spec, interpolation: 'nearest' }, new Rng(0)));
    const [, bilinear] = await tasksOf(rotatedMnist.create(spec, new Rng(0)));
    expect(nearest.info!.angle).toBe(bilinear.info!.angle);
    expect(onGrid(nearest.train().x)).toBe(true);
    expect(onGrid(bilinear.train().x)).toBe(false);
  });

  it('takes explicit angles, one per task, with the same images as drawn angles', async () => {
    const spec = { type: 'rotated-mnist', tasks: 3, trainPerTask: 5, testPerTask: 5 };
    const fixed = await tasksOf(rotatedMnist.create({ ...spec, angles: [0, 80, 160] }, new Rng(0)));
    expect(fixed.map((t) => t.info!.angle)).toEqual([0, 80, 160]);
    expect(fixed.map((t) => t.id)).toEqual(['rotation-0.0deg', 'rotation-80.0deg', 'rotation-160.0deg']);
    // 0°: the images themselves; the image draws do not depend on the angles given.
    const [drawn] = await tasksOf(rotatedMnist.create(spec, new Rng(0)));
    expect(fixed[0].train().y).toEqual(drawn.train().y);
    expect(() => rotatedMnist.create({ ...spec, angles: [0, 80] }, new Rng(0))).toThrow(/stream\.angles: 2 angles given for stream\.tasks = 3/);
  });
});

describe('rotated-mnist, DER setting', () => {
  it('angleSampling "uniform" draws every task from the whole range, not from its stratum', async () => {
    const spec = { type: 'rotated-mnist', tasks: 20, trainPerTask: 5, testPerTask: 5 };
    const angles = (tasks: { info?: Readonly<Record<string, unknown>> }[]) => tasks.map((t) => t.info!.angle as number);
    const uniform = angles(await tasksOf(rotatedMnist.create({ ...spec, angleSampling: 'uniform' }, new Rng(7))));
    for (const a of uniform) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThan(180);
    }
    // Stratified draws are increasing by construction; 20 independent uniform draws almost surely are not.
    const outsideStratum = uniform.filter((a, t) => a < 9 * t || a >= 9 * (t + 1));
    expect(outsideStratum.length).toBeGreaterThan(10);
    // The default is unchanged: the same angles as an explicit "stratified".
    const byDefault = angles(await tasksOf(rotatedMnist.create(spec, new Rng(7))));
    const stratified = angles(await tasksOf(rotatedMnist.create({ ...spec, angleSampling: 'stratified' }, new Rng(7))));
    expect(stratified).toEqual(byDefault);
  });

  it('without trainPerTask/testPerTask a task is the full 60 000 / 10 000 images, for rotations and permutations', async () => {
    const [rotated] = await tasksOf(rotatedMnist.create({ type: 'rotated-mnist', tasks: 1, angleSampling: 'uniform', interpolation: 'nearest' }, new Rng(0)));
    const [permuted] = await tasksOf(permutedMnist.create({ type: 'permuted-mnist', tasks: 1 }, new Rng(0)));
    for (const task of [rotated, permuted]) {
      const train = task.train();
      expect(train.n).toBe(60000);
      expect(train.x).toHaveLength(60000 * 784);
      // Every training image once: the label counts are MNIST's own.
      const counts = new Array<number>(10).fill(0);
      for (const label of train.y) counts[label]++;
      expect(counts[1]).toBe(6742);
      expect(task.test().n).toBe(10000);
    }
  });
});

describe('permuted-mnist', () => {
  it('applies one fixed permutation per task to train and test alike', async () => {
    const stream = permutedMnist.create({ type: 'permuted-mnist', tasks: 2, trainPerTask: 50, testPerTask: 50 }, new Rng(1));
    const [a, b] = await tasksOf(stream);
    const pixelMass = (x: Float32Array) => {
      const mass = new Float64Array(784);
      for (let i = 0; i < x.length; i++) mass[i % 784] += x[i];
      return mass;
    };
    // The permutation moves the (normally empty) border pixels into the middle: the mass profiles differ.
    expect(pixelMass(a.train().x)).not.toEqual(pixelMass(b.train().x));
    // Total ink per image is unchanged by a permutation.
    const ink = (x: Float32Array) => x.slice(0, 784).reduce((s, v) => s + v, 0);
    expect(ink(a.test().x)).toBeGreaterThan(10);
  });
});

describe('split-mnist', () => {
  it('task-incremental: one head per task, labels renumbered within the task', async () => {
    const stream = splitMnist.create({ type: 'split-mnist', setting: 'task-incremental', trainPerTask: 100, testPerTask: 50 }, new Rng(0));
    expect(stream.info.numTasks).toBe(5);
    expect(stream.info.heads).toBe(5);
    expect(stream.info.outputSize).toBe(2);
    const tasks = await tasksOf(stream);
    expect(tasks.map((t) => t.classes)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
    const labels = new Set(tasks[2].train().y);
    expect([...labels].sort()).toEqual([0, 1]);
  });

  it('class-incremental: one shared head over all classes, original labels', async () => {
    const stream = splitMnist.create(
      { type: 'split-mnist', setting: 'class-incremental', classesPerTask: 5, trainPerTask: 100, testPerTask: 50 },
      new Rng(0),
    );
    expect(stream.info.heads).toBe(1);
    expect(stream.info.outputSize).toBe(10);
    const tasks = await tasksOf(stream);
    expect(new Set(tasks[1].test().y)).toEqual(new Set([5, 6, 7, 8, 9]));
  });

  it('rejects a class order that does not divide into tasks', () => {
    expect(() => splitMnist.create({ type: 'split-mnist', classesPerTask: 3, classOrder: [0, 1, 2, 3] }, new Rng(0))).toThrow(
      /stream.classOrder has 4 classes, not a multiple of stream.classesPerTask \(3\)/,
    );
  });
});

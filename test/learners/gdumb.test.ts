import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { gdumbLearningRate } from '../../src/learners/gdumb.js';
import { classIncrementalAccuracy } from './class-incremental.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('gdumb learner', () => {
  it('refits under a warm-up epoch then SGDR with cycles of 1, 2, 4 epochs', () => {
    const [max, min] = [0.05, 0.0005];
    const half = (max - min) / 2;
    const expected = [
      max / 10, // warm-up
      max, // epoch 1: set to maxLr
      max, // first scheduler step: a restart (cycle of 1 epoch done)
      min + half * (1 + Math.cos(Math.PI / 2)), // halfway through the 2-epoch cycle
      max, // restart, 4-epoch cycle
      min + half * (1 + Math.cos(Math.PI / 4)),
      min + half * (1 + Math.cos(Math.PI / 2)),
      min + half * (1 + Math.cos((3 * Math.PI) / 4)),
      max, // restart, 8-epoch cycle
    ];
    expected.forEach((lr, epoch) => expect(gdumbLearningRate(epoch, max, min), `epoch ${epoch}`).toBeCloseTo(lr, 10));
  });

  it('a model trained on the balanced memory alone beats naive on the class-incremental split', async () => {
    const acc = await classIncrementalAccuracy([{ type: 'gdumb', memorySize: 200, epochs: 10 }], backend);
    expect(acc.gdumb).toBeGreaterThan(acc.naive + 0.4);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { forgettingOnTwoTasks } from './two-task.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

describe('joint, incremental', () => {
  it('steps like fine-tuning on the first task, then mixes in every earlier task and forgets far less', async () => {
    const result = await forgettingOnTwoTasks([{ type: 'joint', name: 'incremental', incremental: true, lr: 0.1 }], backend);
    // Same seed, same init, same batches, no earlier task: exactly naive's first-task score.
    expect(result.incremental.before).toBe(result.naive.before);
    expect(result.incremental.drop).toBeLessThan(result.naive.drop / 2);
    expect(result.incremental.learned).toBeGreaterThan(0.7);
  }, 60_000);
});

import { concat, lastValueFrom, takeWhile, throwError, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import { ModelLearner } from '../../src/learners/base/model-learner.js';
import { learners } from '../../src/learners/registry.js';
import type { Batch, LearnerEntry } from '../../src/learners/types.js';
import type { RunEvent, TrainStepEvent } from '../../src/events/run-events.js';
import { runOne } from '../../src/runner/run-one.js';
import { runAndCollect } from '../../src/runner/run-plan.js';
import { previewStream, runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { lazyTasks } from '../../src/streams/lazy-tasks.js';
import { streams } from '../../src/streams/registry.js';
import type { StreamEntry, StreamSpec } from '../../src/streams/stream-entry.js';
import type { Split, Task } from '../../src/streams/types.js';
import type { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/scenario.js';

/** Two Gaussian blobs per task, their centres moving with the task index: a learnable 2-class problem. */
function blobs(rng: Rng, n: number, t: number): Split {
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const centre = (y[i] === 0 ? -1 : 1) * (1 + 0.1 * t);
    x[2 * i] = centre + 0.3 * rng.normal();
    x[2 * i + 1] = 0.3 * rng.normal();
  }
  return { x, y, n, inputShape: [2] };
}

interface EndlessSpec extends StreamSpec {
  /** The stream fails after giving this many tasks (absent: never). */
  readonly failAfter?: number;
}

/** Tasks described so far, by every endless stream: shows how far the generator was pulled. */
let described = 0;

const endless: StreamEntry<EndlessSpec> = {
  type: 'endless-blobs',
  description: 'test stream without end',
  options: { type: 'object', properties: { failAfter: { type: 'integer', minimum: 0 } } },
  create(spec, rng) {
    const describe = (t: number): Task => {
      described++;
      const taskRng = rng.fork(`task-${t}`);
      return { index: t, id: `blobs-${t}`, train: () => blobs(taskRng.fork('train'), 40, t), test: () => blobs(taskRng.fork('test'), 20, t) };
    };
    const tasks = () =>
      spec.failAfter === undefined
        ? lazyTasks(Infinity, describe)
        : concat(lazyTasks(spec.failAfter, describe), throwError(() => new Error('the task source went away')));
    return {
      info: { type: 'endless-blobs', numTasks: Infinity, inputShape: [2], outputSize: 2, heads: 1, kind: 'classification', description: 'endless blobs' },
      tasks,
    };
  },
};

/** Counts the batches it is given. */
let observed = 0;
class Counting extends ModelLearner {
  observe(batch: Batch): number {
    observed++;
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }
}
const counting: LearnerEntry<{ lr: number }> = {
  type: 'counting',
  description: 'test learner that counts its batches',
  options: { type: 'object', properties: { lr: { type: 'number' } }, required: ['lr'] },
  create: (options) => new Counting(options),
};

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('cpu');
  if (!streams.has(endless.type)) streams.register(endless as StreamEntry);
  if (!learners.has(counting.type)) learners.register(counting as LearnerEntry);
});

function plan(stream: Record<string, unknown>, protocol: Record<string, unknown> = {}) {
  const scenario = resolveScenario({
    name: 'flowing',
    stream: { type: 'endless-blobs', ...stream },
    model: { type: 'mlp', hidden: [8] },
    protocol: { batchSize: 10, lcaBeta: 1, shuffle: false, ...protocol },
    learners: [{ type: 'counting', lr: 0.1 }],
    seeds: [0],
  });
  return { scenario, learner: scenario.learners[0], seed: 0 };
}

describe('an endless stream', () => {
  it('runs bounded by protocol.maxTasks, scoring the tasks seen so far, and the generator is pulled no further', async () => {
    described = 0;
    const record = await runAndCollect(plan({}, { maxTasks: 3 }));
    expect(record.status).toBe('completed');
    expect(described).toBe(3);
    const R = record.accuracyMatrix;
    expect(R).toHaveLength(3);
    // Row i holds tasks 0..i; later tasks had not arrived yet.
    R.forEach((row, i) => row.forEach((v, j) => expect(v === null, `R[${i}][${j}]`).toBe(j > i)));
    // Nothing was seen before training, so the untrained row b is unknown, and FWT with it.
    expect(record.baseline.every((v) => v === null)).toBe(true);
    expect(record.metrics.FWT).toBeNull();
    expect(record.metrics.ACC).toBeGreaterThan(0.8);
  });

  it('is refused without a bound, naming the setting', async () => {
    await expect(runAndCollect(plan({}))).rejects.toThrow(/endless.*protocol\.maxTasks/);
    const events = await lastValueFrom(runOne(plan({})).pipe(toArray()));
    expect(events[events.length - 1]).toMatchObject({ type: 'run-end', status: 'failed', error: expect.stringMatching(/protocol\.maxTasks/) });
  });
});

describe('the check before any run', () => {
  it('builds the first task only, and a result takes its task labels from what the runs saw', async () => {
    described = 0;
    const preview = await previewStream(plan({}, { maxTasks: 500 }).scenario);
    expect(described).toBe(1);
    expect(preview.runTasks).toBe(500);
    described = 0;
    const result = await runScenario(plan({}, { maxTasks: 2 }).scenario, { outDir: tempDir(), backend });
    expect(described).toBe(3); // the preview's first task, then the run's two
    expect(result.taskIds).toEqual(['blobs-0', 'blobs-1']);
  });
});

describe('a stream that fails mid-way', () => {
  it('ends the run as failed with the stream’s error, keeping the tasks finished before it', async () => {
    const record = await runAndCollect(plan({ failAfter: 2 }, { maxTasks: 4 }));
    expect(record.status).toBe('failed');
    expect(record.error).toBe('the task source went away');
    expect(record.accuracyMatrix[1].slice(0, 2).every((v) => v !== null)).toBe(true);
    expect(record.accuracyMatrix[2].every((v) => v === null)).toBe(true);
  });
});

describe('cancelling a run', () => {
  const isStep = (e: RunEvent, task: number, batch: number) => e.type === 'train-step' && e.task === task && e.batchInTask === batch;

  it('by its abort signal stops within the step and keeps the partial result, marked cancelled', async () => {
    const abort = new AbortController();
    const steps: TrainStepEvent[] = [];
    observed = 0;
    const record = await runAndCollect(plan({}, { maxTasks: 3 }), {
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'train-step') steps.push(e);
        if (isStep(e, 1, 2)) abort.abort();
      },
    });
    expect(record.status).toBe('cancelled');
    // Task 0 has 4 batches; task 1 stopped right after its second.
    expect(observed).toBe(6);
    expect(steps[steps.length - 1]).toMatchObject({ task: 1, batchInTask: 2 });
    expect(record.accuracyMatrix[0].every((v, j) => (j === 0) === (v !== null))).toBe(true);
    expect(record.accuracyMatrix[1].every((v) => v === null)).toBe(true);
  });

  it('by unsubscribing stops the learner within the step', async () => {
    observed = 0;
    await lastValueFrom(runOne(plan({}, { maxTasks: 3 })).pipe(takeWhile((e) => !isStep(e, 1, 1))), { defaultValue: undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(observed).toBe(5);
  });
});

describe('cancelling a meta-learning run', () => {
  it('stops between meta-iterations, skips the final evaluation, and keeps what was done, marked cancelled', async () => {
    const scenario = resolveScenario({
      name: 'flowing-meta',
      stream: { type: 'sine', shots: 5, testQueries: 20 },
      model: { type: 'mlp', hidden: [20] },
      protocol: { kind: 'meta', metaIterations: 10, metaBatch: 2, evalEpisodes: 4, adaptSteps: 2 },
      learners: [{ type: 'maml', innerLr: 0.01 }],
      seeds: [0],
    });
    const abort = new AbortController();
    const events: RunEvent[] = [];
    const record = await runAndCollect({ scenario, learner: scenario.learners[0], seed: 0 }, {
      signal: abort.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'meta-step' && e.iteration === 3) abort.abort();
      },
    });
    expect(record.status).toBe('cancelled');
    expect(events.filter((e) => e.type === 'meta-step')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'adapt-eval')).toHaveLength(0);
  });
});

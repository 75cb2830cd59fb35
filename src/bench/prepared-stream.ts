import { map } from 'rxjs';
import type { Registries } from '../scenario/registries.js';
import { createStream } from '../runner/factories.js';
import type { Scenario } from '../scenario/types.js';
import type { StreamEntry } from '../streams/stream-entry.js';
import type { Split, Task, TaskStream } from '../streams/types.js';
import { Registry } from '../util/registry.js';

/** `task` with its splits computed now, so reading them later costs nothing. */
function computed(task: Task): Task {
  const train: Split = task.train();
  const test: Split = task.test();
  return { ...task, train: () => train, test: () => test };
}

/** A stream whose splits are computed on one pass ahead of time (kept by task index) and served from memory after. */
async function materialise(stream: TaskStream): Promise<TaskStream> {
  const ready = new Map<number, Task>();
  await stream.tasks().forEach((task) => ready.set(task.index, computed(task)));
  return { info: stream.info, tasks: () => stream.tasks().pipe(map((task) => ready.get(task.index) ?? computed(task))) };
}

/**
 * Registries whose stream of `scenario.stream.type` hands out data prepared in advance, so a
 * timed run measures training and evaluation only, as the PyTorch reference does (it rotates
 * every image before starting its clock). Everything else is the product's own registries.
 */
export async function withPreparedStream(scenario: Scenario, seed: number, regs: Registries): Promise<Registries> {
  const prepared = await materialise(createStream(scenario, seed, regs));
  const original = regs.streams.get(scenario.stream.type);
  const streams = new Registry<StreamEntry>('stream');
  streams.register({ ...original, create: () => prepared });
  return { ...regs, streams };
}

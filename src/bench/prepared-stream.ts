import { lastValueFrom, of, toArray } from 'rxjs';
import type { Registries } from '../runner/registries.js';
import { createStream } from '../runner/run-one.js';
import type { Scenario } from '../scenario/types.js';
import type { StreamEntry } from '../streams/stream-entry.js';
import type { Split, Task, TaskStream } from '../streams/types.js';
import { Registry } from '../util/registry.js';

/** A stream whose splits were all computed already: reading them costs nothing. */
async function materialise(stream: TaskStream): Promise<TaskStream> {
  const tasks = await lastValueFrom(stream.tasks().pipe(toArray()));
  const ready: Task[] = tasks.map((task) => {
    const train: Split = task.train();
    const test: Split = task.test();
    return { ...task, train: () => train, test: () => test };
  });
  return { info: stream.info, tasks: () => of(...ready) };
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

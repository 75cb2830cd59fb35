import { Registry } from '../util/registry.js';
import type { StreamEntry } from './stream-entry.js';
import { permutedMnist } from './tasks/permuted-mnist.js';
import { rotatedMnist } from './tasks/rotated-mnist.js';
import { splitMnist } from './tasks/split-mnist.js';

/** Every task stream a scenario can name. Register your own with `streams.register(entry)`. */
export const streams = new Registry<StreamEntry>('stream');
for (const entry of [rotatedMnist, permutedMnist, splitMnist]) streams.register(entry as unknown as StreamEntry);

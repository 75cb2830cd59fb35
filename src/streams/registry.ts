import { Registry } from '../util/registry.js';
import type { StreamEntry } from './stream-entry.js';
import { blurredStreamEntry } from './operators/blurred-stream.js';
import { fewShot } from './tasks/few-shot.js';
import { incrementalSine } from './tasks/incremental-sine.js';
import { permutedMnist } from './tasks/permuted-mnist.js';
import { rotatedMnist } from './tasks/rotated-mnist.js';
import { sine } from './tasks/sine.js';
import { splitMnist } from './tasks/split-mnist.js';

/** Every task stream a scenario can name. Register your own with `streams.register(entry)`. */
export const streams = new Registry<StreamEntry>('stream');

// MNIST-format continual streams.
streams.register(rotatedMnist as StreamEntry);
streams.register(permutedMnist as StreamEntry);
streams.register(splitMnist as StreamEntry);

// Task distributions for meta-learning (issue #4): also usable as continual streams.
streams.register(sine as StreamEntry);
streams.register(fewShot as StreamEntry);

// Meta-continual streams (issue #5).
streams.register(incrementalSine as StreamEntry);
// Any stream above (or registered later) with blurred task boundaries.
streams.register(blurredStreamEntry(streams) as StreamEntry);

import { Registry } from '../util/registry.js';
import { conv4Entry } from './conv4.js';
import { mlpEntry } from './mlp.js';
import type { ModelEntry } from './types.js';

/** Every network a scenario can name. */
export const models = new Registry<ModelEntry>('model');
models.register(mlpEntry);
// The few-shot Conv-4 (issue #4).
models.register(conv4Entry);

import { Registry } from '../util/registry.js';
import { mlpEntry } from './mlp.js';
import type { ModelEntry } from './types.js';

/** Every network a scenario can name. */
export const models = new Registry<ModelEntry>('model');
models.register(mlpEntry);

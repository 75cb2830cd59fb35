import { learners } from '../learners/registry.js';
import { models } from '../models/registry.js';
import { streams } from '../streams/registry.js';

/** The registries a run resolves names against (swappable in tests). */
export const registries = { streams, models, learners };
export type Registries = typeof registries;

import { Registry } from '../util/registry.js';
import { independentEntry } from './independent.js';
import { jointEntry } from './joint.js';
import { naiveEntry } from './naive.js';
import type { LearnerEntry } from './types.js';

/** Every learner a scenario can name. Register your own with `learners.register(entry)`. */
export const learners = new Registry<LearnerEntry>('learner');

// Baselines (spine).
learners.register(naiveEntry);
learners.register(jointEntry);
learners.register(independentEntry);

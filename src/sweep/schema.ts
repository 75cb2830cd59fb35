import { seedListSchema } from '../scenario/limits.js';
import type { JsonSchema } from '../util/registry.js';

/**
 * The scenario's optional `sweep` key: grids of learner options and a list of seeds, expanded by
 * `clbench sweep` into concrete runs. Each grid point is validated later as a normal learner spec.
 */
export const sweepSchema: JsonSchema = {
  type: 'object',
  description: 'Grids of learner options and seeds expanded by `clbench sweep` (ignored by `clbench run`)',
  properties: {
    learners: {
      type: 'object',
      description: 'learner label → option → list of values to try; every combination becomes one learner',
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        additionalProperties: { type: 'array', minItems: 1 },
      },
    },
    seeds: { ...seedListSchema, description: 'Seeds of the sweep (default: the scenario’s)' },
  },
  additionalProperties: false,
};

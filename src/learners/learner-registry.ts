import { withDefaults } from '../util/options.js';
import { Registry } from '../util/registry.js';
import type { Learner, LearnerEntry } from './types.js';

/**
 * The learners' registry. It stores each entry with a `create` that first checks the options
 * against the entry's schema and fills in the schema's defaults, so a learner built by name (from
 * a scenario, a test or a plug-in) always gets complete options, and its code reads each option
 * without a fallback of its own.
 */
export class LearnerRegistry extends Registry<LearnerEntry> {
  constructor() {
    super('learner');
  }

  override register(entry: LearnerEntry): LearnerEntry {
    const where = `learner ${entry.type}`;
    return super.register({ ...entry, create: (options) => entry.create(withDefaults<never>(entry.options, options, where)) });
  }

  /** A new learner of a registered type, its options completed with the schema's defaults. */
  create(type: string, options: Readonly<Record<string, unknown>>): Learner {
    return this.get(type).create(options as never);
  }
}

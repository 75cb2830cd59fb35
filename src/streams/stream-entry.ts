import type { RegistryEntry } from '../util/registry.js';
import type { Rng } from '../util/rng.js';
import type { TaskStream } from './types.js';

export interface StreamSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}

export interface StreamEntry<S extends StreamSpec = StreamSpec> extends RegistryEntry {
  /** Builds the stream; all its random choices come from `rng`. Loading data may throw ClbenchError. */
  create(spec: S, rng: Rng): TaskStream;
}

import { ClbenchError } from './errors.js';

/** A JSON Schema object describing one piece's options (ajv draft-07 subset). */
export type JsonSchema = Record<string, unknown>;

export interface RegistryEntry {
  /** The name scenarios use, e.g. "rotated-mnist" or "naive". */
  readonly type: string;
  readonly description: string;
  /** JSON Schema of the options object, without the `type` key (added by the scenario schema). */
  readonly options: JsonSchema;
}

/**
 * A name → piece map. Streams, models, learners and metrics each have one; adding a piece
 * (inside the package or from a user's own file) is one `register` call.
 */
export class Registry<E extends RegistryEntry> {
  private readonly entries = new Map<string, E>();

  constructor(readonly kind: string) {}

  register(entry: E): E {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(entry.type)) {
      throw new ClbenchError(`${this.kind} name '${entry.type}' must be letters, digits and dashes`);
    }
    if (this.entries.has(entry.type)) {
      throw new ClbenchError(`a ${this.kind} named '${entry.type}' is already registered`);
    }
    this.entries.set(entry.type, entry);
    return entry;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  get(type: string): E {
    const entry = this.entries.get(type);
    if (!entry) {
      throw new ClbenchError(`unknown ${this.kind} '${type}'; known: ${this.names().join(', ')}`);
    }
    return entry;
  }

  /** Names in registration order (built-ins first, in a meaningful order). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): E[] {
    return this.names().map((n) => this.entries.get(n)!);
  }
}

import { ClbenchError } from '../../util/errors.js';
import type { JsonSchema, Registry } from '../../util/registry.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import { blurBoundaries } from './blur-boundaries.js';

export interface BlurredSpec extends StreamSpec {
  /** The stream whose task boundaries are blurred: any registered stream with its options. */
  readonly of: StreamSpec;
  readonly width: number;
}

/** The schema of any registered stream but `except`, closed and with defaults, as the scenario schema states it. */
function anyStreamSchema(registry: Registry<StreamEntry>, except: string): JsonSchema {
  const entries = registry.list().filter((e) => e.type !== except);
  return {
    type: 'object',
    properties: { type: { enum: entries.map((e) => e.type) } },
    required: ['type'],
    allOf: entries.map((entry) => {
      const own = entry.options as { properties?: Record<string, JsonSchema>; required?: string[] };
      return {
        if: { properties: { type: { const: entry.type } }, required: ['type'] },
        then: {
          type: 'object',
          properties: { ...(own.properties ?? {}), type: { const: entry.type } },
          required: ['type', ...(own.required ?? [])],
          additionalProperties: false,
        },
      };
    }),
  };
}

/**
 * The `blurred` stream: another stream (`of`) whose task boundaries are blurred by the
 * blurBoundaries operator. A wrapper, so it works with any stream, registered ones included;
 * its schema is built from the registry when the scenario schema is, so `of` is validated (and
 * given its defaults) exactly like a top-level stream.
 */
export function blurredStreamEntry(registry: Registry<StreamEntry>): StreamEntry<BlurredSpec> {
  const type = 'blurred';
  return {
    type,
    description: 'Any stream with blurred task boundaries: neighbouring tasks trade examples near each boundary (use with protocol.shuffle false)',
    get options(): JsonSchema {
      return {
        type: 'object',
        properties: {
          of: { ...anyStreamSchema(registry, type), description: 'The stream to blur (any stream spec)' },
          width: { type: 'integer', minimum: 1, description: 'Examples on each side of a boundary that may trade places' },
        },
        required: ['of', 'width'],
      };
    },
    create(spec, rng) {
      if (spec.of.type === type) throw new ClbenchError('stream.of: a blurred stream cannot wrap another blurred stream');
      // The same generator as unwrapped, so `of` draws exactly the data it would on its own.
      const inner = registry.get(spec.of.type).create(spec.of, rng);
      if (inner.info.heads > 1) {
        throw new ClbenchError(`stream.of: '${spec.of.type}' gives one head per task; blurred boundaries need a shared head (labels of traded examples would meet the wrong head)`);
      }
      return {
        info: { ...inner.info, type, description: `${inner.info.description}; boundaries blurred over ±${spec.width} examples` },
        tasks: () => inner.tasks().pipe(blurBoundaries({ width: spec.width }, rng.fork('blur'))),
      };
    },
  };
}

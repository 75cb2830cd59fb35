import { Ajv, type ValidateFunction } from 'ajv';
import { ClbenchError } from './errors.js';
import type { JsonSchema } from './registry.js';

// One validator per schema object, compiled on first use: a registry entry's schema never changes.
const ajv = new Ajv({ useDefaults: true, strict: false, allErrors: true });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * A copy of `options` checked against a piece's options schema and completed with the schema's
 * `default`s: the schema is the one statement of each default, and this (like the scenario
 * loader, which validates the same schemas) is where it is applied. A ClbenchError names `where`
 * (e.g. "learner ewc") and each field at fault, as `field` plus its path (e.g. "metaTraining.stream.tasks").
 */
export function withDefaults<T>(schema: JsonSchema, options: unknown, where: string, field = ''): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const copy = structuredClone(options ?? {});
  if (!validate(copy)) {
    const problems = (validate.errors ?? []).map((e) => {
      const path = `${field}${e.instancePath.replace(/\//g, '.')}`.replace(/^\./, '');
      return `${path || 'options'} ${e.message}`;
    });
    throw new ClbenchError(`${where}: ${problems.join('; ')}`);
  }
  return copy as T;
}

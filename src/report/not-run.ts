import { Ajv, type JSONSchemaType } from 'ajv';
import { formatAjvError } from '../scenario/format-errors.js';
import { ClbenchError } from '../util/errors.js';
import { readJsonFile } from './load-results.js';

/**
 * Why a reproduction, or some of its learners, has no run in this checkout (reproductions/not-run.json).
 * The page shows the reason where the runs would be, so "not run" never stands unexplained; a
 * statement that runs have since made stale is refused when the page is built.
 */
export interface NotRunStatement {
  readonly scenario: string;
  /** The learners (labels) it covers; absent: the whole scenario, which then has no record. */
  readonly learners?: readonly string[];
  readonly why: string;
}

const schema: JSONSchemaType<NotRunStatement[]> = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['scenario', 'why'],
    properties: {
      scenario: { type: 'string', minLength: 1 },
      learners: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true, nullable: true },
      why: { type: 'string', minLength: 1 },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);

export function readNotRun(file: string): NotRunStatement[] {
  const value = readJsonFile(file);
  if (!validate(value)) {
    throw new ClbenchError(`${file}: invalid not-run statements (a list of { scenario, learners?, why }):\n  ${(validate.errors ?? []).map((e) => formatAjvError(e)).join('\n  ')}`);
  }
  const seen = new Set<string>();
  for (const [i, s] of value.entries()) {
    for (const key of (s.learners ?? ['*']).map((l) => `${s.scenario}\0${l}`)) {
      if (seen.has(key)) throw new ClbenchError(`${file}: [${i}]: ${s.scenario}${s.learners ? ` ${key.split('\0')[1]}` : ''} is already covered by an earlier statement`);
      seen.add(key);
    }
  }
  return value;
}

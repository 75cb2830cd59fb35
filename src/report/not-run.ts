import { Ajv, type JSONSchemaType, type ValidateFunction } from 'ajv';
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

// Compiled on first use: every `clbench` command imports this module, few read statements.
let validator: ValidateFunction<NotRunStatement[]> | undefined;

export function readNotRun(file: string): NotRunStatement[] {
  const value = readJsonFile(file);
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  if (!validator(value)) {
    throw new ClbenchError(`${file}: invalid not-run statements (a list of { scenario, learners?, why }):\n  ${(validator.errors ?? []).map((e) => formatAjvError(e)).join('\n  ')}`);
  }
  const seen = new Set<string>();
  for (const [i, s] of value.entries()) {
    // A whole-scenario statement is keyed by the scenario alone.
    for (const learner of s.learners ?? [null]) {
      const key = `${s.scenario}\0${learner ?? ''}`;
      if (seen.has(key)) throw new ClbenchError(`${file}: [${i}]: ${s.scenario}${learner ? ` ${learner}` : ''} is already covered by an earlier statement`);
      seen.add(key);
    }
  }
  return value;
}

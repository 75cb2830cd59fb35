import { readFileSync, statSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { LearnerSpec } from '../learners/types.js';
import { type Registries, registries as defaultRegistries } from './registries.js';
import { ClbenchError } from '../util/errors.js';
import { formatAjvError } from './format-errors.js';
import { LIMITS } from '../util/limits.js';
import { checkJsonShape } from './limits.js';
import { applyOverrides } from './overrides.js';
import { checkReferenceLearners, scenarioSchema } from './schema.js';
import { type Scenario, learnerLabel } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else (arrays included) is replaced. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

/** Applies a scenario's `quick` block: the minutes-long version of a long reproduction. */
export function applyQuick(raw: Json): Json {
  const { quick, ...rest } = raw;
  if (!isObject(quick)) return rest;
  const { learners: learnerOverrides, ...others } = quick;
  let merged = deepMerge(rest, others);
  if (Array.isArray(learnerOverrides)) merged = { ...merged, learners: learnerOverrides };
  else if (isObject(learnerOverrides) && Array.isArray(merged.learners)) {
    const labels = new Set((merged.learners as Json[]).map((l) => String(l.name ?? l.type)));
    for (const label of Object.keys(learnerOverrides)) {
      if (!labels.has(label)) throw new ClbenchError(`quick.learners.${label}: no learner has this label; labels: ${[...labels].join(', ')}`);
    }
    merged.learners = (merged.learners as Json[]).map((l) => {
      const override = learnerOverrides[String(l.name ?? l.type)];
      return isObject(override) ? deepMerge(l, override) : l;
    });
  }
  return merged;
}

const validators = new WeakMap<Registries, { validate: ValidateFunction; schema: Json }>();

/** Compiled once per registry set; re-compiled if pieces were registered since. */
function validatorFor(regs: Registries): { validate: ValidateFunction; schema: Json } {
  const schema = scenarioSchema(regs) as Json;
  const cached = validators.get(regs);
  if (cached && JSON.stringify(cached.schema) === JSON.stringify(schema)) return cached;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
  const compiled = { validate: ajv.compile(schema), schema };
  validators.set(regs, compiled);
  return compiled;
}

/** The property names a schema location allows, for "unknown field" errors. */
function allowedAt(schema: Json, schemaPath: string): string[] | undefined {
  let node: unknown = schema;
  for (const part of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return isObject(node) && isObject(node.properties) ? Object.keys(node.properties) : undefined;
}

function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // "must match then schema" only repeats the errors found inside the branch.
  const useful = errors.filter((e) => e.keyword !== 'if');
  // A wrong `type` makes every branch irrelevant: report the enum alone for that object.
  const badTypes = useful.filter((e) => e.keyword === 'enum' && e.instancePath.endsWith('/type')).map((e) => e.instancePath.slice(0, -5));
  return useful.filter((e) => e.keyword === 'enum' || !badTypes.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)));
}

export interface ScenarioOptions {
  /** Apply the scenario's `quick` block. */
  readonly quick?: boolean;
  /** `PATH=VALUE` overrides (the CLI's --set), applied after `quick` and validated with the rest. */
  readonly set?: readonly string[];
}

/**
 * Validates a parsed scenario and fills in its defaults. `source` names the file in messages.
 * Throws a ClbenchError listing every problem, each with its JSON path.
 */
export function resolveScenario(raw: unknown, options: ScenarioOptions & { source?: string } = {}, regs: Registries = defaultRegistries): Scenario {
  const where = options.source ? `${options.source}: ` : '';
  if (!isObject(raw)) throw new ClbenchError(`${where}a scenario must be a JSON object`);
  checkJsonShape(raw, where);
  const withQuick = options.quick ? applyQuick(raw) : (({ quick: _q, ...rest }) => rest)(raw);
  const data = applyOverrides(withQuick, options.set ?? []);
  if (options.set?.length) checkJsonShape(data, where); // an override is bounded like the file
  if (isObject(data.model) && data.model.type === undefined) data.model.type = 'mlp';
  if (options.quick && isObject(raw.quick)) data.quick = raw.quick; // validated too, so its typos surface
  const { validate, schema } = validatorFor(regs);
  if (!validate(data)) {
    const lines = relevantErrors(validate.errors ?? []).map((e) => formatAjvError(e, (p) => allowedAt(schema, p)));
    throw new ClbenchError(`${where}invalid scenario:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  delete data.quick;
  const scenario = data as unknown as Scenario;
  checkLearners(scenario.learners, scenario.protocol.taskFree, where, regs);
  return scenario;
}

function checkLearners(list: readonly LearnerSpec[], taskFree: boolean, where: string, regs: Registries): void {
  const seen = new Map<string, number>();
  list.forEach((spec, i) => {
    const label = learnerLabel(spec);
    const first = seen.get(label);
    if (first !== undefined) {
      throw new ClbenchError(`${where}learners[${i}]: the label '${label}' is already used by learners[${first}]; give one a distinct "name"`);
    }
    seen.set(label, i);
    if (taskFree && regs.learners.get(spec.type).requiresTaskLabels) {
      throw new ClbenchError(`${where}learners[${i}].type: '${spec.type}' needs task ids and boundaries, but protocol.taskFree is true`);
    }
  });
}

/** Reads, parses and validates a scenario file. */
export function loadScenario(path: string, options: ScenarioOptions = {}, regs: Registries = defaultRegistries): Scenario {
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > LIMITS.maxScenarioBytes) {
      throw new ClbenchError(`${path}: ${bytes} bytes; a scenario file may have at most ${LIMITS.maxScenarioBytes}`);
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ClbenchError) throw err;
    throw new ClbenchError(`cannot read scenario ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    // Editors on Windows may save a byte-order mark; it is not JSON but says nothing wrong.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ClbenchError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  const scenario = resolveScenario(raw, { ...options, source: path }, regs);
  // Here, not in resolveScenario: sweeps resolve one learner at a time. The file's own learners
  // count even where a `quick` list replaces them.
  const unknown = checkReferenceLearners(scenario.reference, [...(isObject(raw) && Array.isArray(raw.learners) ? raw.learners : []), ...scenario.learners]);
  if (unknown.length > 0) throw new ClbenchError(`${path}: invalid scenario:\n  ${unknown.join('\n  ')}`);
  return scenario;
}

import type { ErrorObject } from 'ajv';

/** "/learners/1/lr" → "learners[1].lr" — the way people write paths into JSON. */
export function jsonPath(instancePath: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function at(path: string, child?: string): string {
  const full = child === undefined ? path : path ? `${path}.${child}` : child;
  return full || '(top level)';
}

function value(data: unknown): string {
  const text = JSON.stringify(data);
  return text === undefined ? String(data) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Where a type may come from a plug-in: the values there are the registry's names. */
const PLUGGABLE_TYPE = /^(learners\[\d+\]|stream|model)\.type$/;

/** A name that no registry knows is often a plug-in left out of the command line. */
function pluginHint(path: string): string {
  const kind = path.startsWith('learners') ? 'learner' : path.startsWith('stream') ? 'stream' : 'model';
  return `; it is not built in: if it is your own ${kind}, load the file that registers it with --plugin (e.g. --plugin my-${kind}.ts)`;
}

/** One readable line per ajv error, naming the field and the allowed values. */
export function formatAjvError(error: ErrorObject, allowedProperties?: (schemaPath: string) => string[] | undefined): string {
  const path = jsonPath(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `${at(path)}: ${value(error.data)} is not allowed; choose one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${PLUGGABLE_TYPE.test(path) ? pluginHint(path) : ''}`;
    case 'const':
      return `${at(path)}: must be ${JSON.stringify(p.allowedValue)} (got ${value(error.data)})`;
    case 'additionalProperties': {
      const allowed = allowedProperties?.(error.schemaPath);
      return `${at(path, String(p.additionalProperty))}: unknown field${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}`;
    }
    case 'required':
      return `${at(path, String(p.missingProperty))}: is required`;
    case 'type':
      return `${at(path)}: must be ${String(p.type)} (got ${value(error.data)})`;
    default:
      return `${at(path)}: ${error.message ?? 'is invalid'}${error.data !== undefined && typeof error.data !== 'object' ? ` (got ${value(error.data)})` : ''}`;
  }
}

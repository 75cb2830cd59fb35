import { ClbenchError } from '../util/errors.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `PATH=VALUE` split: the path at dots, the value as JSON when it parses (10, true, [0,1]), else as a string. */
export function parseOverride(text: string): { path: string[]; value: unknown } {
  const eq = text.indexOf('=');
  const path = eq > 0 ? text.slice(0, eq).split('.') : [];
  if (path.length === 0 || path.some((p) => p === '')) {
    throw new ClbenchError(`--set ${text}: expected PATH=VALUE, e.g. learners.ewc.lambda=10 or protocol.batchSize=32`);
  }
  const raw = text.slice(eq + 1);
  try {
    return { path, value: JSON.parse(raw) };
  } catch {
    return { path, value: raw };
  }
}

/** The learner a `learners.X` segment names: its label (name, else type) or its index. */
function learnerIndex(list: unknown[], segment: string, text: string): number {
  const labels = list.map((l) => (isObject(l) ? String(l.name ?? l.type) : ''));
  const byLabel = labels.indexOf(segment);
  if (byLabel >= 0) return byLabel;
  if (/^\d+$/.test(segment) && Number(segment) < list.length) return Number(segment);
  throw new ClbenchError(`--set ${text}: no learner labelled '${segment}'; the scenario has: ${labels.join(', ')}`);
}

/**
 * Applies `--set PATH=VALUE` overrides to a parsed scenario (before validation, so the scenario
 * schema checks the result like any file). Objects along the path are created when missing;
 * under `learners` a segment names a learner by label or index.
 */
export function applyOverrides(raw: Json, overrides: readonly string[]): Json {
  const out = structuredClone(raw);
  for (const text of overrides) {
    const { path, value } = parseOverride(text);
    let node: Json | unknown[] = out;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      let key: string | number = segment;
      if (Array.isArray(node)) {
        key = i === 1 && path[0] === 'learners' ? learnerIndex(node, segment, text) : Number(segment);
        if (!Number.isInteger(key) || key < 0 || key >= node.length) {
          throw new ClbenchError(`--set ${text}: '${path.slice(0, i).join('.')}' is a list of ${node.length}; '${segment}' is not an index in it`);
        }
      }
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[key] = value;
        return;
      }
      if (container[key] === undefined) container[key] = {};
      const next = container[key];
      if (!isObject(next) && !Array.isArray(next)) {
        throw new ClbenchError(`--set ${text}: '${path.slice(0, i + 1).join('.')}' is ${JSON.stringify(next)}, not an object`);
      }
      node = next;
    });
  }
  return out;
}

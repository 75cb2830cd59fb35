import { createHash } from 'node:crypto';
import type { LearnerSpec } from '../learners/types.js';
import type { Scenario } from '../scenario/types.js';

/** Bumped if what goes into an identity ever changes, so old and new ids never collide. */
const IDENTITY_VERSION = 1;

/** JSON with object keys sorted at every level: equal data gives equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/**
 * The parts of a resolved scenario that shape a run's numbers (and its name, which groups runs in
 * the store). Descriptions, references and the other learners and seeds are left out.
 */
export function scenarioCore(scenario: Scenario): Record<string, unknown> {
  const { name, stream, model, protocol, metrics } = scenario;
  return { name, stream, model, protocol, metrics };
}

/** Identifies a scenario's settings in the store: runs of one scenario hash share stream and metrics. */
export function scenarioHash(scenario: Scenario): string {
  return digest({ v: IDENTITY_VERSION, scenario: scenarioCore(scenario) });
}

/**
 * A run's identity: a stable hash of the resolved scenario, the learner (type, label and every
 * option, defaults included), the seed and the backend. Reruns of a sweep find completed runs by it.
 */
export function runIdentity(scenario: Scenario, learner: LearnerSpec, seed: number, backend: string): string {
  return digest({ v: IDENTITY_VERSION, scenario: scenarioCore(scenario), learner, seed, backend });
}

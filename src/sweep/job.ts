import { BACKENDS, type BackendName } from '../backend/select.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';
import { resolveScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { ClbenchError } from '../util/errors.js';
import { runIdentity } from './identity.js';

/**
 * What a worker (child process or remote machine) receives for one run: plain, validated scenario
 * data naming registered pieces by type. Never code: a custom learner must be installed where it runs.
 */
export interface RunJob {
  readonly v: 1;
  readonly id: string;
  /** One learner, one seed. */
  readonly scenario: Scenario;
  readonly backend: BackendName;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(piece: unknown): string | undefined {
  return isObject(piece) && typeof piece.type === 'string' ? piece.type : undefined;
}

/**
 * Validates a job that arrived from elsewhere (IPC or the queue): its shape, that every piece it
 * names is registered here, that its scenario passes the schema, and that it resolves to the same
 * identity the sweep computed (else this worker would compute different numbers).
 */
export function checkJob(data: unknown, regs: Registries = defaultRegistries): RunJob {
  if (!isObject(data) || data.v !== 1 || typeof data.id !== 'string' || !isObject(data.scenario) || typeof data.backend !== 'string') {
    throw new ClbenchError('malformed run job: expected {v: 1, id, scenario, backend} (is the sweep running a different clbench version?)');
  }
  const { id, backend } = data;
  const raw = data.scenario;
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new ClbenchError(`run ${id}: unknown backend '${backend}'; choose one of: ${BACKENDS.join(', ')}`);
  }
  const learnerList = Array.isArray(raw.learners) ? raw.learners : [];
  if (learnerList.length !== 1 || !Array.isArray(raw.seeds) || raw.seeds.length !== 1) {
    throw new ClbenchError(`run ${id}: a job must name exactly one learner and one seed`);
  }
  const pieces: [string, unknown, { has(t: string): boolean; names(): string[] }][] = [
    ['learner', learnerList[0], regs.learners],
    ['stream', raw.stream, regs.streams],
    ['model', raw.model, regs.models],
  ];
  for (const [kind, piece, registry] of pieces) {
    const type = typeOf(piece);
    if (type === undefined || !registry.has(type)) {
      throw new ClbenchError(
        `run ${id}: ${kind} '${String(type)}' is not installed on this worker (known: ${registry.names().join(', ')}); ` +
          `a custom ${kind} must be loaded with --plugin on every worker`,
      );
    }
  }
  const scenario = resolveScenario(raw, { source: `run ${id}` }, regs);
  const again = runIdentity(scenario, scenario.learners[0], scenario.seeds[0], backend);
  if (again !== id) {
    throw new ClbenchError(
      `run ${id}: this worker resolves the run differently (identity ${again}); run the same clbench version (and plugins) as the sweep`,
    );
  }
  return { v: 1, id, scenario, backend: backend as BackendName };
}

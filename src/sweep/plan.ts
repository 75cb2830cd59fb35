import type { BackendName } from '../backend/select.js';
import type { LearnerSpec } from '../learners/types.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';
import { type StreamPreview, previewStream } from '../runner/run-scenario.js';
import { type Scenario, learnerLabel } from '../scenario/types.js';
import { runIdentity, scenarioHash } from './identity.js';

/** One concrete run of a sweep. */
export interface PlannedRun {
  readonly id: string;
  readonly label: string;
  readonly learner: LearnerSpec;
  readonly seed: number;
  /** The scenario narrowed to this run: what a worker receives (data only, no code). */
  readonly scenario: Scenario;
}

export interface SweepPlan {
  /** The expanded scenario (grid points as learners, the sweep's seeds). */
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  readonly backend: BackendName;
  readonly preview: StreamPreview;
  /** learners × seeds, learner-major, as `clbench run` orders them. */
  readonly runs: readonly PlannedRun[];
}

/** The scenario a single run needs: its learner and seed, without display-only keys. */
export function singleRunScenario(scenario: Scenario, learner: LearnerSpec, seed: number): Scenario {
  const { name, description, stream, model, protocol, metrics } = scenario;
  return { name, ...(description !== undefined ? { description } : {}), stream, model, protocol, learners: [learner], seeds: [seed], metrics };
}

/**
 * Lists the runs of an expanded scenario with their identities. Builds the stream once first, so
 * missing data fails here rather than in every run.
 */
export async function planSweep(scenario: Scenario, backend: BackendName, regs: Registries = defaultRegistries): Promise<SweepPlan> {
  const preview = await previewStream(scenario, regs);
  const runs = scenario.learners.flatMap((learner) =>
    scenario.seeds.map((seed) => ({
      id: runIdentity(scenario, learner, seed, backend),
      label: learnerLabel(learner),
      learner,
      seed,
      scenario: singleRunScenario(scenario, learner, seed),
    })),
  );
  return { scenario, scenarioHash: scenarioHash(scenario), backend, preview, runs };
}

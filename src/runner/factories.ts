import type { Learner, LearnerSpec } from '../learners/types.js';
import type { FunctionalModel } from '../models/types.js';
import { type Scenario, learnerOptions } from '../scenario/types.js';
import { type EpisodeStream, isTaskDistribution } from '../streams/episodes.js';
import type { StreamInfo, TaskStream } from '../streams/types.js';
import { ClbenchError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { type Registries, registries as defaultRegistries } from '../scenario/registries.js';

/** The stream a run sees: seeded by the run's seed unless the scenario pins `stream.seed`. */
export function createStream(scenario: Scenario, seed: number, regs: Registries = defaultRegistries): TaskStream {
  const pinned = scenario.stream.seed;
  const rng = typeof pinned === 'number' ? new Rng(pinned) : new Rng(seed).fork('stream');
  return regs.streams.get(scenario.stream.type).create(scenario.stream, rng);
}

/** The scenario's stream as a task distribution; a ClbenchError naming the stream if it is not one. */
export function createTaskDistribution(scenario: Scenario, seed: number, regs: Registries): EpisodeStream {
  const stream = createStream(scenario, seed, regs);
  if (!isTaskDistribution(stream)) {
    throw new ClbenchError(
      `stream '${scenario.stream.type}' is a task stream, not a task distribution: protocol.kind "meta" needs ` +
        'a stream of episodes such as "sine" or "few-shot"',
    );
  }
  return stream;
}

/** The scenario's model, shaped for the stream. */
export function createModel(scenario: Scenario, info: StreamInfo, regs: Registries): FunctionalModel {
  return regs.models.get(scenario.model.type).create(scenario.model, info);
}

/**
 * A new learner of the spec's type with its options, not set up yet: the caller sets it up and
 * disposes it. `streamBatch` is the driver's (how the stream is cut), not the learner's.
 */
export function createLearner(spec: LearnerSpec, regs: Registries): Learner {
  const { streamBatch: _driverOnly, ...options } = learnerOptions(spec);
  return regs.learners.create(spec.type, options);
}

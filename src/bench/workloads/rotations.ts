import { fileURLToPath } from 'node:url';
import { type Registries, registries as productRegistries } from '../../scenario/registries.js';
import type { BenchWorkload, WorkloadOptions, WorkloadResult } from '../types.js';
import { merStepCount } from '../../learners/continual-meta/mer.js';
import type { Gem } from '../../learners/gem.js';
import { LearnerRegistry } from '../../learners/learner-registry.js';
import { runAndCollect } from '../../runner/run-plan.js';
import { loadScenario } from '../../scenario/load.js';
import { learnerLabel } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';
import { withPreparedStream } from '../prepared-stream.js';
import { ROTATIONS_STREAM, runContinual } from './continual.js';

/** Why a learner-backed workload cannot run yet, or undefined when its learner is registered. */
async function needs(learner: string, issue: string): Promise<string | undefined> {
  return productRegistries.learners.has(learner) ? undefined : `learner '${learner}' is not registered yet (issue ${issue})`;
}

export const rotationsNaive: BenchWorkload = {
  name: 'rotations-naive',
  model: 'mlp',
  description: '20 MNIST rotations, MLP 784-100-100-10, plain SGD lr 0.003, batch 10; evaluate all 20 test sets after each task',
  unavailable: async () => undefined,
  torchArgs: () => ['rotations-naive'],
  run: ({ seed }) => runContinual({ learner: { type: 'naive', lr: 0.003 }, seed }),
};

export const rotationsEr: BenchWorkload = {
  name: 'rotations-er',
  model: 'mlp',
  description: 'rotations-naive with lr 0.1 and reservoir replay of 5120 examples: 10 incoming + 10 replayed per step',
  unavailable: () => needs('er', '#3'),
  torchArgs: () => ['rotations-er'],
  run: ({ seed }) => runContinual({ learner: { type: 'er', lr: 0.1, memorySize: 5120, replayBatch: 10, buffer: 'reservoir' }, seed }),
};

/** The GEM paper's rotations scenario, as shipped (src/ and dist/ are both three levels below the root). */
const GEM_ROTATIONS = fileURLToPath(new URL('../../../scenarios/gem-mnist-rotations.json', import.meta.url));

/** The product registries, except that every `gem` learner created is also handed to `created`. */
function registriesRecordingGem(created: (gem: Gem) => void): Registries {
  const learners = new LearnerRegistry();
  for (const entry of productRegistries.learners.list()) {
    learners.register(entry.type !== 'gem' ? entry : {
      ...entry,
      create: (options: never) => {
        const learner = entry.create(options);
        created(learner as Gem);
        return learner;
      },
    });
  }
  return { ...productRegistries, learners };
}

/**
 * Every learner of scenarios/gem-mnist-rotations.json for one seed, in this process, through
 * runAndCollect on data prepared in advance. Per learner: its run's wall time (training and every
 * evaluation, the untrained-model baseline included) and ACC; for GEM also where its time went,
 * from the learner's own timers (Gem.stats): the QP solver and the passes over past memories.
 */
async function runGemRotations(seed: number): Promise<WorkloadResult> {
  const gems: Gem[] = [];
  const regs = registriesRecordingGem((g) => gems.push(g));
  const scenario = { ...loadScenario(GEM_ROTATIONS, {}, regs), seeds: [seed] };
  const prepared = await withPreparedStream(scenario, seed, regs);
  const quality: Record<string, number> = {};
  const extra: Record<string, number> = {};
  let wallSeconds = 0;
  const cpuAtStart = process.cpuUsage();
  for (const learner of scenario.learners) {
    const label = learnerLabel(learner);
    const record = await runAndCollect({ scenario, learner, seed }, { registries: prepared });
    if (record.status !== 'completed') throw new ClbenchError(`bench gem: ${label} ended ${record.status}${record.error ? `: ${record.error}` : ''}`);
    wallSeconds += record.wallSeconds;
    extra[`${label}_wall_s`] = record.wallSeconds;
    if (typeof record.metrics.ACC === 'number') quality[`${label}_ACC`] = record.metrics.ACC;
    if (learner.type !== 'gem') continue;
    const timing = gems[0]?.stats;
    if (gems.length !== 1 || !timing) throw new ClbenchError(`bench gem: expected one instance of ${label}, recorded ${gems.length}`);
    Object.assign(extra, {
      [`${label}_qp_share`]: timing.qpSeconds / record.wallSeconds,
      [`${label}_memory_grad_share`]: timing.memoryGradientSeconds / record.wallSeconds,
      [`${label}_qp_s`]: timing.qpSeconds,
      [`${label}_memory_grad_s`]: timing.memoryGradientSeconds,
      [`${label}_projected_steps`]: timing.projections,
      [`${label}_steps`]: timing.steps,
    });
    gems.length = 0;
  }
  const cpu = process.cpuUsage(cpuAtStart);
  return { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, quality, extra };
}

/** GEM (issue #3): gem-mnist-rotations with one seed. The reference has no GEM, so this one has no ratio. */
export const gem: BenchWorkload = {
  name: 'gem',
  model: 'mlp',
  description: 'every learner of scenarios/gem-mnist-rotations.json, one seed: wall time and ACC each, GEM’s QP and memory-gradient shares of its run',
  unavailable: () => needs('gem', '#3'),
  torchArgs: () => undefined,
  run: ({ seed }) => runGemRotations(seed),
};

/** MER's 500-memory setting on rotations, as the reference runs it (lr .1, β .01, γ 1, k−1 = 10, s = 10). */
const MER_OPTIONS = { lr: 0.1, beta: 0.01, gamma: 1, replay: 10, steps: 10, memorySize: 500 };

/** MER (issue #5), Algorithm 1 with its 500-memory setting, one example at a time. */
export const rotationsMer: BenchWorkload = {
  name: 'rotations-mer',
  model: 'mlp',
  description: 'MER Algorithm 1 (lr .1, β .01, γ 1, k−1 = 10, s = 10, 500 memories), one example at a time',
  unavailable: () => needs('mer', '#5'),
  torchArgs: ({ limit }: WorkloadOptions) => ['rotations-mer', ...(limit === undefined ? [] : ['--limit', String(limit)])],
  run: async ({ seed, limit }) => {
    const perTask = limit ?? ROTATIONS_STREAM.trainPerTask;
    const result = await runContinual({
      learner: { type: 'mer', ...MER_OPTIONS },
      seed,
      protocol: { batchSize: 1 },
      // rotated-mnist draws a task's images as the first n of one permutation: a smaller
      // trainPerTask keeps the same first `limit` images (and the same test images).
      ...(limit === undefined ? {} : { stream: { ...ROTATIONS_STREAM, trainPerTask: limit } }),
    });
    // The reference reports its step count; divided by wall_s it gives the sequential step rate.
    return { ...result, extra: { sgd_steps: merStepCount(ROTATIONS_STREAM.tasks * perTask, MER_OPTIONS) } };
  },
};

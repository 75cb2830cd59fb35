import { ClbenchError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { type Episode, type EpisodeStream, episodeStream } from '../episodes.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import type { Split } from '../types.js';
import { LIMITS } from '../../scenario/limits.js';

export interface SineSpec extends StreamSpec {
  readonly amplitude?: readonly [number, number];
  readonly phase?: readonly [number, number];
  readonly xRange?: readonly [number, number];
  /** K: support points per episode. */
  readonly shots?: number;
  /** Query points per meta-training episode (default: shots). */
  readonly queries?: number;
  /** Query points per meta-test episode. */
  readonly testQueries?: number;
  /** Length of the continual view (tasks()). */
  readonly tasks?: number;
}

const range = (description: string, fallback: [number, number]) => ({
  type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: fallback, description,
});

/** `n` points of y = a·sin(x − φ) with x drawn uniformly from `xRange`. */
function sinePoints(rng: Rng, n: number, amplitude: number, phase: number, [low, high]: readonly [number, number]): Split {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform(low, high);
    y[i] = amplitude * Math.sin(x[i] - phase);
  }
  return { x, y, n, inputShape: [1] };
}

function checkRange(name: string, [low, high]: readonly [number, number]): void {
  if (!(low <= high)) throw new ClbenchError(`stream.${name} must be [low, high] with low ≤ high, got [${low}, ${high}]`);
}

/**
 * Sine regression (MAML, Finn et al. 2017): each task is y = a·sin(x − φ) with amplitude a,
 * phase φ and inputs x drawn uniformly from their ranges; K support and Q query points.
 */
export const sine: StreamEntry<SineSpec> = {
  type: 'sine',
  description: 'Sine-wave regression tasks (MAML): amplitude U[0.1, 5], phase U[0, π], x U[−5, 5], K support and Q query points',
  options: {
    type: 'object',
    properties: {
      amplitude: range('Amplitude range [low, high]', [0.1, 5]),
      phase: range('Phase range [low, high] in radians', [0, Math.PI]),
      xRange: range('Input range [low, high]', [-5, 5]),
      shots: { type: 'integer', minimum: 1, default: 10, description: 'K: support points per episode' },
      queries: { type: 'integer', minimum: 1, description: 'Query points per meta-training episode (default: shots)' },
      testQueries: { type: 'integer', minimum: 1, default: 100, description: 'Query points per meta-test episode' },
      tasks: { type: 'integer', minimum: 1, maximum: LIMITS.maxTasks, default: 10, description: 'Tasks in the continual view (protocol.kind "continual")' },
    },
  },
  create: (spec, rng) => createSine(spec, rng),
};

/** The sine task distribution (typed as one, unlike the registry entry's create). */
export function createSine(spec: SineSpec, rng: Rng): EpisodeStream {
  const amplitude = spec.amplitude ?? [0.1, 5];
  const phase = spec.phase ?? [0, Math.PI];
  const xRange = spec.xRange ?? [-5, 5];
  for (const [name, r] of [['amplitude', amplitude], ['phase', phase], ['xRange', xRange]] as const) checkRange(name, r);
  const shots = spec.shots ?? 10;
  const queries = spec.queries ?? shots;
  const testQueries = spec.testQueries ?? 100;
  const sampler = (querySize: number) => (episodeRng: Rng, index: number): Episode => {
    const a = episodeRng.uniform(amplitude[0], amplitude[1]);
    const p = episodeRng.uniform(phase[0], phase[1]);
    return {
      index,
      id: `sine-a${a.toFixed(2)}-p${p.toFixed(2)}`,
      info: { amplitude: a, phase: p },
      // fork() does not advance episodeRng: each call draws the same points again.
      train: () => sinePoints(episodeRng.fork('support'), shots, a, p, xRange),
      test: () => sinePoints(episodeRng.fork('query'), querySize, a, p, xRange),
    };
  };
  return episodeStream(
    {
      type: 'sine', numTasks: spec.tasks ?? 10, inputShape: [1], outputSize: 1, heads: 1, kind: 'regression',
      description: `sine regression, amplitude [${amplitude.join(', ')}], phase [${phase.map((v) => v.toFixed(2)).join(', ')}], ` +
        `${shots}-shot, ${queries} query (${testQueries} at meta-test)`,
      supportSize: shots, querySize: queries, testQuerySize: testQueries,
    },
    rng,
    { metaTrain: sampler(queries), metaTest: sampler(testQueries) },
  );
}

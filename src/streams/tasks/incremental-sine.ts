import { defer, from } from 'rxjs';
import { ClbenchError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import type { StreamEntry, StreamSpec } from '../stream-entry.js';
import type { Split, Task } from '../types.js';
import { LIMITS, seedSchema } from '../../scenario/limits.js';

export interface IncrementalSineSpec extends StreamSpec {
  /** Functions per trajectory (tasks). */
  readonly tasks?: number;
  readonly trainPerTask?: number;
  readonly testPerTask?: number;
  readonly amplitude?: readonly [number, number];
  readonly phase?: readonly [number, number];
  readonly xRange?: readonly [number, number];
  /** Draw the functions from a fixed pool of this many (OML meta-trains on 400), not afresh. */
  readonly pool?: number;
  /** Seed of the pool's functions (the same pool for every run). */
  readonly poolSeed?: number;
}

interface SineFunction {
  readonly amplitude: number;
  readonly phase: number;
}

const range = (description: string, fallback: [number, number]) => ({
  type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: fallback, description,
});

/** n points of function `f`, input (z, one-hot of the task's position among `tasks`). */
function points(rng: Rng, n: number, f: SineFunction, position: number, tasks: number, [low, high]: readonly [number, number]): Split {
  const width = 1 + tasks;
  const x = new Float32Array(n * width);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = rng.uniform(low, high);
    x[i * width] = z;
    x[i * width + 1 + position] = 1;
    y[i] = f.amplitude * Math.sin(z - f.phase);
  }
  return { x, y, n, inputShape: [width] };
}

/**
 * OML's incremental sine regression (Javed & White 2019): a trajectory of `tasks` sine functions
 * y = a·sin(z − φ) learned one after another; the input is z with a one-hot code of the function's
 * position in the trajectory, so one network must keep every function apart. Task t is function t.
 */
export const incrementalSine: StreamEntry<IncrementalSineSpec> = {
  type: 'incremental-sine',
  description: 'OML incremental sine: a trajectory of sine functions learned in turn; input (z, one-hot function id), MSE',
  options: {
    type: 'object',
    properties: {
      tasks: { type: 'integer', minimum: 1, maximum: LIMITS.maxTasks, default: 10, description: 'Functions in the trajectory' },
      trainPerTask: { type: 'integer', minimum: 1, default: 320, description: 'Training points per function (OML: 40 minibatches of 8)' },
      testPerTask: { type: 'integer', minimum: 1, default: 100, description: 'Test points per function' },
      amplitude: range('Amplitude range [low, high]', [0.1, 5]),
      phase: range('Phase range [low, high] in radians', [0, Math.PI]),
      xRange: range('Input range [low, high]', [-5, 5]),
      pool: { type: 'integer', minimum: 1, description: 'Draw the functions from a fixed pool of this many (OML meta-training: 400)' },
      poolSeed: { ...seedSchema, default: 0, description: 'Seed of the pool (the same pool in every run)' },
    },
  },
  create(spec, rng) {
    const T = spec.tasks ?? 10;
    const nTrain = spec.trainPerTask ?? 320;
    const nTest = spec.testPerTask ?? 100;
    const amplitude = spec.amplitude ?? [0.1, 5];
    const phase = spec.phase ?? [0, Math.PI];
    const xRange = spec.xRange ?? [-5, 5];
    const draw = (r: Rng): SineFunction => ({ amplitude: r.uniform(amplitude[0], amplitude[1]), phase: r.uniform(phase[0], phase[1]) });
    let functions: SineFunction[];
    if (spec.pool !== undefined) {
      if (spec.pool < T) throw new ClbenchError(`stream.pool is ${spec.pool}, fewer than the ${T} functions of a trajectory (stream.tasks)`);
      const poolRng = new Rng(spec.poolSeed ?? 0);
      const pool = Array.from({ length: spec.pool }, () => draw(poolRng));
      functions = Array.from(rng.fork('pool-choice').sample(spec.pool, T), (i) => pool[i]);
    } else {
      const fnRng = rng.fork('functions');
      functions = Array.from({ length: T }, () => draw(fnRng));
    }
    const describe = (t: number): Task => {
      const f = functions[t];
      const taskRng = rng.fork(`task-${t}`);
      return {
        index: t,
        id: `sine-${t}-a${f.amplitude.toFixed(2)}-p${f.phase.toFixed(2)}`,
        info: { ...f },
        // fork() does not advance taskRng: each call draws the same points again.
        train: () => points(taskRng.fork('train'), nTrain, f, t, T, xRange),
        test: () => points(taskRng.fork('test'), nTest, f, t, T, xRange),
      };
    };
    return {
      info: {
        type: 'incremental-sine', numTasks: T, inputShape: [1 + T], outputSize: 1, heads: 1, kind: 'regression',
        description: `incremental sine: ${T} functions in turn, ${nTrain} train / ${nTest} test points each${spec.pool ? `, from a pool of ${spec.pool}` : ''}`,
      },
      tasks: () => defer(() => from(Array.from({ length: T }, (_, t) => describe(t)))),
    };
  },
};

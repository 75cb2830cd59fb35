import { ClbenchError } from '../../util/errors.js';
import type { BenchWorkload } from '../types.js';
import { fewShotConv4 } from './few-shot-conv4.js';
import { mamlSine } from './maml-sine-entry.js';
import { gem, rotationsEr, rotationsMer, rotationsNaive } from './rotations.js';
import { splitDerpp } from './split-derpp.js';

/** Every benchmark workload, in the order `clbench bench` runs them by default. */
export const WORKLOADS: readonly BenchWorkload[] = [rotationsNaive, rotationsEr, mamlSine, gem, rotationsMer, fewShotConv4, splitDerpp];

/** The workloads run when none is named: the three with a ratio target. */
export const DEFAULT_WORKLOADS = ['rotations-naive', 'rotations-er', 'maml-sine'];

export function workloadNamed(name: string): BenchWorkload {
  const found = WORKLOADS.find((w) => w.name === name);
  if (!found) throw new ClbenchError(`unknown workload '${name}'; choose from: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  return found;
}

import type { LearnerSpec } from '../learners/types.js';
import { type Registries, registries as defaultRegistries } from '../runner/registries.js';
import { resolveScenario } from '../scenario/load.js';
import { type Scenario, learnerLabel } from '../scenario/types.js';
import { ClbenchError } from '../util/errors.js';

type Grid = Readonly<Record<string, readonly unknown[]>>;

/** Every combination of the grid's values, keys in the grid's order. */
function gridPoints(grid: Grid): Record<string, unknown>[] {
  return Object.entries(grid).reduce<Record<string, unknown>[]>(
    (points, [option, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [option]: value }))),
    [{}],
  );
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The label of one grid point, e.g. `naive[lr=0.01,optimizer=adam]`. */
export function gridPointLabel(label: string, point: Record<string, unknown>): string {
  return `${label}[${Object.entries(point).map(([k, v]) => `${k}=${formatValue(v)}`).join(',')}]`;
}

function checkGrid(scenario: Scenario): Readonly<Record<string, Grid>> {
  const grids = scenario.sweep?.learners ?? {};
  const labels = scenario.learners.map(learnerLabel);
  for (const [label, grid] of Object.entries(grids)) {
    if (!labels.includes(label)) {
      throw new ClbenchError(`sweep.learners.${label}: no learner has this label; labels: ${labels.join(', ')}`);
    }
    for (const key of ['type', 'name']) {
      if (key in grid) throw new ClbenchError(`sweep.learners.${label}.${key}: cannot be swept; list the variants under "learners" instead`);
    }
  }
  return grids;
}

/** How many runs a sweep expands to, computed without expanding it (so huge grids are cheap to refuse). */
export function countSweepRuns(scenario: Scenario): number {
  const grids = checkGrid(scenario);
  const seeds = (scenario.sweep?.seeds ?? scenario.seeds).length;
  const learners = scenario.learners.reduce((n, spec) => {
    const grid = grids[learnerLabel(spec)];
    return n + (grid ? Object.values(grid).reduce((m, values) => m * values.length, 1) : 1);
  }, 0);
  return learners * seeds;
}

/**
 * Expands a scenario's `sweep` grids into concrete learners (one per grid point, labelled by its
 * values) and its seeds. Every grid point is validated as a normal learner spec, with its defaults
 * filled in, so the result is an ordinary scenario that `clbench run` could run too.
 */
export function expandSweep(scenario: Scenario, regs: Registries = defaultRegistries): Scenario {
  const grids = checkGrid(scenario);
  const { sweep, ...base } = scenario;
  const validated = (spec: LearnerSpec, where: string): LearnerSpec => {
    try {
      return resolveScenario({ ...base, learners: [spec] }, {}, regs).learners[0];
    } catch (err) {
      if (!(err instanceof ClbenchError)) throw err;
      throw new ClbenchError(`${where}: ${err.message.replace(/^invalid scenario:\n\s*/, '').replace(/learners\[0\]\.?/g, '')}`, { cause: err });
    }
  };
  // Where each expanded learner came from, so that a clash names the file's entries, not the expansion's.
  const origins = new Map<string, string>();
  const learners = scenario.learners.flatMap((spec, i) => {
    const label = learnerLabel(spec);
    const grid = grids[label];
    const expanded = grid
      ? gridPoints(grid).map((point) => {
          const name = gridPointLabel(label, point);
          return { spec: validated({ ...spec, ...point, name }, `sweep.learners.${label}: grid point ${name}`), origin: `a grid point of learners[${i}] ('${label}')` };
        })
      : [{ spec, origin: `learners[${i}]` }];
    for (const { spec: one, origin } of expanded) {
      const clash = origins.get(learnerLabel(one));
      if (clash) throw new ClbenchError(`sweep: the label '${learnerLabel(one)}' of ${origin} is also the label of ${clash}; rename one`);
      origins.set(learnerLabel(one), origin);
    }
    return expanded.map((e) => e.spec);
  });
  return resolveScenario({ ...base, learners, seeds: sweep?.seeds ?? scenario.seeds }, {}, regs);
}

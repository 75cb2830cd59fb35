import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadResults } from '../../report/load-results.js';
import {
  type CurrentScenario,
  DEFAULT_TOLERANCES,
  buildReproductions,
  orderingCounts,
  parseTolerance,
  renderReproductions,
  verdictCounts,
} from '../../report/reproductions.js';
import { loadScenario } from '../../scenario/load.js';
import { ClbenchError } from '../../util/errors.js';

interface ReproductionsFlags {
  out: string;
  tolerance: string[];
  notes?: string;
  scenarios: string;
}

/**
 * `<dir>/<name>.json`, validated, when it exists and is that scenario: its reference block (paper
 * values, orderings) is newer than the one recorded in results of runs started before it changed.
 */
function currentScenarios(dir: string): (name: string) => CurrentScenario | undefined {
  const cache = new Map<string, CurrentScenario | undefined>();
  return (name) => {
    if (!cache.has(name)) {
      const file = join(dir, `${name}.json`);
      const scenario = existsSync(file) ? loadScenario(file) : undefined;
      cache.set(name, scenario?.name === name ? { file, scenario } : undefined);
    }
    return cache.get(name);
  };
}

export function registerReproductions(program: Command): void {
  program
    .command('reproductions <results...>')
    .description('write the paper-vs-ours reproduction table (docs/reproductions.md) from result.json files or folders')
    .option('--out <file>', 'markdown file to write', 'docs/reproductions.md')
    .option('--tolerance <rules...>', 'allowed |ours − paper| per metric: METRIC=VALUE or SCENARIO:METRIC=VALUE', [...DEFAULT_TOLERANCES])
    .option('--notes <file>', 'markdown appended under "Notes" (the investigation of the gaps)')
    .option('--scenarios <dir>', 'read each scenario’s reference block (paper values, orderings) from <dir>/<name>.json when it exists', 'scenarios')
    .action((paths: string[], flags: ReproductionsFlags) => {
      const rules = flags.tolerance.map(parseTolerance);
      let notes: { file: string; text: string } | undefined;
      if (flags.notes) {
        try {
          notes = { file: flags.notes, text: readFileSync(flags.notes, 'utf8') };
        } catch (err) {
          throw new ClbenchError(`--notes: cannot read ${flags.notes}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      const all = buildReproductions(loadResults(paths), rules, { currentScenario: currentScenarios(flags.scenarios) });
      // Rebuilt from the parsed options (defaults spelled out), so the page states exactly how it was made.
      const regenerate = [
        'clbench reproductions', ...paths, '--out', flags.out, '--tolerance', ...flags.tolerance,
        ...(flags.notes ? ['--notes', flags.notes] : []), '--scenarios', flags.scenarios,
      ].join(' ');
      mkdirSync(dirname(flags.out), { recursive: true });
      writeFileSync(flags.out, renderReproductions(all, { command: regenerate, rules, ...(notes ? { notes } : {}) }));
      const c = verdictCounts(all);
      const o = orderingCounts(all);
      process.stderr.write(
        `wrote ${flags.out}: ${c.within} rows within tolerance, ${c.outside} outside, ${c.untested} not judged, ${c['not run']} not run; ` +
          `orderings: ${o.holds} hold, ${o.fails} fail, ${o['not run']} not run\n`,
      );
    });
}

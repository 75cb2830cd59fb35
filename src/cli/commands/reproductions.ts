import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { displayPath, loadResults } from '../../report/load-results.js';
import { absolutePaths } from '../../report/records/from-result.js';
import { readNotRun } from '../../report/not-run.js';
import { loadRecords } from '../../report/records/read.js';
import { writeRecords } from '../../report/records/write.js';
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
import { commaList } from '../comma-list.js';

/** Where `clbench reproductions` reads records and `record` writes them. */
export const RECORDS_DIR = 'reproductions/records';

interface ReproductionsFlags {
  out: string;
  tolerance: string[];
  notes?: string;
  notRun?: string;
  scenarios: string;
  check?: boolean;
}

interface RecordFlags {
  into: string;
  name?: string;
  root?: string;
  learners?: string;
  except?: string;
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

/** The reproductions among `<dir>/*.json`: the scenarios with a reference block (a paper to compare with). */
function reproductionScenarios(dir: string, current: (name: string) => CurrentScenario | undefined): CurrentScenario[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => current(f.slice(0, -'.json'.length)))
    .filter((c): c is CurrentScenario => c?.scenario.reference !== undefined);
}

/** "first differs at line 12: …" — enough to see what a regeneration would change. */
function firstDifference(file: string, onDisk: string, built: string): string {
  const a = onDisk.split('\n');
  const b = built.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  const show = (text: string | undefined) => (text === undefined ? '(end of file)' : text.length > 160 ? `${text.slice(0, 157)}...` : text);
  return `${file} is not what the records give; first difference at line ${at + 1}:\n  ${file}: ${show(a[at])}\n  records: ${show(b[at])}`;
}

function registerRecord(parent: Command): void {
  parent
    .command('record <results...>')
    .description(`keep result.json files (or folders of them) as reproduction records, <into>/<scenario>/<name>.json: settings, versions, matrices and metrics, no curves`)
    .option('--into <dir>', 'folder of records', RECORDS_DIR)
    .option('--name <name>', 'record name, for one result (default: the name of the folder holding result.json)')
    .option('--root <dir>', 'repository the runs were made in; command paths are written relative to it (default: the repository holding each result)')
    .option('--learners <labels>', 'record only the runs of these learners (comma-separated labels)')
    .option('--except <labels>', 'record the runs of every learner but these (comma-separated labels)')
    .action((paths: string[], flags: RecordFlags) => {
      const written = writeRecords(loadResults(paths), {
        into: flags.into,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.root ? { root: flags.root } : {}),
        ...(flags.learners !== undefined ? { learners: commaList(flags.learners) } : {}),
        ...(flags.except !== undefined ? { except: commaList(flags.except) } : {}),
      });
      for (const { file, record } of written) {
        const size = (readFileSync(file).length / 1024).toFixed(1);
        process.stderr.write(`recorded ${record.source} → ${displayPath(file)} (${record.runs.length} runs, ${size} KiB)\n`);
        if (!record.complete) process.stderr.write(`  note: complete is false: the run was still going or was interrupted; record it again when it ends\n`);
        const outside = record.command ? absolutePaths(record.command) : [];
        if (outside.length) process.stderr.write(`  note: the command names paths outside the repository: ${outside.join(', ')}\n`);
      }
      process.stderr.write(`regenerate the page: clbench reproductions (see its "Regenerate this page with" line), then commit the records and the page\n`);
    });
}

export function registerReproductions(program: Command): void {
  const reproductions = program
    .command('reproductions')
    .argument('[records...]', 'reproduction records or folders of them', [RECORDS_DIR])
    .description('write the paper-vs-ours reproduction page (docs/reproductions.md) from the committed reproduction records')
    .option('--out <file>', 'markdown file to write', 'docs/reproductions.md')
    .option('--tolerance <rules...>', 'allowed |ours − paper| per metric: METRIC=VALUE or SCENARIO:METRIC=VALUE', [...DEFAULT_TOLERANCES])
    .option('--notes <file>', 'markdown appended under "Notes" (the investigation of the gaps)')
    .option('--not-run <file>', 'JSON list of { scenario, learners?, why }: why a reproduction or some of its learners has no run here, shown in its section')
    .option('--scenarios <dir>', 'read each scenario’s reference block (paper values, orderings) from <dir>/<name>.json when it exists; every scenario there with a reference block gets a section', 'scenarios')
    .option('--check', 'write nothing: fail when --out differs from the page the records give')
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
      const current = currentScenarios(flags.scenarios);
      const notRun = flags.notRun ? readNotRun(flags.notRun) : [];
      const all = buildReproductions(loadRecords(paths), rules, { currentScenario: current, expected: reproductionScenarios(flags.scenarios, current), notRun });
      // Rebuilt from the parsed options (defaults spelled out), so the page states exactly how it was made.
      const regenerate = [
        'clbench reproductions', ...paths.map((p) => displayPath(p)), '--out', displayPath(flags.out), '--tolerance', ...flags.tolerance,
        ...(flags.notes ? ['--notes', displayPath(flags.notes)] : []), ...(flags.notRun ? ['--not-run', displayPath(flags.notRun)] : []),
        '--scenarios', displayPath(flags.scenarios),
      ].join(' ');
      const page = renderReproductions(all, { command: regenerate, rules, ...(notes ? { notes } : {}) });
      if (flags.check) {
        const onDisk = existsSync(flags.out) ? readFileSync(flags.out, 'utf8') : '';
        if (onDisk !== page) throw new ClbenchError(`${firstDifference(flags.out, onDisk, page)}\nregenerate it with: ${regenerate}`);
        process.stderr.write(`${flags.out} is what the records give\n`);
        return;
      }
      mkdirSync(dirname(flags.out), { recursive: true });
      writeFileSync(flags.out, page);
      const c = verdictCounts(all);
      const o = orderingCounts(all);
      const unrecorded = all.filter((s) => s.files.length === 0);
      const unexplained = unrecorded.filter((s) => !s.whyNotRun).length;
      process.stderr.write(
        `wrote ${flags.out}: ${c.within} rows within tolerance, ${c.outside} outside, ${c.untested} not judged, ${c['not run']} not run; ` +
          `orderings: ${o.holds} hold, ${o.fails} fail, ${o['not run']} not run; ${unrecorded.length} scenarios with no record (${unexplained} without a reason)\n`,
      );
    });
  registerRecord(reproductions);
}

import { join } from 'node:path';
import type { Command } from 'commander';
import { useBackend } from '../../backend/select.js';
import { renderConsoleSummary } from '../../report/console-summary.js';
import { jsonSummary } from '../../report/json-summary.js';
import { writeRunReports } from '../../report/write-run-reports.js';
import { runScenario, previewStream } from '../../runner/run-scenario.js';
import { loadScenario } from '../../scenario/load.js';
import { type Scenario, learnerLabel } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';
import { LIMITS } from '../../util/limits.js';
import { confirmRunCount, parseSeedList } from '../../scenario/limits.js';
import { colorLevel } from '../color.js';
import { commandLine } from '../command-line.js';
import { ScenarioProgress } from '../progress.js';
import { prepareOutDir } from '../out-dir.js';
import { loadPlugins } from '../plugins.js';
import { withSetOption } from '../set-option.js';
import { commaList } from '../comma-list.js';

interface RunFlags {
  learners?: string;
  seeds?: string;
  quick?: boolean;
  backend?: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
  plugin?: string[];
  set: string[];
  yes?: boolean;
}

/** Applies --learners and --seeds to a validated scenario. */
export function selectRuns(scenario: Scenario, flags: Pick<RunFlags, 'learners' | 'seeds'>): Scenario {
  let learners = scenario.learners;
  if (flags.learners) {
    const wanted = commaList(flags.learners);
    const labels = learners.map(learnerLabel);
    const unknown = wanted.filter((w) => !labels.includes(w));
    if (unknown.length > 0) {
      throw new ClbenchError(`--learners: ${unknown.map((u) => `'${u}'`).join(', ')} not in the scenario; it has: ${labels.join(', ')}`);
    }
    learners = learners.filter((l) => wanted.includes(learnerLabel(l)));
  }
  return { ...scenario, learners, seeds: flags.seeds ? parseSeedList('--seeds', flags.seeds) : scenario.seeds };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

export function registerRun(program: Command): void {
  withSetOption(program
    .command('run <scenario>')
    .description('run a scenario: every learner × seed, writing events.jsonl, result.json, report.md and report.html')
    .option('--learners <labels>', 'only these learners (comma-separated labels)')
    .option('--seeds <seeds>', 'override the seeds (comma-separated integers)')
    .option('--quick', "apply the scenario's quick overrides (a minutes-long version)")
    .option('--backend <name>', 'tfjs-node-gpu, tfjs-node, webgpu, wasm or cpu (default: a CPU backend for MLPs, see docs/performance.md)')
    .option('--out <dir>', 'write results here (default: reports/<scenario>/<timestamp>)')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first: they register your own learners, streams, models or metrics')
    .option('-q, --quiet', 'no progress bar or summary table')
    .option('--json', 'print the result summary as JSON on stdout (no progress, no table)')
    .option('-y, --yes', `start even when the scenario expands to more than ${LIMITS.confirmRunsAbove} runs`))
    .action(async (file: string, flags: RunFlags) => {
      await loadPlugins(flags.plugin);
      const scenario = selectRuns(loadScenario(file, { quick: flags.quick, set: flags.set }), flags);
      const runs = scenario.learners.length * scenario.seeds.length;
      confirmRunCount(file, runs, LIMITS.confirmRunsAbove, flags.yes);
      const backend = await useBackend(flags.backend, { model: scenario.model.type });
      const outDir = prepareOutDir(flags.out ?? join('reports', scenario.name, timestamp()));
      const { info, runTasks } = await previewStream(scenario);
      const quiet = flags.quiet || flags.json;
      if (!quiet) {
        process.stderr.write(`clbench: ${scenario.name}: ${runs} run(s) on ${info.description}; backend ${backend.name}\n`);
        // A grid is easy to miss: say that `run` trains the listed options only.
        if (scenario.sweep?.learners && Object.keys(scenario.sweep.learners).length > 0) {
          process.stderr.write(`clbench: ${file} has a sweep block; run trains only the options listed in "learners": use \`clbench sweep\` for the grid, or --set to change one option\n`);
        }
      }
      const meta = scenario.protocol.kind === 'meta';
      // A continual run's length (an endless stream is cut at protocol.maxTasks).
      const progress = quiet ? undefined : new ScenarioProgress(runs, meta ? info.numTasks : runTasks, { meta });
      // Ctrl-C ends the current run within a step: runs yield to the event loop, so this answers at
      // once; the run is kept in result.json (complete: false) marked cancelled, and no report is written.
      const interrupt = new AbortController();
      const onInterrupt = () => interrupt.abort();
      process.once('SIGINT', onInterrupt);
      let result;
      try {
        result = await runScenario(scenario, {
          outDir,
          backend,
          signal: interrupt.signal,
          command: commandLine(process.argv.slice(2)),
          overrides: flags.set,
          onRunStart: ({ learner, seed, index }) => progress?.runStarted(learner, seed, index),
          onEvent: (e) => progress?.event(e),
        });
      } finally {
        process.off('SIGINT', onInterrupt);
        progress?.stop();
      }
      if (interrupt.signal.aborted) {
        process.stderr.write(`\nclbench: interrupted; the runs finished so far are in ${join(outDir, 'result.json')} (complete: false), the interrupted one marked cancelled\n`);
        process.exitCode = 130;
        return;
      }
      await writeRunReports(result, outDir);
      const files = { html: 'report.html', markdown: 'report.md', result: 'result.json', events: 'events.jsonl' };
      const paths = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(outDir, f)]));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(jsonSummary(result, paths), null, 2)}\n`);
      } else if (!quiet) {
        process.stdout.write(`${renderConsoleSummary(result, { color: colorLevel('stdout') > 0 })}\n`);
        process.stdout.write(`\nwrote ${paths.html}, ${paths.markdown}, ${paths.result} and ${paths.events}\n`);
      }
      const bad = result.runs.filter((r) => r.status === 'failed');
      if (bad.length > 0) process.exitCode = 3;
    });
}

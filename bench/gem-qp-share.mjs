/* global process, console */
// Each learner is measured in a fresh child process, so its peak RSS is its own.
/**
 * Speed and memory of the gem-mnist-rotations learners (issue #3): wall time per learner for one
 * seed, peak RSS, and where GEM's time goes, in particular the share spent in the quadprog QP.
 * A benchmark, not a test: it prints numbers and asserts nothing.
 *
 *   npm run build
 *   node bench/gem-qp-share.mjs [--seed 0] [--quick] [--learners single,GEM] [--backend wasm]
 *
 * Prints one JSON line per learner, then a table. The GEM learner's own timers (Gem.stats) are read
 * through a registry that wraps the `gem` entry, so the run goes through the normal runner path.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../dist/backend/select.js';
import { registries } from '../dist/scenario/registries.js';
import { runScenario } from '../dist/runner/run-scenario.js';
import { loadScenario } from '../dist/scenario/load.js';
import { LearnerRegistry } from '../dist/learners/learner-registry.js';

const { values: flags } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    quick: { type: 'boolean', default: false },
    learners: { type: 'string' },
    backend: { type: 'string' },
    scenario: { type: 'string', default: 'scenarios/gem-mnist-rotations.json' },
    /** Internal: measure this one learner label in this process and print its JSON line. */
    only: { type: 'string' },
  },
});

/** The product learners, with every `gem` instance recorded so its timers can be read after the run. */
const gemInstances = [];
// A LearnerRegistry, as the runner creates learners through it (with their schema's defaults).
const learners = new LearnerRegistry();
for (const entry of registries.learners.list()) {
  learners.register(entry.type !== 'gem' ? entry : {
    ...entry,
    create: (options) => {
      const learner = entry.create(options);
      gemInstances.push(learner);
      return learner;
    },
  });
}

let scenario = loadScenario(flags.scenario, { quick: flags.quick });
scenario = { ...scenario, seeds: [Number(flags.seed)] };
const labels = scenario.learners.map((l) => l.name ?? l.type);

if (flags.only !== undefined) {
  const spec = scenario.learners.find((l) => (l.name ?? l.type) === flags.only);
  if (!spec) throw new Error(`no learner '${flags.only}' in ${flags.scenario}; it has ${labels.join(', ')}`);
  const backend = await useBackend(flags.backend);
  const outDir = mkdtempSync(join(tmpdir(), 'clbench-gem-bench-'));
  const result = await runScenario({ ...scenario, learners: [spec] }, { outDir, backend, registries: { ...registries, learners } });
  const run = result.runs[0];
  const row = {
    scenario: scenario.name + (flags.quick ? ' (quick)' : ''),
    learner: run.learner,
    seed: run.seed,
    backend: backend.name,
    status: run.status,
    wall_s: Number(run.wallSeconds.toFixed(2)),
    peak_rss_mb: run.peakRssBytes !== undefined ? Math.round(run.peakRssBytes / 2 ** 20) : Math.round(process.resourceUsage().maxRSS / 1024),
    ACC: run.metrics.ACC,
  };
  // One instance per run: row b scores it right after setup.
  const gem = gemInstances[0]?.stats;
  if (gem) {
    Object.assign(row, {
      steps: gem.steps,
      projected_steps: gem.projections,
      observe_s: Number(gem.observeSeconds.toFixed(2)),
      memory_grad_s: Number(gem.memoryGradientSeconds.toFixed(2)),
      qp_s: Number(gem.qpSeconds.toFixed(3)),
      qp_share_of_observe: Number((gem.qpSeconds / gem.observeSeconds).toFixed(4)),
      qp_share_of_wall: Number((gem.qpSeconds / run.wallSeconds).toFixed(4)),
      memory_grad_share_of_observe: Number((gem.memoryGradientSeconds / gem.observeSeconds).toFixed(4)),
    });
  }
  console.log(JSON.stringify(row));
  process.exit(0);
}

const wanted = flags.learners ? flags.learners.split(',') : labels;
const rows = [];
for (const label of wanted) {
  const args = [process.argv[1], '--only', label, '--seed', flags.seed, '--scenario', flags.scenario];
  if (flags.quick) args.push('--quick');
  if (flags.backend) args.push('--backend', flags.backend);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').at(-1);
  console.log(line);
  rows.push(JSON.parse(line));
}

const pct = (x) => (x === undefined ? '' : `${(100 * x).toFixed(2)}%`);
console.log('');
console.log('learner       wall s   peak RSS MB   ACC     QP share (of GEM observe / of wall)');
for (const r of rows) {
  console.log(
    `${r.learner.padEnd(12)} ${String(r.wall_s).padStart(7)}   ${String(r.peak_rss_mb ?? '?').padStart(11)}   ${(r.ACC ?? NaN).toFixed(3)}   ${r.qp_s !== undefined ? `${pct(r.qp_share_of_observe)} / ${pct(r.qp_share_of_wall)} (${r.qp_s} s in ${r.projected_steps} of ${r.steps} steps)` : ''}`,
  );
}
process.exitCode = rows.every((r) => r.status === 'completed') ? 0 : 1;

// Backend parity: runs one scenario on two backends (each `clbench run --json` in its own process)
// and prints, per learner, both backends' metrics, wall times and the largest metric difference.
//   node bench/backend-parity.mjs <scenario.json> <backendA> <backendB>
// CLBENCH_CLI names the clbench entry point to run (default bin/clbench.js; npm run build first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const [scenario, ...backends] = process.argv.slice(2);
if (!scenario || backends.length !== 2) {
  process.stderr.write('usage: node bench/backend-parity.mjs <scenario.json> <backendA> <backendB>\n');
  process.exit(2);
}
const cli = process.env.CLBENCH_CLI ?? fileURLToPath(new URL('../bin/clbench.js', import.meta.url));

function runOn(backend) {
  const out = mkdtempSync(join(tmpdir(), `clbench-parity-${backend}-`));
  const child = spawnSync(process.execPath, [cli, 'run', scenario, '--backend', backend, '--json', '--out', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
  rmSync(out, { recursive: true, force: true });
  if (child.status !== 0) {
    process.stdout.write(`${JSON.stringify({ scenario, backend, status: child.status, error: child.stderr.trim().split('\n').slice(-3).join(' | ') })}\n`);
    process.exit(1);
  }
  return JSON.parse(child.stdout);
}

const numbers = (metrics) => Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
const round = (v) => Math.round(v * 1e4) / 1e4;
const [a, b] = backends.map(runOn);
let worst = 0;
for (const runA of a.runs) {
  const runB = b.runs.find((r) => r.learner === runA.learner && r.seed === runA.seed);
  const [ma, mb] = [numbers(runA.metrics), numbers(runB?.metrics ?? {})];
  const diffs = Object.keys(ma).filter((k) => k in mb).map((k) => Math.abs(ma[k] - mb[k]));
  const maxDiff = diffs.length > 0 ? Math.max(...diffs) : NaN;
  worst = Math.max(worst, maxDiff);
  process.stdout.write(`${JSON.stringify({
    scenario: a.scenario, learner: runA.learner, status: [runA.status, runB?.status ?? 'missing'],
    [`${backends[0]}_wall_s`]: round(runA.wallSeconds), [`${backends[1]}_wall_s`]: round(runB?.wallSeconds ?? NaN),
    max_abs_metric_diff: round(maxDiff),
    [backends[0]]: Object.fromEntries(Object.entries(ma).map(([k, v]) => [k, round(v)])),
    [backends[1]]: Object.fromEntries(Object.entries(mb).map(([k, v]) => [k, round(v)])),
  })}\n`);
}
process.stdout.write(`${JSON.stringify({ scenario: a.scenario, backends, versions: [a.versions, b.versions], max_abs_metric_diff: round(worst) })}\n`);

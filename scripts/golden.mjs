#!/usr/bin/env node
// Golden metrics: a quick run (--quick, seed 0) of every shipped scenario, reduced to the numbers a
// refactor must not change (metrics, accuracy matrix, row b). Runs one scenario at a time.
//   node scripts/golden.mjs record [scenario-name ...]   writes test/golden/quick-metrics.json
//   node scripts/golden.mjs check  [scenario-name ...]   exits 1 if any recorded value differs
// Needs dist/ (npm run build). Scenarios slow even with --quick are restricted to some learners
// (test/golden/limits.json). CLBENCH_ROOT=<checkout> runs another checkout's CLI and scenarios
// (for recording from the commit before a change); the golden file is always this checkout's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { isDeepStrictEqual } from 'node:util';

/** GOLDEN_FILE=<path> records to or checks against another file (e.g. a baseline taken from main). */
const GOLDEN = process.env.GOLDEN_FILE ?? 'test/golden/quick-metrics.json';
/** Scenarios whose quick run takes about 3 minutes or more on 2 shared cores: a representative subset of learners. */
const LIMITS = JSON.parse(readFileSync('test/golden/limits.json', 'utf8'));

const [mode, ...names] = process.argv.slice(2);
if (mode !== 'record' && mode !== 'check') {
  process.stderr.write('usage: node scripts/golden.mjs record|check [scenario-name ...]\n');
  process.exit(2);
}
const root = process.env.CLBENCH_ROOT ?? '.';
const all = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
const selected = names.length ? names : all;

function quickRun(name) {
  const out = mkdtempSync(join(tmpdir(), `golden-${name}-`));
  const args = [join(root, 'bin/clbench.js'), 'run', join(root, `scenarios/${name}.json`), '--quick', '--seeds', '0', '--quiet', '--out', out];
  if (LIMITS[name]) args.push('--learners', LIMITS[name].join(','));
  const started = Date.now();
  try {
    execFileSync('node', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    if (err.status !== 3) throw err; // 3: some run failed; its status is part of the golden
  }
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  const runs = result.runs.map((r) => ({
    learner: r.learner, seed: r.seed, status: r.status, error: r.error ?? null,
    metrics: r.metrics, accuracyMatrix: r.accuracyMatrix, baseline: r.baseline, lcaCurve: r.lcaCurve,
  }));
  return { seconds: Math.round((Date.now() - started) / 1000), runs };
}

const say = (line) => process.stdout.write(`${line}\n`);
const golden = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {};
let failed = 0;
for (const name of selected) {
  const { seconds, runs } = quickRun(name);
  if (mode === 'record') {
    golden[name] = { learners: LIMITS[name] ?? 'all', runs };
    writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1)}\n`);
    say(`${name}: recorded ${runs.length} run(s) in ${seconds} s`);
  } else if (!golden[name]) {
    say(`${name}: no golden recorded`);
    failed++;
  } else {
    const want = JSON.parse(JSON.stringify(golden[name].runs));
    const got = JSON.parse(JSON.stringify(runs));
    const same = isDeepStrictEqual(want, got);
    if (!same) failed++;
    say(`${name}: ${same ? 'identical' : 'DIFFERS'} (${seconds} s)`);
    if (!same) {
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        for (const k of Object.keys({ ...want[i], ...got[i] })) {
          if (!isDeepStrictEqual(want[i]?.[k], got[i]?.[k])) say(`  ${want[i]?.learner ?? got[i]?.learner}.${k}: ${JSON.stringify(want[i]?.[k]).slice(0, 200)} -> ${JSON.stringify(got[i]?.[k]).slice(0, 200)}`);
        }
      }
    }
  }
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// clbench's maml-sine meta-test sines (the ones `clbench run scenarios/maml-sine.json --seeds S` scores),
// as JSON for `maml_sine_probe.py score W.json --sines FILE.json`: amplitude, phase, the 5 support and
// 100 query inputs of each. Needs dist/ (npm run build). From the repository root:
//   node reproductions/reference-runs/maml-sine/probe/dump-sines.mjs OUT.json 600 0 1 2 3 4 5 6 7 8 9
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { firstValueFrom, toArray } from 'rxjs';
import { Rng } from '../../../../dist/util/rng.js';
import { createSine } from '../../../../dist/streams/tasks/sine.js';

const [out, perSeed, ...seeds] = process.argv.slice(2);
if (!out || !perSeed || seeds.length === 0) {
  process.stderr.write('usage: node dump-sines.mjs OUT.json SINES_PER_SEED SEED...\n');
  process.exit(2);
}
const sines = [];
for (const seed of seeds) {
  // The stream of scenarios/maml-sine.json for run seed S (src/runner/factories.ts, createStream).
  const stream = createSine({ type: 'sine', shots: 5, queries: 5, testQueries: 100 }, new Rng(Number(seed)).fork('stream'));
  for (const e of await firstValueFrom(stream.metaTest(Number(perSeed)).pipe(toArray()))) {
    sines.push({ seed: Number(seed), amplitude: e.info.amplitude, phase: e.info.phase, xs: Array.from(e.train().x), xq: Array.from(e.test().x) });
  }
}
writeFileSync(out, JSON.stringify({ sines }));
process.stdout.write(`${sines.length} sines written to ${out}\n`);

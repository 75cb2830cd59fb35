#!/usr/bin/env node
// The DER table's cost, one seed per cell: the wall time each committed seed-0 record of
// der-perm-mnist, der-rot-mnist and der-seq-mnist reports for its run, summed per scenario, and
// the least a sweep with 2 workers could take for it (perfect packing). Reads records only.
//   node scripts/der-table-time.mjs
/* global console */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let total = 0;
for (const scenario of ['der-perm-mnist', 'der-rot-mnist', 'der-seq-mnist']) {
  const labels = JSON.parse(readFileSync(`scenarios/${scenario}.json`, 'utf8')).learners.map((l) => l.name ?? l.type);
  const dir = join('reproductions/records', scenario);
  const seconds = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    for (const run of JSON.parse(readFileSync(join(dir, file), 'utf8')).runs) if (run.seed === 0) seconds.set(run.learner, run.wallSeconds);
  }
  const sum = [...seconds.values()].reduce((a, b) => a + b, 0);
  total += sum;
  const longest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([l, s]) => `${l} ${s.toFixed(0)} s`).join(', ');
  const missing = labels.filter((l) => !seconds.has(l));
  console.log(`${scenario}: ${seconds.size}/${labels.length} cells, ${(sum / 60).toFixed(1)} min summed; longest: ${longest}${missing.length ? `; no seed-0 record: ${missing.join(', ')}` : ''}`);
}
console.log(`all three: ${(total / 60).toFixed(1)} min summed; with 2 workers at best ${(total / 120).toFixed(1)} min`);

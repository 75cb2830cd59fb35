// Each kernel-level lever's share of a workload: runs `clbench bench <workload>` with every lever
// on, with each one switched off (CLBENCH_NATIVE_OFF), and with all off (CLBENCH_NATIVE=0), in
// rounds so that machine load drifts over all configurations alike. Prints one JSON line per run
// and a summary line of median wall and CPU seconds per configuration.
//   node bench/levers.mjs [workload] [rounds]      (npm run build first)
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const [workload = 'rotations-naive', roundsArg = '2'] = process.argv.slice(2);
const configs = [
  ['all on', {}],
  ['xent off', { CLBENCH_NATIVE_OFF: 'xent' }],
  ['dense off', { CLBENCH_NATIVE_OFF: 'dense' }],
  ['slice off', { CLBENCH_NATIVE_OFF: 'slice' }],
  ['blas off', { CLBENCH_NATIVE_OFF: 'blas,dense' }],
  ['all off', { CLBENCH_NATIVE: '0' }],
];
const results = new Map(configs.map(([name]) => [name, []]));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (let round = 0; round < Number(roundsArg); round++) {
  for (const [name, env] of configs) {
    const r = spawnSync(process.execPath, ['bin/clbench.js', 'bench', workload, '--runs', '1'], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    const line = JSON.parse(r.stdout.trim().split('\n').pop());
    results.get(name).push(line);
    process.stdout.write(`${JSON.stringify({ config: name, round, ...line })}\n`);
  }
}
const summary = Object.fromEntries([...results].map(([name, lines]) => [name, {
  wall_s: median(lines.map((l) => l.wall_s)), cpu_s: median(lines.map((l) => l.cpu_s)), ACC: lines[0].ACC,
}]));
process.stdout.write(`${JSON.stringify({ workload, rounds: Number(roundsArg), summary })}\n`);

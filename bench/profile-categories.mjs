// Buckets the self time of a V8 CPU profile (node --cpu-prof) into where a clbench run spends it:
// BLAS (native calls, attributed to the kernel that makes them), wasm kernels, tfjs engine and
// backend JavaScript, clbench's own code by area, GC, module loading. Prints one JSON line.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/clbench.js bench rotations-naive --worker
//   node bench/profile-categories.mjs /tmp/prof/*.cpuprofile
import { readFileSync } from 'node:fs';
import process from 'node:process';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + profile.timeDeltas[i]));

function category({ functionName: fn, url }) {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(idle)' || fn === '(program)') return 'idle/program';
  if (fn === 'rss') return 'memory sampling (process.memoryUsage.rss)';
  if (url.includes('util/rng')) return 'rng (data and replay sampling)';
  if (url.includes('native-kernels') || url.includes('native-dense')) return fn === 'run' || fn === 'kernelFunc' ? 'blas (native, via addon)' : 'clbench kernels (js)';
  if (url.includes('native-xent')) return 'clbench kernels (js)';
  if (fn.startsWith('wasm-function') || url.includes('wasm://')) return 'wasm kernels';
  if (url.includes('tfjs-backend-wasm')) return 'tfjs wasm backend (js)';
  if (url.includes('tfjs-backend-cpu')) return 'tfjs cpu backend (js)';
  if (url.includes('tfjs-core') || url.includes('@tensorflow/tfjs/')) return 'tfjs engine/ops (js)';
  if (url.includes('/ajv/')) return 'scenario validation (ajv)';
  if (url.includes('/rxjs/')) return 'rxjs';
  if (/streams\/|transforms|image-stream|idx\.js/.test(url)) return 'data preparation';
  if (/runner\/|metrics\//.test(url)) return 'runner, events, metrics';
  if (/learners\//.test(url)) return 'learner (js)';
  if (url.includes('/dist/') || url.includes('/src/')) return 'clbench other';
  if (url.startsWith('node:') || url === '' || /loader|lexer|get_format|utils/.test(url)) return 'node (module loading, fs, process)';
  return 'other';
}

const buckets = {};
for (const node of profile.nodes) {
  const t = selfTime.get(node.id) ?? 0;
  if (t === 0) continue;
  const c = category(node.callFrame);
  buckets[c] = (buckets[c] ?? 0) + t;
}
const total = Object.values(buckets).reduce((a, b) => a + b, 0);
const rows = Object.entries(buckets).sort((a, b) => b[1] - a[1]).map(([c, t]) => [c, { s: +(t / 1e6).toFixed(2), share: +(t / total).toFixed(3) }]);
process.stdout.write(`${JSON.stringify({ total_s: +(total / 1e6).toFixed(2), ...Object.fromEntries(rows) })}\n`);

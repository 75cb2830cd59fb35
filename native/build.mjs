#!/usr/bin/env node
// Builds the optional OpenBLAS addon (binding.gyp) at `npm install`. It never fails the install:
// without a compiler, Node headers or OpenBLAS, clbench runs on tfjs's own kernels and says so.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const gyp = process.env.npm_config_node_gyp;
const command = gyp ? [process.execPath, gyp] : ['npm', 'exec', '--yes', '--', 'node-gyp'];
const args = ['rebuild', '--release'];
// Use the headers installed next to this node (distribution packages and official tarballs ship
// them) rather than downloading them: installs must work offline.
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const result = spawnSync(command[0], [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status === 0) {
  process.stdout.write('clbench: built the OpenBLAS matmul addon (build/Release/clbench_blas.node)\n');
} else {
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const reason = result.error?.message
    ?? log.split('\n').find((line) => /error|not found|No package/i.test(line))?.trim()
    ?? `node-gyp exited with ${result.status}`;
  process.stdout.write(`clbench: OpenBLAS addon not built (${reason}); install libopenblas-dev and g++ for fast matmul, or run as is\n`);
}

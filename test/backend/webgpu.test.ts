import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/runner/result.js';
import { tempDir } from '../helpers/scenario.js';
import { autoBackendOrder, GPU_MODELS } from '../../src/backend/select.js';
import { type VulkanSetup, explainNoAdapter, probeVulkanSetup } from '../../src/backend/webgpu.js';

const GPU_DEVICE = { loader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', icdFiles: ['/usr/share/vulkan/icd.d/nvidia_icd.json'], deviceNodes: ['/dev/nvidia0'] };

function clbench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', ['bin/clbench.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stderr: r.stderr };
}

/** Whether this machine could give Dawn an adapter: then the no-adapter path cannot be exercised here. */
const setupHere = probeVulkanSetup();
const gpuHere = setupHere.deviceNodes.length > 0 && setupHere.loader !== undefined && setupHere.icdFiles.length > 0;

describe('webgpu backend: why no adapter was found', () => {
  it.each<[string, VulkanSetup, RegExp, RegExp]>([
    ['no GPU device', { ...GPU_DEVICE, deviceNodes: [] }, /shows no GPU/, /--backend wasm/],
    ['no Vulkan loader', { ...GPU_DEVICE, loader: undefined }, /libvulkan\.so\.1 is not installed/, /apt-get install libvulkan1/],
    ['no driver manifest', { ...GPU_DEVICE, icdFiles: [] }, /no Vulkan driver is registered/, /VK_DRIVER_FILES/],
    ['a driver that does not load', GPU_DEVICE, /no driver created a device/, /VK_LOADER_DEBUG/],
  ])('%s: names the cause and what to do', (_case, setup, cause, remedy) => {
    const message = explainNoAdapter(setup);
    expect(message).toMatch(/^backend 'webgpu': no GPU adapter found: /);
    expect(message).toMatch(cause);
    expect(message).toMatch(remedy);
  });

  it('reads the Vulkan setup from the machine, and the driver files named in VK_DRIVER_FILES', () => {
    const named = probeVulkanSetup({ VK_DRIVER_FILES: 'package.json:/nonexistent/icd.json' });
    expect(named.icdFiles).toContain('package.json'); // any existing file: the probe only checks presence
    expect(named.icdFiles).not.toContain('/nonexistent/icd.json');
    expect(named.loader === undefined || existsSync(named.loader)).toBe(true);
  });
});

describe.skipIf(gpuHere || !existsSync('dist/cli/main.js'))('--backend webgpu without a GPU', () => {
  it('clbench run exits non-zero with the cause, running nothing on another backend', () => {
    const r = clbench(['run', 'scenarios/quickstart.json', '--quick', '--backend', 'webgpu', '--out', '/nonexistent/never-written']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("backend 'webgpu': no GPU adapter found");
    expect(r.stderr).toContain(explainNoAdapter(setupHere)); // the child probes this same machine
  }, 60_000);

  it('clbench bench --backend webgpu fails the same way', () => {
    const r = clbench(['bench', 'rotations-naive', '--backend', 'webgpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("backend 'webgpu': no GPU adapter found");
  }, 60_000);

  it('a Dawn addon named by CLBENCH_DAWN_NODE that does not exist is named in the error', () => {
    const r = clbench(['run', 'scenarios/quickstart.json', '--quick', '--backend', 'webgpu', '--out', '/nonexistent/never-written'], { CLBENCH_DAWN_NODE: '/nonexistent/dawn.node' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CLBENCH_DAWN_NODE');
    expect(r.stderr).toContain('/nonexistent/dawn.node');
  }, 60_000);
});

/** Whether the optional packages of the webgpu backend are installed here. */
function webgpuInstalled(): boolean {
  const require = createRequire(import.meta.url);
  try {
    for (const name of ['webgpu/package.json', '@tensorflow/tfjs-backend-webgpu/package.json', 'deasync/package.json']) require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Dawn's null backend is a real Dawn adapter and device that computes nothing (every value reads
 * as 0) and needs no GPU: the whole webgpu path, Dawn's navigator.gpu, tfjs-backend-webgpu,
 * clbench's synchronous reads and the process exit, runs end to end on any machine.
 */
describe.skipIf(!webgpuInstalled() || !existsSync('dist/cli/main.js'))('--backend webgpu on Dawn\'s null adapter (no GPU needed)', () => {
  it.each([
    ['continual (SGD steps, evaluation reads)', {
      name: 'webgpu-null-continual',
      stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 50, testPerTask: 50 },
      model: { hidden: [16] },
      learners: [{ type: 'naive', lr: 0.05 }, { type: 'agem', lr: 0.05, memoryPerTask: 10, referenceBatch: 10 }],
      seeds: [0],
    }],
    ['meta (second-order MAML)', {
      name: 'webgpu-null-meta',
      stream: { type: 'sine', shots: 5, queries: 5, testQueries: 10 },
      model: { type: 'mlp', hidden: [8] },
      protocol: { kind: 'meta', metaIterations: 3, metaBatch: 2, evalEpisodes: 2, adaptSteps: 2 },
      learners: [{ type: 'maml', innerSteps: 1, innerLr: 0.01 }],
      seeds: [0],
    }],
  ])('%s: completes every run and exits', (_name, scenario) => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const r = clbench(['run', file, '--backend', 'webgpu', '--out', join(dir, 'out'), '-q'], { CLBENCH_DAWN_FLAGS: 'backend=null' });
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    expect(result.backend).toBe('webgpu');
    expect(result.versions['webgpu-adapter']).toBe('null-backend');
    expect(result.runs.map((run) => run.status)).toEqual(result.runs.map(() => 'completed'));
  }, 120_000);
});

describe('automatic backend selection', () => {
  it('stays on CPU backends for MLPs, never trying a GPU', () => {
    for (const hint of [{}, { model: 'mlp' }]) {
      const order = autoBackendOrder(hint);
      expect(order).not.toContain('webgpu');
      expect(order).not.toContain('tfjs-node-gpu');
      expect(order.at(-1)).toBe('cpu');
    }
  });

  it('tries the GPUs first only for the models measured to gain from them', () => {
    for (const model of ['conv4', 'mlp']) {
      const order = autoBackendOrder({ model });
      expect(order[0] === 'webgpu').toBe(GPU_MODELS.has(model));
      expect(order.slice(-3)).toEqual(['tfjs-node', 'wasm', 'cpu']);
    }
  });
});

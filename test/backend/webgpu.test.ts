import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

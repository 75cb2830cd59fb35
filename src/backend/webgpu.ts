import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ClbenchError } from '../util/errors.js';

/**
 * WebGPU in Node: Dawn (npm `webgpu`, Chrome's WebGPU implementation as a prebuilt addon) provides
 * `navigator.gpu`, and @tensorflow/tfjs-backend-webgpu runs tfjs on it. On Linux, Dawn reaches the
 * GPU through Vulkan: it needs the Vulkan loader (libvulkan.so.1) and a driver's ICD file.
 */

/** The subset of Dawn's module that clbench uses. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: object;
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

interface AdapterLike {
  readonly info?: AdapterInfoLike;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

/** What the machine has that Dawn needs: probed by `probeVulkanSetup`, read by `explainNoAdapter`. */
export interface VulkanSetup {
  /** Where libvulkan.so.1 was found, or undefined. */
  readonly loader?: string;
  /** Vulkan ICD (driver manifest) files found. */
  readonly icdFiles: readonly string[];
  /** GPU device nodes found (/dev/nvidia0, /dev/dri/renderD128, ...). */
  readonly deviceNodes: readonly string[];
}

/** Where Vulkan loaders look for driver manifests, besides VK_DRIVER_FILES / VK_ICD_FILENAMES. */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

function listDir(dir: string, keep: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(keep).map((name) => `${dir}/${name}`);
  } catch {
    return [];
  }
}

function findVulkanLoader(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  for (const dir of dirs) if (existsSync(`${dir}/libvulkan.so.1`)) return `${dir}/libvulkan.so.1`;
  try {
    const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /libvulkan\.so\.1 .*=> (\S+)/.exec(cache)?.[1];
  } catch {
    return undefined;
  }
}

/** Looks at this machine for the pieces Dawn needs (Linux paths; elsewhere the lists stay empty). */
export function probeVulkanSetup(env: NodeJS.ProcessEnv = process.env): VulkanSetup {
  const named = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES].flatMap((v) => (v ?? '').split(':')).filter(Boolean);
  const icdFiles = [...named.filter((f) => existsSync(f)), ...ICD_DIRS.flatMap((d) => listDir(d, (n) => n.endsWith('.json')))];
  const deviceNodes = [...listDir('/dev', (n) => /^nvidia\d+$/.test(n)), ...listDir('/dev/dri', (n) => n.startsWith('renderD'))];
  return { loader: findVulkanLoader(env), icdFiles, deviceNodes };
}

/**
 * Why Dawn found no adapter, and what to install: the first missing piece in the order Dawn needs
 * them (a GPU device, the Vulkan loader, a driver manifest), or, with all present, a driver that
 * does not load.
 */
export function explainNoAdapter(setup: VulkanSetup): string {
  const lead = 'backend \'webgpu\': no GPU adapter found';
  if (setup.deviceNodes.length === 0) {
    return `${lead}: this machine shows no GPU (no /dev/nvidia* or /dev/dri/renderD* device). ` +
      'Run on a machine with a GPU and its driver, or choose a CPU backend (--backend wasm).';
  }
  if (!setup.loader) {
    return `${lead}: the Vulkan loader libvulkan.so.1 is not installed, and Dawn reaches the GPU through Vulkan. ` +
      'Install it (Debian/Ubuntu: apt-get install libvulkan1; NVIDIA also needs libglvnd0 / libegl1).';
  }
  if (setup.icdFiles.length === 0) {
    return `${lead}: no Vulkan driver is registered (no ICD file in ${ICD_DIRS.slice(0, 2).join(' or ')}, VK_DRIVER_FILES unset). ` +
      'Install the GPU driver\'s Vulkan part (NVIDIA: the driver\'s nvidia_icd.json, e.g. libnvidia-gl; AMD/Intel: mesa-vulkan-drivers), ' +
      'or point VK_DRIVER_FILES at its ICD file.';
  }
  return `${lead}: the Vulkan loader (${setup.loader}) and driver manifests (${setup.icdFiles.join(', ')}) are present, ` +
    'but no driver created a device. Check that the driver version matches the kernel module ' +
    '(NVIDIA\'s Vulkan driver also needs libglvnd0 for libGLdispatch), and run with VK_LOADER_DEBUG=error,warn to see why.';
}

/** Dawn's addon: CLBENCH_DAWN_NODE names a dawn.node file (a bundle, a custom Dawn build); else the `webgpu` package. */
async function loadDawn(): Promise<DawnModule> {
  const path = process.env.CLBENCH_DAWN_NODE;
  if (path) {
    try {
      return createRequire(import.meta.url)(path) as DawnModule;
    } catch (err) {
      throw new ClbenchError(`backend 'webgpu': CLBENCH_DAWN_NODE=${path} did not load as Dawn's addon (${(err as Error).message.split('\n')[0]})`, { cause: err });
    }
  }
  const optionalPackage = 'webgpu'; // a variable: typechecks and bundles without the optional package
  try {
    return (await import(optionalPackage)) as DawnModule;
  } catch (err) {
    throw new ClbenchError(
      `backend 'webgpu' needs the optional package 'webgpu' (Dawn for Node): install it with npm install webgpu @tensorflow/tfjs-backend-webgpu deasync (${(err as Error).message.split('\n')[0]})`,
      { cause: err },
    );
  }
}

let adapterDescription: string | undefined;

/**
 * Makes Dawn's `navigator.gpu` global, as a browser has it, and checks that it finds an adapter:
 * tfjs-backend-webgpu registers itself at import only when `navigator.gpu` exists, and would fail
 * later with a bare null dereference when there is no adapter. Returns the adapter, described.
 */
export async function installDawnGpu(): Promise<string> {
  if (adapterDescription) return adapterDescription;
  const dawn = await loadDawn();
  Object.assign(globalThis, dawn.globals);
  // Dawn's own options, e.g. adapter=NAME to pick one of several GPUs (webgpu's README).
  const gpu = dawn.create((process.env.CLBENCH_DAWN_FLAGS ?? '').split(',').filter(Boolean));
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `node ${process.version}` }, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new ClbenchError(explainNoAdapter(probeVulkanSetup()));
  const info = adapter.info ?? {};
  const words = [info.vendor, info.architecture, info.device, info.description].filter((w): w is string => Boolean(w));
  return (adapterDescription = words.length > 0 ? [...new Set(words)].join(' / ') : 'unknown adapter');
}

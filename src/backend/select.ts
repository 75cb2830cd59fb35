import { createRequire } from 'node:module';
import * as tf from './tf.js';
import { ClbenchError } from '../util/errors.js';
import { installNativeKernels } from './native-install.js';
import { registerWasmGradientKernels } from './wasm-gradient-kernels.js';
import { installDawnGpu } from './webgpu.js';
import { installNodeReadSync } from './webgpu-read-sync.js';

const require = createRequire(import.meta.url);

/** The backends clbench knows (`--backend NAME`). */
export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

interface BackendCandidate {
  /** npm package to import, which registers the tfjs backend as a side effect. */
  readonly module?: string;
  /** The name tfjs registers the backend under. */
  readonly tfName: string;
  /** Runs before the import; returns version entries to record (webgpu: the adapter). */
  readonly prepare?: () => Promise<Record<string, string>>;
  /** Runs once the backend is active. */
  readonly activated?: () => void;
}

const CANDIDATES: Record<BackendName, BackendCandidate> = {
  'tfjs-node-gpu': { module: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  'tfjs-node': { module: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported.
  webgpu: {
    module: '@tensorflow/tfjs-backend-webgpu',
    tfName: 'webgpu',
    prepare: async () => ({ 'webgpu-adapter': await installDawnGpu(), dawn: packageVersion('webgpu') ?? 'CLBENCH_DAWN_NODE' }),
    activated: installNodeReadSync,
  },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  cpu: { tfName: 'cpu' },
};

/** What automatic selection knows of the work: the model type of the scenario. */
export interface WorkloadHint {
  readonly model?: string;
}

/**
 * Models whose steps are large enough for a GPU to win (docs/performance.md, "GPU"): a small MLP
 * step is bound by per-op dispatch, which costs more on a GPU than on a CPU.
 */
export const GPU_MODELS: ReadonlySet<string> = new Set<string>([]);

/**
 * Automatic selection, first that loads wins: CPU backends for MLP-sized work, GPUs first only for
 * the models of GPU_MODELS.
 */
export function autoBackendOrder(hint: WorkloadHint = {}): BackendName[] {
  const cpu: BackendName[] = ['tfjs-node', 'wasm', 'cpu'];
  return hint.model !== undefined && GPU_MODELS.has(hint.model) ? ['webgpu', 'tfjs-node-gpu', ...cpu] : cpu;
}

export interface BackendInfo {
  readonly name: BackendName;
  /** Versions of everything that can change the numbers: recorded in every result. */
  readonly versions: Record<string, string>;
}

let active: BackendInfo | undefined;

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** `specifier` is a package name or a path to a package.json. */
function packageVersion(specifier: string): string | undefined {
  try {
    const file = specifier.endsWith('package.json') ? specifier : `${specifier}/package.json`;
    return (require(file) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** Loads and activates a backend; returns the version entries its preparation recorded. */
async function tryLoad(name: BackendName): Promise<Record<string, string>> {
  const candidate = CANDIDATES[name];
  const prepared = candidate.prepare ? await candidate.prepare() : {};
  // A host program (or a bundle, see bench/device/) may have imported and registered it already.
  if (candidate.module && !tf.findBackendFactory(candidate.tfName)) await import(candidate.module);
  // Gradient kernels wasm lacks (tf.gather's) or gets wrong (maxPool's): after the import, which
  // registers the backend's own. Not a speed lever: always on.
  if (name === 'wasm') registerWasmGradientKernels();
  const ok = await tf.setBackend(candidate.tfName);
  if (!ok) throw new Error(`tf.setBackend('${candidate.tfName}') returned false`);
  await tf.ready();
  candidate.activated?.();
  return prepared;
}

function describe(name: BackendName, prepared: Record<string, string>): BackendInfo {
  const versions: Record<string, string> = {
    clbench: packageVersion('../../package.json') ?? 'unknown',
    node: process.versions.node,
    'tfjs-core': tf.version_core,
  };
  const module = CANDIDATES[name].module;
  if (module) versions[module.replace('@tensorflow/', '')] = packageVersion(module) ?? 'unknown';
  // OpenBLAS behind the matmul kernels when the addon is built (registered once per backend).
  Object.assign(versions, prepared, installNativeKernels(CANDIDATES[name].tfName));
  return { name, versions };
}

/**
 * Activates a backend: the one requested, or the first of autoBackendOrder(hint) that loads. A
 * requested backend that is unknown or fails to load is an error, never a silent fallback.
 */
export async function useBackend(requested?: string, hint?: WorkloadHint): Promise<BackendInfo> {
  tf.enableProdMode(); // skips per-op debug checks and the cpu backend's console banner
  if (requested !== undefined) {
    if (!isBackendName(requested)) {
      throw new ClbenchError(`unknown backend '${requested}'; choose one of: ${BACKENDS.join(', ')}`);
    }
    let prepared: Record<string, string>;
    try {
      prepared = await tryLoad(requested);
    } catch (err) {
      if (err instanceof ClbenchError) throw err; // already says what is missing
      const missing = CANDIDATES[requested].module ? ` (is ${CANDIDATES[requested].module} installed?)` : '';
      throw new ClbenchError(`backend '${requested}' failed to load${missing}: ${(err as Error).message}`, { cause: err });
    }
    return (active = describe(requested, prepared));
  }
  if (active) return active;
  const failures: string[] = [];
  for (const name of autoBackendOrder(hint)) {
    try {
      return (active = describe(name, await tryLoad(name)));
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new ClbenchError(`no tfjs backend could be loaded:\n  ${failures.join('\n  ')}`);
}

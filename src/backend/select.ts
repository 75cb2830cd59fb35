import { createRequire } from 'node:module';
import * as tf from './tf.js';
import { ClbenchError } from '../util/errors.js';
import { installNativeKernels } from './native-install.js';
import { registerWasmGradientKernels } from './wasm-gradient-kernels.js';

const require = createRequire(import.meta.url);

/** The backends clbench knows, fastest first: auto-selection takes the first that loads. */
export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

interface BackendCandidate {
  /** npm package to import, which registers the tfjs backend as a side effect. */
  readonly module?: string;
  /** The name tfjs registers the backend under. */
  readonly tfName: string;
}

const CANDIDATES: Record<BackendName, BackendCandidate> = {
  'tfjs-node-gpu': { module: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  'tfjs-node': { module: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  cpu: { tfName: 'cpu' },
};

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

async function tryLoad(name: BackendName): Promise<void> {
  const candidate = CANDIDATES[name];
  if (candidate.module) await import(candidate.module);
  // Gradient kernels wasm lacks (tf.gather's) or gets wrong (maxPool's): after the import, which
  // registers the backend's own. Not a speed lever: always on.
  if (name === 'wasm') registerWasmGradientKernels();
  const ok = await tf.setBackend(candidate.tfName);
  if (!ok) throw new Error(`tf.setBackend('${candidate.tfName}') returned false`);
  await tf.ready();
}

function describe(name: BackendName): BackendInfo {
  const versions: Record<string, string> = {
    clbench: packageVersion('../../package.json') ?? 'unknown',
    node: process.versions.node,
    'tfjs-core': tf.version_core,
  };
  const module = CANDIDATES[name].module;
  if (module) versions[module.replace('@tensorflow/', '')] = packageVersion(module) ?? 'unknown';
  // OpenBLAS behind the matmul kernels when the addon is built (registered once per backend).
  Object.assign(versions, installNativeKernels(CANDIDATES[name].tfName));
  return { name, versions };
}

/**
 * Activates a backend: the one requested, or the first of BACKENDS that loads. A requested backend
 * that is unknown or fails to load is an error, never a silent fallback.
 */
export async function useBackend(requested?: string): Promise<BackendInfo> {
  tf.enableProdMode(); // skips per-op debug checks and the cpu backend's console banner
  if (requested !== undefined) {
    if (!isBackendName(requested)) {
      throw new ClbenchError(`unknown backend '${requested}'; choose one of: ${BACKENDS.join(', ')}`);
    }
    try {
      await tryLoad(requested);
    } catch (err) {
      const hint = CANDIDATES[requested].module ? ` (is ${CANDIDATES[requested].module} installed?)` : '';
      throw new ClbenchError(`backend '${requested}' failed to load${hint}: ${(err as Error).message}`, { cause: err });
    }
    return (active = describe(requested));
  }
  if (active) return active;
  const failures: string[] = [];
  for (const name of BACKENDS) {
    try {
      await tryLoad(name);
      return (active = describe(name));
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new ClbenchError(`no tfjs backend could be loaded:\n  ${failures.join('\n  ')}`);
}

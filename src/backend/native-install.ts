import { loadNativeBlas } from './native.js';
import { registerDenseKernels, registerNativeKernels, registerWasmGatherFix, registerWasmSliceFix } from './native-kernels.js';
import { registerSoftmaxXentKernels } from './native-xent.js';

/**
 * The kernel-level speed-ups, each of which can be switched off to measure it (docs/performance.md):
 * CLBENCH_NATIVE=0 turns all off; CLBENCH_NATIVE_OFF=slice,gather,blas,dense,xent some of them.
 */
export const LEVERS = ['slice', 'gather', 'blas', 'dense', 'xent'] as const;
export type Lever = (typeof LEVERS)[number];

function enabled(lever: Lever): boolean {
  if (process.env.CLBENCH_NATIVE === '0') return false;
  return !(process.env.CLBENCH_NATIVE_OFF ?? '').split(',').map((s) => s.trim()).includes(lever);
}

/** Backends whose kernels these replace (tfjs-node has native kernels of its own). */
const CAPABLE = new Set(['wasm', 'cpu']);
const installed = new Map<string, Record<string, string>>();
let noticeShown = false;

/**
 * Installs the kernel overrides on `backend` (wasm or cpu), once: OpenBLAS behind the matmul and
 * dense kernels when the addon is built (otherwise a one-line notice on stderr, once per process),
 * and the addon-free fixes. Returns the version entries to record in results: the numbers differ
 * in the last float bits from tfjs's own kernels.
 */
export function installNativeKernels(backend: string): Record<string, string> {
  if (!CAPABLE.has(backend)) return {};
  const done = installed.get(backend);
  if (done) return done;
  const versions: Record<string, string> = {};
  if (backend === 'wasm' && enabled('slice')) registerWasmSliceFix();
  if (backend === 'wasm' && enabled('gather')) registerWasmGatherFix();
  if (enabled('xent')) registerSoftmaxXentKernels(backend);
  if (enabled('blas')) {
    const blas = loadNativeBlas();
    if (typeof blas === 'string') {
      if (!noticeShown) process.stderr.write(`clbench: OpenBLAS matmul not in use: ${blas}; running tfjs's own ${backend} matmul\n`);
      noticeShown = true;
    } else {
      registerNativeKernels(backend, blas);
      if (enabled('dense')) registerDenseKernels(backend, blas);
      const threads = blas.threads();
      versions.openblas = `${blas.config().split(' ')[1] ?? 'unknown'} (${threads} thread${threads > 1 ? 's' : ''})`;
    }
  }
  const off = LEVERS.filter((lever) => !enabled(lever));
  if (off.length > 0) versions['clbench-kernels-off'] = off.join(',');
  installed.set(backend, versions);
  return versions;
}

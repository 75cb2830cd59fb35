import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The N-API addon built from native/clbench_blas.c (binding.gyp) at `npm install`. */
export interface NativeBlas {
  /**
   * C_i = act(op(A_i) op(B_i) + bias) for i < batch, with OpenBLAS sgemm. Offsets and strides
   * count floats; stride 0 broadcasts; bias length 0 (none), 1 or n; activation 0 linear, 1 relu.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, batch: number,
    a: ArrayBufferLike | Float32Array, aOffset: number, aStride: number,
    b: ArrayBufferLike | Float32Array, bOffset: number, bStride: number,
    c: ArrayBufferLike | Float32Array, cOffset: number,
    bias: ArrayBufferLike | Float32Array | null, biasOffset: number, biasLength: number,
    activation: number,
  ): void;
  /** Backward pass of y = act(x·W + b): dW = xᵀg, db = Σ g, dx = g·Wᵀ (unless dx is null), g = dy ⊙ act'(y). */
  denseBackward(
    n: number, din: number, dout: number, relu: boolean,
    x: ArrayBufferLike | Float32Array, xOffset: number, w: ArrayBufferLike | Float32Array, wOffset: number,
    y: ArrayBufferLike | Float32Array, yOffset: number, dy: ArrayBufferLike | Float32Array, dyOffset: number,
    dx: ArrayBufferLike | Float32Array | null, dxOffset: number, dw: ArrayBufferLike | Float32Array, dwOffset: number,
    db: ArrayBufferLike | Float32Array, dbOffset: number,
  ): void;
  setThreads(threads: number): void;
  threads(): number;
  /** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Zen MAX_THREADS=64". */
  config(): string;
}

/** Where node-gyp puts the addon: build/ at the package root (two levels above this file). */
export const ADDON_PATH = fileURLToPath(new URL('../../build/Release/clbench_blas.node', import.meta.url));

let loaded: NativeBlas | string | undefined;

/**
 * The addon, or why it is not available. CLBENCH_BLAS_THREADS sets the threads OpenBLAS may use
 * for large products (default 1, see docs/performance.md: on a busy machine a second OpenBLAS
 * thread makes even large products slower).
 */
export function loadNativeBlas(): NativeBlas | string {
  if (loaded !== undefined) return loaded;
  if (!existsSync(ADDON_PATH)) return (loaded = 'addon not built (needs g++ and libopenblas-dev at npm install)');
  try {
    const blas = createRequire(import.meta.url)(ADDON_PATH) as NativeBlas;
    blas.setThreads(blasThreads());
    return (loaded = blas);
  } catch (err) {
    return (loaded = `addon failed to load: ${(err as Error).message.split('\n')[0]}`);
  }
}

function blasThreads(): number {
  const requested = Number(process.env.CLBENCH_BLAS_THREADS ?? 1);
  return Number.isInteger(requested) && requested >= 1 ? Math.min(requested, availableParallelism()) : 1;
}

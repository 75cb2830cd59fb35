import * as tf from './tf.js';
import type { NativeBlas } from './native.js';

type Buffer32 = ArrayBufferLike | Float32Array;

/** Where a float32 tensor's values live: a buffer and an offset in floats. */
interface Operand {
  readonly buffer: Buffer32;
  readonly offset: number;
}

/** How the native kernels reach one backend's tensor storage. */
interface Storage {
  read(backend: unknown, t: tf.TensorInfo): Operand;
  /** A new float32 output; `buffer()` is fetched after allocation (the wasm heap may have grown). */
  allocate(backend: unknown, shape: number[]): { info: tf.TensorInfo; target: () => Operand };
}

interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** The wasm backend keeps every tensor in its heap: operands are the heap's ArrayBuffer plus an offset. */
const wasmStorage: Storage = {
  read(backend, t) {
    const b = backend as WasmBackend;
    return { buffer: b.wasm.HEAPU8.buffer, offset: b.dataIdMap.get(t.dataId).memoryOffset / 4 };
  },
  allocate(backend, shape) {
    const b = backend as WasmBackend;
    const info = b.makeOutput(shape, 'float32');
    return { info, target: () => wasmStorage.read(backend, info) };
  },
};

/** The cpu backend keeps each tensor in its own typed array. */
const cpuStorage: Storage = {
  read(backend, t) {
    return { buffer: (backend as CpuBackend).data.get(t.dataId).values as Float32Array, offset: 0 };
  },
  allocate(backend, shape) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const info = (backend as CpuBackend).makeTensorInfo(shape, 'float32', values);
    return { info, target: () => ({ buffer: values, offset: 0 }) };
  },
};

const STORAGE: Record<string, Storage> = { wasm: wasmStorage, cpu: cpuStorage };

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1 };

interface MatMulShapes {
  m: number;
  n: number;
  k: number;
  batch: number;
  aStride: number;
  bStride: number;
  outShape: number[];
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Shapes of op(A)·op(B) over broadcast batch dims, or undefined for what we leave to tfjs (it reports errors). */
function matMulShapes(a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): MatMulShapes | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [ar, br] = [a.shape.length, b.shape.length];
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const [batchA, batchB] = [product(outerA), product(outerB)];
  // One matrix broadcast over the other's batch, or equal batches; anything else goes to tfjs.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined;
  }
  if (product(outer) !== Math.max(batchA, batchB)) return undefined;
  return {
    m, n, k,
    batch: Math.max(batchA, batchB),
    aStride: batchA === 1 ? 0 : m * k,
    bStride: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}

function run(
  blas: NativeBlas, storage: Storage, backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo,
  transA: boolean, transB: boolean, s: MatMulShapes, bias: tf.TensorInfo | undefined, activation: number,
): tf.TensorInfo {
  const { info, target } = storage.allocate(backend, s.outShape);
  // Read operands after allocating: a growing wasm heap replaces its ArrayBuffer.
  const A = storage.read(backend, a);
  const B = storage.read(backend, b);
  const C = target();
  const biasOperand = bias ? storage.read(backend, bias) : undefined;
  blas.gemm(
    transA, transB, s.m, s.n, s.k, s.batch,
    A.buffer, A.offset, s.aStride, B.buffer, B.offset, s.bStride, C.buffer, C.offset,
    biasOperand?.buffer ?? null, biasOperand?.offset ?? 0, bias ? product(bias.shape) : 0, activation,
  );
  return info;
}

/** Swaps `kernelName`'s kernel on `backendName` for a wrapper that may delegate to the original. */
function replaceKernel(kernelName: string, backendName: string, kernelFunc: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc(original.kernelFunc) });
}

/**
 * tfjs-backend-wasm 4.22's GatherV2 computes a multi-dimensional index for every output element:
 * taking 10 shuffled rows of a resident task (the runner's batches when the protocol shuffles)
 * cost about 0.14 ms, x and y a sixth of a DER++ step on Seq-MNIST (1.6 → 1.35 ms of CPU with
 * this fix, docs/performance.md, "split-derpp"). Rows along axis 0 are contiguous, so a
 * row gather is one copy per index inside the heap; other gathers, and out-of-range indices (which
 * the original reports), go to the original kernel. Needs no addon.
 */
export function registerWasmGatherFix(): void {
  replaceKernel(tf.GatherV2, 'wasm', (original) => (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (x.dtype === 'string' || indices.dtype !== 'int32' || batchDims !== 0 || tf.util.parseAxisParam(axis, x.shape)[0] !== 0) return original(args);
    const backend = args.backend as WasmBackend & { readSync(dataId: object): Int32Array };
    const rows = backend.readSync(indices.dataId);
    const count = x.shape[0];
    if (rows.some((r) => !(r >= 0 && r < count))) return original(args);
    const rowBytes = tf.util.bytesPerElement(x.dtype) * tf.util.sizeFromShape(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Offsets and the heap view after allocating: a growing heap replaces HEAPU8's buffer.
    const from = backend.dataIdMap.get(x.dataId).memoryOffset;
    const to = backend.dataIdMap.get(out.dataId).memoryOffset;
    const heap = backend.wasm.HEAPU8;
    for (let i = 0; i < rows.length; i++) heap.copyWithin(to + i * rowBytes, from + rows[i] * rowBytes, from + (rows[i] + 1) * rowBytes);
    return out;
  });
}

/**
 * tfjs-backend-wasm 4.22's Slice copies the whole input out of the heap (readSync) to take a
 * slice of it: a 10-row batch of a resident 1000-image task cost a 3 MB copy, a quarter of a
 * rotations-naive run. A contiguous slice is one copy inside the heap; other slices still go to
 * the original kernel. Needs no addon.
 */
export function registerWasmSliceFix(): void {
  replaceKernel(tf.Slice, 'wasm', (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (!tf.slice_util.isSliceContinous(x.shape, begin_, size_)) return original(args);
    const backend = args.backend as WasmBackend;
    const bytes = tf.util.bytesPerElement(x.dtype);
    const from = backend.dataIdMap.get(x.dataId).memoryOffset + bytes * tf.slice_util.computeFlatOffset(begin_, tf.util.computeStrides(x.shape));
    const out = backend.makeOutput(size_, x.dtype);
    const to = backend.dataIdMap.get(out.dataId).memoryOffset;
    backend.wasm.HEAPU8.copyWithin(to, from, from + bytes * tf.util.sizeFromShape(size_));
    return out;
  });
}

/**
 * Replaces the matmul-family kernels (BatchMatMul, _FusedMatMul) of the wasm or cpu backend
 * with OpenBLAS sgemm through the addon. Cases the addon does not cover (prelu and other fused
 * activations, odd bias shapes, non-float32, mismatched batches) go to the original kernel.
 * Returns false when the backend has no native path.
 */
export function registerNativeKernels(backendName: string, blas: NativeBlas): boolean {
  const storage = STORAGE[backendName];
  if (!storage) return false;
  const replace = (kernelName: string, kernelFunc: (original: tf.KernelFunc) => tf.KernelFunc) =>
    replaceKernel(kernelName, backendName, kernelFunc);

  replace(tf.BatchMatMul, (original) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const shapes = matMulShapes(a, b, transposeA, transposeB);
    if (!shapes) return original(args);
    return run(blas, storage, args.backend, a, b, transposeA, transposeB, shapes, undefined, 0);
  });

  replace(tf._FusedMatMul, (original) => (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
    const act = ACTIVATIONS[activation ?? 'linear'];
    const shapes = a && b ? matMulShapes(a, b, transposeA, transposeB) : undefined;
    const biasOk = !bias || (bias.dtype === 'float32' && bias.shape.length === 1 && (bias.shape[0] === 1 || bias.shape[0] === shapes?.n));
    if (!shapes || act === undefined || preluActivationWeights || !biasOk) return original(args);
    return run(blas, storage, args.backend, a!, b!, transposeA, transposeB, shapes, bias, act);
  });
  return true;
}

/** Kernel names of the dense layer ops (see native-dense.ts); registered only where the addon runs. */
export const DENSE = 'ClbenchDense';
export const DENSE_GRAD = 'ClbenchDenseGrad';

export interface DenseAttrs {
  readonly activation: 'relu' | 'linear';
}

/** DENSE_GRAD's attributes: without inputGradient (false) it returns only [dW, db]. */
export interface DenseGradAttrs extends DenseAttrs {
  readonly inputGradient?: boolean;
}

/**
 * y = act(x·W + b) for x [n, din], W [din, dout], b [dout], and its whole backward pass
 * (dx, dW, db from x, W, y, dy) as one kernel each, instead of the ~17 kernels tfjs runs for a
 * taped matMul + add + relu. See docs/performance.md.
 */
export function registerDenseKernels(backendName: string, blas: NativeBlas): void {
  const storage = STORAGE[backendName];
  if (!storage) return;
  for (const kernelName of [DENSE, DENSE_GRAD]) {
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({
    kernelName: DENSE,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, w, b } = inputs as Record<string, tf.TensorInfo>;
      const [n, din] = x.shape;
      const dout = w.shape[1];
      const { activation } = attrs as unknown as DenseAttrs;
      const shapes: MatMulShapes = { m: n, n: dout, k: din, batch: 1, aStride: 0, bStride: 0, outShape: [n, dout] };
      return run(blas, storage, backend, x, w, false, false, shapes, b, ACTIVATIONS[activation]);
    },
  });
  tf.registerKernel({
    kernelName: DENSE_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, w, y, dy } = inputs as Record<string, tf.TensorInfo>;
      const { activation, inputGradient = true } = attrs as unknown as DenseGradAttrs;
      const [n, din] = x.shape;
      const dout = w.shape[1];
      const dx = inputGradient ? storage.allocate(backend, [n, din]) : undefined;
      const dw = storage.allocate(backend, [din, dout]);
      const db = storage.allocate(backend, [dout]);
      const [X, W, Y, DY, DX, DW, DB] = [storage.read(backend, x), storage.read(backend, w), storage.read(backend, y), storage.read(backend, dy), dx?.target(), dw.target(), db.target()];
      blas.denseBackward(
        n, din, dout, activation === 'relu',
        X.buffer, X.offset, W.buffer, W.offset, Y.buffer, Y.offset, DY.buffer, DY.offset,
        DX?.buffer ?? null, DX?.offset ?? 0, DW.buffer, DW.offset, DB.buffer, DB.offset,
      );
      return dx ? [dx.info, dw.info, db.info] : [dw.info, db.info];
    },
  });
}

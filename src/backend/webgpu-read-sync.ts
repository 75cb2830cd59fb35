import { createRequire } from 'node:module';
import * as tf from './tf.js';
import { ClbenchError } from '../util/errors.js';

interface GpuBufferLike {
  readonly size: number;
  readonly mapState: string;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/** The members of tfjs-backend-webgpu 4.22's WebGPUBackend that the synchronous read uses (those of its getBufferData). */
interface WebGpuBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  tensorMap: { get(dataId: object): { values?: unknown; dtype: tf.DataType; resource?: GpuBufferLike } | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBufferLike; releaseBuffer(buffer: GpuBufferLike): void };
  commandEncoder: { copyBufferToBuffer(src: GpuBufferLike, srcOffset: number, dst: GpuBufferLike, dstOffset: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): void;
}

type LoopWhile = (pending: () => boolean) => void;

function loadLoopWhile(): LoopWhile {
  const optionalPackage = 'deasync'; // a variable: typechecks and bundles without the optional package
  try {
    return (createRequire(import.meta.url)(optionalPackage) as { loopWhile: LoopWhile }).loopWhile;
  } catch (err) {
    throw new ClbenchError(
      `backend 'webgpu' needs the optional package 'deasync' in Node, for synchronous reads: install it with npm install deasync (${(err as Error).message.split('\n')[0]})`,
      { cause: err },
    );
  }
}

/**
 * tfjs-backend-webgpu reads synchronously (dataSync) through an OffscreenCanvas, which only
 * browsers have: in Node every dataSync would throw. clbench reads synchronously where a value
 * steers the run (each step's loss, evaluation sums, GEM's projections), so in Node the read
 * copies the tensor into a mappable buffer as tfjs's asynchronous read does, and turns Node's
 * event loop (deasync), through which Dawn delivers the mapping, until the buffer is mapped. It
 * polls the buffer's mapState, not the mapAsync promise: inside a promise continuation, no
 * other continuation can run. Values already on the CPU are returned as before.
 */
export function installNodeReadSync(): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const backend = tf.backend() as unknown as WebGpuBackendLike & { clbenchReadSync?: true };
  if (backend.clbenchReadSync) return;
  const loopWhile = loadLoopWhile();
  const { GPUBufferUsage, GPUMapMode } = globalThis as unknown as { GPUBufferUsage: Record<string, number>; GPUMapMode: Record<string, number> };
  const canvasRead = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    const data = backend.tensorMap.get(dataId);
    if (!data?.resource || data.values != null || data.dtype === 'string' || data.dtype === 'complex64') return canvasRead(dataId);
    const source = data.resource;
    const staging = backend.bufferManager.acquireBuffer(source.size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.commandEncoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
    backend.submitQueue();
    let failure: unknown;
    staging.mapAsync(GPUMapMode.READ).catch((err: unknown) => (failure = err ?? new Error('mapAsync failed')));
    loopWhile(() => staging.mapState !== 'mapped' && failure === undefined);
    if (failure !== undefined) throw failure;
    const values = tf.util.convertBackendValuesAndArrayBuffer(staging.getMappedRange().slice(0), data.dtype);
    staging.unmap();
    backend.bufferManager.releaseBuffer(staging);
    backend.convertAndCacheOnCPU(dataId, values);
    return values;
  };
  backend.clbenchReadSync = true;
}

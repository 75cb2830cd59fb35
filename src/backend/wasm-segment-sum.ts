import * as tf from './tf.js';

/** The parts of the wasm backend a JavaScript kernel needs: outputs allocated in its heap, and views of them. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

/**
 * UnsortedSegmentSum for the wasm backend, which ships none: the gradient of tf.gather is a
 * segment sum, so without it a loss that gathers (a multi-head model picking each example's head,
 * an embedding lookup) cannot be differentiated on wasm. out[s, ...] = Σ_{j: ids[j] = s} x[j, ...];
 * ids outside [0, numSegments) are dropped, as in TensorFlow. Plain JavaScript over the heap: the
 * op sits in backward passes over small tensors.
 */
export const wasmUnsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const heap = backend as unknown as WasmHeap;
  const ids = tf.util.sizeFromShape(segmentIds.shape);
  const inner = ids === 0 ? 0 : tf.util.sizeFromShape(x.shape) / ids;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = heap.makeOutput(outShape, x.dtype);
  // Views taken after the allocation, which may have grown (and so moved) the heap.
  const target = heap.typedArrayFromHeap(out);
  const values = heap.typedArrayFromHeap(x);
  const segment = heap.typedArrayFromHeap(segmentIds);
  target.fill(0);
  for (let j = 0; j < ids; j++) {
    const s = segment[j];
    if (s < 0 || s >= numSegments) continue;
    const from = j * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) target[to + k] += values[from + k];
  }
  return out;
};

/** Registers the kernel once; the kernel registry accepts it before the wasm backend itself loads. */
export function registerWasmSegmentSum(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) return;
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: wasmUnsortedSegmentSum });
}

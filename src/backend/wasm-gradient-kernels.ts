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

/**
 * MaxPoolGrad for the wasm backend, replacing tfjs's own, which routes the gradient of a window
 * whose values are all negative to the window's first element instead of its maximum (tfjs 4.22).
 * Each window's gradient goes to its first maximum, as on the cpu backend (NHWC).
 */
export const wasmMaxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const heap = backend as unknown as WasmHeap;
  const out = heap.makeOutput([...input.shape], 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - info.padInfo.top;
      let rMin = rCorner;
      while (rMin < 0) rMin += dilationHeight;
      const rMax = Math.min(inHeight, effectiveFilterHeight + rCorner);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - info.padInfo.left;
        let cMin = cCorner;
        while (cMin < 0) cMin += dilationWidth;
        const cMax = Math.min(inWidth, effectiveFilterWidth + cCorner);
        for (let d = 0; d < C; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r += dilationHeight) {
            for (let c = cMin; c < cMax; c += dilationWidth) {
              const i = ((b * inHeight + r) * inWidth + c) * C + d;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[((b * outHeight + yR) * outWidth + yC) * C + d];
        }
      }
    }
  }
  return out;
};

/**
 * Registers the gradient kernels wasm lacks or gets wrong, once. The kernel registry accepts them
 * before the wasm backend itself loads.
 */
export function registerWasmGradientKernels(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm')?.kernelFunc === wasmUnsortedSegmentSum) return;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: wasmUnsortedSegmentSum });
  }
  if (tf.getKernel(tf.MaxPoolGrad, 'wasm')) tf.unregisterKernel(tf.MaxPoolGrad, 'wasm');
  tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: wasmMaxPoolGrad });
}

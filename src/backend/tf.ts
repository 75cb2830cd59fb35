/**
 * The single tfjs import for the whole code base. tfjs-core's Node bundle registers no gradient
 * functions; the `@tensorflow/tfjs` bundle does (and the cpu backend), so importing it once here
 * makes tf.grad, including second-order tf.grad of tf.grad, work on every backend.
 */
import '@tensorflow/tfjs';

export * from '@tensorflow/tfjs-core';

import * as tf from '../backend/tf.js';
import type { BenchWorkload, WorkloadOptions, WorkloadResult } from './types.js';

/** One run of a workload in this process, with the memory figures the report needs. */
export interface Measurement extends WorkloadResult {
  /** The process's peak resident set size so far, in MB (a fresh process per run makes it the run's). */
  readonly peakRssMB: number;
  /** Tensors alive after the run minus before: 0 when the run leaks nothing. */
  readonly tensorsLeaked: number;
}

export async function measure(workload: BenchWorkload, options: WorkloadOptions): Promise<Measurement> {
  const before = tf.memory().numTensors;
  const result = await workload.run(options);
  return {
    ...result,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    tensorsLeaked: tf.memory().numTensors - before,
  };
}

import { useBackend } from '../backend/select.js';
import { measure } from './measure.js';
import type { WorkerLine } from './run-bench.js';
import type { WorkloadOptions } from './types.js';
import { workloadNamed } from './workloads/index.js';

/** One measured run of one workload in this process, as the line the orchestrator parses. */
export async function runWorker(name: string, options: WorkloadOptions, backendName?: string): Promise<WorkerLine> {
  const workload = workloadNamed(name);
  const backend = await useBackend(backendName, { model: workload.model });
  const m = await measure(workload, options);
  return {
    workload: name,
    backend: backend.name,
    ...(backend.versions.openblas ? { openblas: backend.versions.openblas } : {}),
    wall_s: m.wallSeconds,
    ...(m.cpuSeconds !== undefined ? { cpu_s: m.cpuSeconds } : {}),
    peak_rss_mb: m.peakRssMB,
    tensors_leaked: m.tensorsLeaked,
    ...(m.tensorGrowth !== undefined ? { tensor_growth: m.tensorGrowth } : {}),
    quality: { ...m.quality },
    ...(m.extra ? { extra: { ...m.extra } } : {}),
  };
}

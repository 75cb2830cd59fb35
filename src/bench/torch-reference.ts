import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClbenchError } from '../util/errors.js';

export interface TorchSettings {
  readonly python: string;
  readonly script: string;
  /** Folder with the MNIST IDX files. */
  readonly mnist: string;
  /** torch.set_num_threads: the reference's README measures with 2. */
  readonly threads: number;
  readonly seed: number;
}

/** The reference lives next to the repository: ../shared/reference/torch_reference.py. */
export const DEFAULT_REFERENCE_SCRIPT = fileURLToPath(new URL('../../../shared/reference/torch_reference.py', import.meta.url));

export interface TorchRun {
  readonly wallSeconds: number;
  readonly quality: Record<string, number>;
  readonly engine: string;
}

/** Output of a child process, or its failure as a ClbenchError carrying the last stderr line. */
export function runChild(command: string, args: readonly string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new ClbenchError(`${what}: could not start ${command}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const last = stderr.trim().split('\n').pop() ?? '';
      reject(new ClbenchError(`${what} exited with code ${code}${last ? `: ${last}` : ''}`));
    });
  });
}

/** The last line of `output` that parses as a JSON object. */
export function lastJsonLine(output: string, what: string): Record<string, unknown> {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // not the result line; keep looking
    }
  }
  throw new ClbenchError(`${what} printed no JSON result line; its output was:\n${output.slice(-500)}`);
}

export function checkTorchSettings(settings: TorchSettings): void {
  if (!existsSync(settings.script)) {
    throw new ClbenchError(`--reference: the PyTorch reference script ${settings.script} does not exist (set --reference-script)`);
  }
  if (!existsSync(settings.python)) throw new ClbenchError(`--reference: ${settings.python} does not exist (set --python)`);
}

const NOT_QUALITY = new Set(['workload', 'engine', 'threads', 'wall_s']);

/** One run of the PyTorch reference with `args` (its workload name and options). */
export async function runTorch(settings: TorchSettings, args: readonly string[]): Promise<TorchRun> {
  const fullArgs = [settings.script, ...args, '--mnist', settings.mnist, '--seed', String(settings.seed), '--threads', String(settings.threads)];
  const line = lastJsonLine(await runChild(settings.python, fullArgs, `torch_reference.py ${args[0]}`), 'torch_reference.py');
  const quality: Record<string, number> = {};
  for (const [key, value] of Object.entries(line)) if (!NOT_QUALITY.has(key) && typeof value === 'number') quality[key] = value;
  return { wallSeconds: Number(line.wall_s), quality, engine: String(line.engine) };
}

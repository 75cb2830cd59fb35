import { Command, CommanderError } from 'commander';
import { ClbenchError } from '../util/errors.js';
import { chalkFor } from './color.js';
import { registerBench } from './commands/bench.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerReport } from './commands/report.js';
import { registerReproductions } from './commands/reproductions.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerSchema } from './commands/schema.js';
import { registerSweep } from './commands/sweep.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';

/**
 * What escapes the command's promise: a reader that closed our stdout (`clbench runs | head`) ends
 * us quietly; an error thrown asynchronously (a plug-in's timer, say) is reported like any other.
 * For the command-line process only (bin/clbench.js), not for callers of main() in-process.
 */
export function guardProcess(verbose: boolean): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const report = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${chalkFor('stderr').red('clbench: error:')} ${message} (thrown asynchronously, by a plug-in or by clbench)\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else if (!verbose) process.stderr.write('(run with --verbose for the stack trace)\n');
    process.exit(err instanceof ClbenchError ? 2 : 1);
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

/** Runs the CLI; resolves to the exit code. User errors print one line, bugs a hint to --verbose. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('clbench')
    .description('Continual- and meta-learning benchmarks on TensorFlow.js')
    .option('--verbose', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  // One line per command; each lives in its own file under ./commands.
  registerRun(program);
  registerValidate(program);
  registerList(program);
  registerReport(program);
  registerSchema(program);
  registerSweep(program);
  registerWorker(program);
  registerRuns(program);
  registerBench(program);
  registerReproductions(program);
  registerNew(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const verbose = Boolean(program.opts().verbose) || argv.includes('--verbose');
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${chalkFor('stderr').red('clbench: error:')} ${message}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else if (!(err instanceof ClbenchError)) process.stderr.write('(this looks like a bug in clbench; run with --verbose for the stack trace)\n');
    return err instanceof ClbenchError ? 2 : 1;
  }
}

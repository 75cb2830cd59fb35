import type { Command } from 'commander';

/** Adds the repeatable `--set PATH=VALUE` scenario override to a command (flags.set: string[]). */
export function withSetOption(command: Command): Command {
  return command.option(
    '--set <path=value>',
    'override a scenario option, validated like the file (repeatable): e.g. --set learners.ewc.lambda=10 --set stream.tasks=3; a learner is named by its label',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  );
}

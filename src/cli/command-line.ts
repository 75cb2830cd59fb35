/** Characters a POSIX shell reads as part of a plain word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a shell word: as it is when plain, else single-quoted ('ER 500,DER++ 500'). */
export function shellWord(arg: string): string {
  return PLAIN.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line a result records, pasteable into a shell: `--learners "ER 500","DER++ 500"`
 * arrives as one argument with spaces in it and is written back quoted.
 */
export function commandLine(args: readonly string[]): string {
  return ['clbench', ...args.map(shellWord)].join(' ');
}

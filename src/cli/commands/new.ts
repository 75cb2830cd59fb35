import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { learners } from '../../learners/registry.js';
import { ClbenchError } from '../../util/errors.js';
import { learnerScaffold } from '../scaffold/learner-files.js';

const LEARNER_TYPE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Writes the scaffold of a learner plug-in into `dir`; refuses to overwrite anything. */
export function writeLearnerScaffold(type: string, dir: string): string[] {
  if (!LEARNER_TYPE.test(type)) {
    throw new ClbenchError(`new learner: '${type}' is not a valid learner type; use lowercase letters, digits and single hyphens, e.g. 'my-replay'`);
  }
  if (learners.has(type)) throw new ClbenchError(`new learner: '${type}' is a built-in learner; choose another name`);
  const files = learnerScaffold(type).map((f) => ({ ...f, path: join(dir, f.path) }));
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length > 0) throw new ClbenchError(`new learner: ${existing.join(', ')} already exist(s); nothing written`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(f.path, f.content);
  return files.map((f) => f.path);
}

export function registerNew(program: Command): void {
  program
    .command('new')
    .description('scaffold a plug-in')
    .command('learner <name>')
    .description('write NAME.ts (the learner), NAME.scenario.json (it against naive) and NAME.test.ts (vitest: it learns, no leaks)')
    .option('--dir <dir>', 'where to write the files', '.')
    .action((name: string, flags: { dir: string }) => {
      const written = writeLearnerScaffold(name, flags.dir);
      process.stdout.write(`wrote ${written.join(', ')}\n`);
      process.stdout.write(`next: npx clbench run ${written[1]} --plugin ${written[0]} --quick\n      npx vitest run ${written[2]}\n`);
    });
}

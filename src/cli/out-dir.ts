import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ClbenchError } from '../util/errors.js';

/**
 * Creates an output folder (and its parents) and checks that it is a writable directory, so that
 * a wrong --out fails at once with the flag named, not after the first run.
 */
export function prepareOutDir(dir: string, flag = '--out'): string {
  if (dir.trim() === '') throw new ClbenchError(`${flag} is empty; give a folder`);
  // One level at a time: Node's recursive mkdir loops forever under /proc.
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!existsSync(existing)) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  if (!statSync(existing).isDirectory()) {
    throw new ClbenchError(`${flag} ${dir}: ${existing === resolve(dir) ? 'exists and' : existing} is not a folder`);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      throw new ClbenchError(`${flag} ${dir}: cannot create ${folder} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ClbenchError(`${flag} ${dir}: this folder is not writable`);
  }
  return dir;
}

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClbenchError } from '../util/errors.js';

/** Imports user modules that register their own learners, streams, models or metrics. */
export async function loadPlugins(files: readonly string[] | undefined): Promise<void> {
  for (const file of files ?? []) {
    try {
      await import(pathToFileURL(resolve(file)).href);
    } catch (err) {
      throw new ClbenchError(`--plugin ${file}: could not be loaded: ${(err as Error).message}`, { cause: err });
    }
  }
}

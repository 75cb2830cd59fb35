import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClbenchError } from '../util/errors.js';

/** Extensions jiti compiles on the fly; anything else is imported by Node directly. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Imports one plug-in module. TypeScript goes through jiti: pure JavaScript with no dependencies
 * (nothing native to build, so it installs with `--omit=optional` and works offline), and it
 * hands packages such as `clbench` to Node's own loader, so a plug-in registers into the same
 * registries the CLI reads.
 */
async function importPlugin(path: string): Promise<void> {
  if (!TYPESCRIPT.has(extname(path))) {
    await import(pathToFileURL(path).href);
    return;
  }
  const { createJiti } = await import('jiti');
  await createJiti(pathToFileURL(path).href).import(path);
}

/** Imports user modules (.js, .mjs or .ts) that register their own learners, streams, models or metrics. */
export async function loadPlugins(files: readonly string[] | undefined): Promise<void> {
  for (const file of files ?? []) {
    const path = resolve(file);
    if (!existsSync(path)) throw new ClbenchError(`--plugin ${file}: no such file (looked for ${path})`);
    try {
      await importPlugin(path);
    } catch (err) {
      throw new ClbenchError(`--plugin ${file}: could not be loaded: ${(err as Error).message}`, { cause: err });
    }
  }
}

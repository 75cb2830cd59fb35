import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registries } from '../../runner/registries.js';
import { scenarioSchema } from '../../scenario/schema.js';
import { loadPlugins } from '../plugins.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the scenario JSON Schema (built from the registered pieces), for editors and docs')
    .option('--out <file>', 'write it to a file instead of stdout')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first')
    .action(async (flags: { out?: string; plugin?: string[] }) => {
      await loadPlugins(flags.plugin);
      const text = `${JSON.stringify(scenarioSchema(registries), null, 2)}\n`;
      if (flags.out) writeFileSync(flags.out, text);
      else process.stdout.write(text);
    });
}

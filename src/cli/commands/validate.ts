import type { Command } from 'commander';
import { previewStream } from '../../runner/run-scenario.js';
import { loadScenario } from '../../scenario/load.js';
import { learnerLabel } from '../../scenario/types.js';
import { loadPlugins } from '../plugins.js';
import { withSetOption } from '../set-option.js';

export function registerValidate(program: Command): void {
  withSetOption(program
    .command('validate <scenario>')
    .description('check a scenario file (schema, learners, and that its data can be loaded)')
    .option('--quick', 'validate with the quick overrides applied')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first'))
    .action(async (file: string, flags: { quick?: boolean; plugin?: string[]; set: string[] }) => {
      await loadPlugins(flags.plugin);
      const scenario = loadScenario(file, { quick: flags.quick, set: flags.set });
      const { info, parameters } = await previewStream(scenario);
      const learners = scenario.learners.map(learnerLabel).join(', ');
      process.stdout.write(
        `${file}: ok — ${scenario.name}: ${info.description}; model ${parameters} parameters; learners ${learners}; seeds ${scenario.seeds.join(', ')}\n`,
      );
    });
}

import type { Command } from 'commander';
import { adaptationMetricDefinitions } from '../../metrics/adaptation.js';
import { metrics } from '../../metrics/registry.js';
import { registries } from '../../scenario/registries.js';
import type { JsonSchema, RegistryEntry } from '../../util/registry.js';
import { loadPlugins } from '../plugins.js';

interface OptionDoc {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

function optionsOf(entry: RegistryEntry): OptionDoc[] {
  const schema = entry.options as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, schema: s, required: (schema.required ?? []).includes(name) }));
}

function describeOption({ name, schema, required }: OptionDoc): string {
  const kind = schema.enum ? (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join('|') : String(schema.type ?? 'value');
  const dflt = schema.default !== undefined ? ` = ${JSON.stringify(schema.default)}` : '';
  const req = required ? ' (required)' : '';
  return `      ${name}: ${kind}${dflt}${req}${schema.description ? ` — ${String(schema.description)}` : ''}`;
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the registered streams, models, learners and metrics with their options, and the adaptation metrics of meta runs')
    .option('--json', 'machine-readable output')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first')
    .action(async (flags: { json?: boolean; plugin?: string[] }) => {
      await loadPlugins(flags.plugin);
      const groups = {
        streams: registries.streams.list(),
        models: registries.models.list(),
        learners: registries.learners.list(),
        metrics: metrics.list(),
        // Computed from a meta run's adaptation curve, not from the accuracy matrices: not registry entries.
        adaptationMetrics: adaptationMetricDefinitions.map((d) => ({ type: d.name, description: d.description, formula: d.formula, options: {} })),
      };
      if (flags.json) {
        const json = Object.fromEntries(
          Object.entries(groups).map(([k, entries]) => [
            k,
            entries.map((e) => ({ name: e.type, description: e.description, options: e.options, ...('formula' in e ? { formula: e.formula } : {}) })),
          ]),
        );
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      for (const [group, entries] of Object.entries(groups)) {
        process.stdout.write(`${group === 'adaptationMetrics' ? 'adaptation metrics (meta runs)' : group}:\n`);
        for (const e of entries) {
          process.stdout.write(`  ${e.type} — ${e.description}\n`);
          if ('formula' in e) process.stdout.write(`      ${String(e.formula)}\n`);
          for (const option of optionsOf(e)) process.stdout.write(`${describeOption(option)}\n`);
        }
      }
    });
}

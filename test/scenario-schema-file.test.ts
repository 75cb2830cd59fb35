import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registries } from '../src/scenario/registries.js';
import { scenarioSchema } from '../src/scenario/schema.js';

describe('docs/scenario.schema.json', () => {
  // Every shipped scenario names this file as its `$schema`, so editors validate against it; it
  // must say what the registries say. Regenerate with `clbench schema --out docs/scenario.schema.json`.
  it('is the schema the built-in registries assemble', () => {
    const shipped: unknown = JSON.parse(readFileSync('docs/scenario.schema.json', 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(scenarioSchema(registries))));
  });
});

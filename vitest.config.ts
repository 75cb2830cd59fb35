import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name, as a user's code would.
    alias: { clbench: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // tfjs backends are process-global: separate processes keep test files independent.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

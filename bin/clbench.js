#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm run build` (run by `npm install`).
import { guardProcess, main } from '../dist/cli/main.js';
guardProcess(process.argv.includes('--verbose'));
main(process.argv).then((code) => {
  process.exitCode = code;
  // Dawn's GPU instance (--backend webgpu) keeps Node running until it is collected (webgpu's README, "Lifetime").
  if (globalThis.navigator?.gpu) process.exit(code);
});

#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm run build` (run by `npm install`).
import { guardProcess, main } from '../dist/cli/main.js';
guardProcess(process.argv.includes('--verbose'));
main(process.argv).then((code) => { process.exitCode = code; });

// The clbench CLI with its tfjs backends bundled in (a bundle cannot import them by name at run time).
import process from 'node:process';
import './navigator-placeholder.mjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { main } from '../../dist/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
  process.exit(code); // as bin/clbench.js: Dawn's GPU instance would keep Node running
});

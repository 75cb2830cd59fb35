// bench/backend-micro.mjs with its tfjs backends bundled in.
import './navigator-placeholder.mjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import '../backend-micro.mjs';

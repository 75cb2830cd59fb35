import process from 'node:process';

// Bundle entries import this first: tfjs-backend-webgpu registers its backend at import only when
// navigator.gpu exists. `--backend webgpu` replaces it with Dawn's (src/backend/webgpu.ts) before
// the backend is created; without that the placeholder is never used.
if (!globalThis.navigator?.gpu) {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: {}, userAgent: `node ${process.version}` }, configurable: true });
}

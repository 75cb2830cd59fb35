export { BACKENDS, type BackendInfo, type BackendName, isBackendName, useBackend } from './select.js';

/**
 * Kept for La-MAML (continual-meta/lamaml.ts), which is being rewritten: the losses live in
 * models/losses.ts. Delete this file once nothing imports it.
 */
export type { LossFn } from '../../models/losses.js';
export { crossEntropy } from '../../models/losses.js';

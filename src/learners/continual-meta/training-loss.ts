/**
 * Kept for La-MAML (lamaml.ts), which is being rewritten: the training loss is models/losses.ts'
 * `trainingLossFor`. Delete this file once nothing imports it.
 */
export { trainingLossFor as trainingLoss } from '../../models/losses.js';

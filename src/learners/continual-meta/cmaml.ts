import { cMamlMode, laMamlFamilyEntry } from './lamaml.js';

/**
 * C-MAML (Gupta et al. 2020, the paper's continual-MAML baseline): La-MAML's online look-ahead
 * meta-objective with the inner step sizes α fixed at alphaInit and θ updated synchronously by SGD
 * at lr. It is the same learner as La-MAML (lamaml.ts) with learning of α switched off.
 */
export const cMamlEntry = laMamlFamilyEntry(
  'cmaml', cMamlMode,
  'C-MAML (Gupta et al. 2020): online look-ahead meta-learning with a fixed inner step size α and synchronous SGD on θ',
  { alphaInit: 0.1, glances: 5 },
);

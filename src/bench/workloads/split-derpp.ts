import { fileURLToPath } from 'node:url';
import { registries as productRegistries } from '../../scenario/registries.js';
import { loadScenario } from '../../scenario/load.js';
import { learnerLabel } from '../../scenario/types.js';
import { ClbenchError } from '../../util/errors.js';
import type { BenchWorkload, WorkloadOptions } from '../types.js';
import { runContinual } from './continual.js';

/** The DER paper's Seq-MNIST, as shipped (src/ and dist/ are both three levels below the root). */
const DER_SEQ_MNIST = fileURLToPath(new URL('../../../scenarios/der-seq-mnist.json', import.meta.url));

/** The learner the workload runs: Mammoth's best_args for seq-mnist, buffer 500 (lr .03, minibatch 10, α 1, β .5). */
const LABEL = 'DER++ 500';

/**
 * DER++ 500 on the DER paper's Seq-MNIST: the stream, model, protocol and learner of
 * scenarios/der-seq-mnist.json (5 tasks of 2 digits, every image of them, batch 10, one pass,
 * MLP 784-100-100-10 with all 10 outputs trained), one seed. `limit` caps the training and test
 * images per task for a short measurement, which the reference cannot make: no race then.
 */
async function runSplitDerpp({ seed, limit }: WorkloadOptions) {
  const scenario = loadScenario(DER_SEQ_MNIST, {}, productRegistries);
  const learner = scenario.learners.find((l) => learnerLabel(l) === LABEL);
  if (!learner) throw new ClbenchError(`bench split-derpp: ${DER_SEQ_MNIST} has no learner labelled '${LABEL}'`);
  return runContinual({
    learner,
    seed,
    stream: { ...scenario.stream, ...(limit === undefined ? {} : { trainPerTask: limit, testPerTask: limit }) },
    model: scenario.model,
    protocol: scenario.protocol,
  });
}

export const splitDerpp: BenchWorkload = {
  name: 'split-derpp',
  model: 'mlp',
  description: 'DER++ 500 on the DER paper’s Seq-MNIST (scenarios/der-seq-mnist.json): 5 tasks of 2 digits, all images, batch 10, one pass, class-IL and task-IL ACC',
  unavailable: async () => (productRegistries.learners.has('derpp') ? undefined : "learner 'derpp' is not registered"),
  torchArgs: ({ limit }) => (limit === undefined ? ['split-derpp', '--buffer', '500'] : undefined),
  run: runSplitDerpp,
};

/**
 * The files `clbench new learner NAME` writes: a plug-in, a scenario that runs it against
 * `naive`, and a vitest test. Each is complete as generated: the test passes before any edit.
 */

export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
}

/** "my-replay" → "MyReplay": the class name of a learner type. */
export function className(type: string): string {
  return type.split('-').filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

function plugin(type: string): string {
  const cls = className(type);
  return `/**
 * ${type}: a continual learner, registered as a clbench plug-in.
 * Run it:   npx clbench run ${type}.scenario.json --plugin ${type}.ts
 * Test it:  npx vitest run ${type}.test.ts
 * The learner API (ModelLearner, LearnerContext, what to dispose): node_modules/clbench/docs/learner-api.md
 */
import { type Batch, ModelLearner, type OptimizerOptions, type TaskInfo, type TrainSplit, learners, optimizerSchema } from 'clbench';

export interface ${cls}Options extends OptimizerOptions {
  // Add your options here and to the schema below; the scenario is validated against it.
}

export class ${cls} extends ModelLearner {
  constructor(readonly options: ${cls}Options) {
    super(options);
  }

  /** One incoming batch: one optimizer step on its loss (plain fine-tuning until you change it). */
  observe(batch: Batch): number {
    return this.step(() => this.batchLoss(batch.x, batch.y, batch.taskIndex));
  }

  /** Called after each task's last batch (never on task-free streams); \`train\` is that task's training split. */
  override endTask(_task: TaskInfo, _train: TrainSplit): void {}

  /** Dispose every tensor this learner keeps, then the parameters. */
  override dispose(): void {
    super.dispose();
  }
}

learners.register({
  type: '${type}',
  description: '${type} (a plug-in learner)',
  options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] },
  create: (options: ${cls}Options) => new ${cls}(options),
});
`;
}

function scenario(type: string): string {
  return `${JSON.stringify({
    name: type,
    description: `${type} against plain fine-tuning (naive) on three rotated-MNIST tasks.`,
    stream: { type: 'rotated-mnist', dataset: 'mnist', tasks: 3, trainPerTask: 500, testPerTask: 500 },
    model: { type: 'mlp', hidden: [100, 100] },
    protocol: { batchSize: 10, epochs: 1, evalEvery: 10 },
    learners: [{ type: 'naive', lr: 0.03 }, { type, lr: 0.03 }],
    seeds: [0, 1, 2],
    quick: { seeds: [0] },
  }, null, 2)}\n`;
}

function test(type: string): string {
  return `import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learners, resolveScenario, runScenario, tf, useBackend } from 'clbench';
import './${type}.js'; // registers '${type}', as --plugin does

// Three small rotated-MNIST tasks: a few seconds of training.
const scenario = resolveScenario({
  name: '${type}-test',
  stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 300, testPerTask: 200 },
  model: { type: 'mlp', hidden: [64] },
  protocol: { batchSize: 10, evalEvery: 0 },
  learners: [{ type: '${type}', lr: 0.05 }],
  seeds: [0],
});

describe('${type}', () => {
  it('is registered', () => {
    expect(learners.has('${type}')).toBe(true);
  });

  it('learns every task and leaks no tensors', async () => {
    const backend = await useBackend();
    const before = tf.memory().numTensors;
    const atTaskEnds: number[] = [];
    const result = await runScenario(scenario, {
      outDir: mkdtempSync(join(tmpdir(), '${type}-')),
      backend,
      onEvent: (e) => {
        if (e.type === 'task-end') atTaskEnds.push(tf.memory().numTensors);
      },
    });
    const [run] = result.runs;
    expect(run.status, run.error).toBe('completed');
    // Chance is 10 %: right after training on a task (300 images, one pass), its test accuracy
    // must be at least three times that (plain fine-tuning reaches about 0.5).
    for (let t = 0; t < 3; t++) expect(run.accuracyMatrix[t][t]).toBeGreaterThan(0.3);
    // The same number of live tensors after the 2nd and 3rd task, and none left after the run.
    expect(atTaskEnds[2]).toBe(atTaskEnds[1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
`;
}

/** The three files of a new learner plug-in named `type`. */
export function learnerScaffold(type: string): ScaffoldFile[] {
  return [
    { path: `${type}.ts`, content: plugin(type) },
    { path: `${type}.scenario.json`, content: scenario(type) },
    { path: `${type}.test.ts`, content: test(type) },
  ];
}

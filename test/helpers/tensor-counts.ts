import { expect } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import type { BackendInfo } from '../../src/backend/select.js';
import type { RunEvent } from '../../src/events/run-events.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import type { Scenario } from '../../src/scenario/types.js';
import { tempDir } from './scenario.js';

/**
 * Runs a scenario and records tf.memory().numTensors, per learner, at every event `at` selects
 * (task ends, chosen meta-iterations). Every run must complete, and no tensor may outlive the runs.
 */
export async function tensorCountsAt(scenario: Scenario, backend: BackendInfo, at: (event: RunEvent) => boolean): Promise<Map<string, number[]>> {
  const counts = new Map<string, number[]>();
  const before = tf.memory().numTensors;
  const result = await runScenario(scenario, {
    outDir: tempDir(),
    backend,
    onEvent: (e) => {
      if (at(e)) counts.set(e.learner, [...(counts.get(e.learner) ?? []), tf.memory().numTensors]);
    },
  });
  for (const run of result.runs) expect(run.status, `${run.learner}: ${run.error ?? ''}`).toBe('completed');
  expect(tf.memory().numTensors).toBe(before); // nothing survives a run
  return counts;
}

/** Selects task ends: the count after each task. */
export const atTaskEnds = (e: RunEvent): boolean => e.type === 'task-end';

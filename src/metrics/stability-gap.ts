import { type EvalPoint, completePoints, endPoint, firstTasks, meanAccuracy, trainingPoints } from './eval-points.js';
import { meanIfAllKnown } from './matrix-helpers.js';
import type { MetricEntry, RunMatrices } from './types.js';

/** "Back within 1 point": the recovery band, in accuracy units. */
export const RECOVERY_BAND = 0.01;

/** The stability gap at the switch to task `task`, read off the old tasks' (0..task−1) mean accuracy. */
export interface StabilityGap {
  readonly task: number;
  /** The old tasks' mean accuracy at the switch: at the last point of task−1. */
  readonly atSwitch: number;
  /** Largest drop below atSwitch while training on `task` (0 if it never drops). */
  readonly depth: number;
  /** Batches into `task` of the lowest point. */
  readonly lowestAfter: number;
  /** Batches into `task` until the mean is back within RECOVERY_BAND of atSwitch; 0 if it never left; null: never within the task. */
  readonly recovery: number | null;
}

/**
 * The gap of every task switch (1..T−1), or null for a switch whose task has fewer than two
 * evaluation points after its first batch (task-end evaluation alone cannot show a gap).
 */
export function stabilityGaps(points: readonly EvalPoint[], T: number): (StabilityGap | null)[] {
  return Array.from({ length: Math.max(T - 1, 0) }, (_, s) => {
    const task = s + 1;
    const old = firstTasks(task);
    const before = endPoint(points, task - 1);
    const during = trainingPoints(points, task);
    const atSwitch = before ? meanAccuracy(before, old) : null;
    const means = during.map((p) => meanAccuracy(p, old));
    if (atSwitch === null || during.length < 2 || means.some((m) => m === null)) return null;
    const curve = means as number[];
    let lowest = 0;
    for (let i = 1; i < curve.length; i++) if (curve[i] < curve[lowest]) lowest = i;
    const drop = atSwitch - curve[lowest];
    let recovery: number | null = 0;
    if (drop > RECOVERY_BAND) {
      const back = curve.findIndex((m, i) => i > lowest && m >= atSwitch - RECOVERY_BAND);
      recovery = back < 0 ? null : during[back].batchInTask;
    }
    return { task, atSwitch, depth: Math.max(drop, 0), lowestAfter: during[lowest].batchInTask, recovery };
  });
}

/** The mean of one field over every switch, or null if any switch lacks it. */
function meanOverSwitches({ R, trace }: RunMatrices, field: 'depth' | 'recovery'): number | null {
  const points = completePoints(trace, R.length);
  if (!points) return null;
  return meanIfAllKnown(stabilityGaps(points, R.length).map((g) => (g ? g[field] : null)));
}

export const gapDepthEntry: MetricEntry = {
  type: 'gapDepth',
  description: 'Stability gap depth: the largest drop of the old tasks’ mean accuracy below its value at the task switch, while training on the new task; mean over switches (De Lange et al. 2023)',
  formula: 'gapDepth = 1/(T−1) Σ_{t≥2} max(0, m_t(switch) − min_{n in task t} m_t(n)),  m_t = mean accuracy of tasks 1..t−1',
  higherIsBetter: false,
  options: {},
  compute: (run) => meanOverSwitches(run, 'depth'),
};

export const gapRecoveryEntry: MetricEntry = {
  type: 'gapRecovery',
  description: 'Stability gap recovery: batches after the switch until the old tasks’ mean accuracy is back within 1 point of its value at the switch (0 if it never left); mean over switches, null if one never recovers within its task',
  formula: 'gapRecovery = 1/(T−1) Σ_{t≥2} min { b ≥ b_lowest : m_t(b) ≥ m_t(switch) − 0.01 }',
  higherIsBetter: false,
  options: {},
  compute: (run) => meanOverSwitches(run, 'recovery'),
};

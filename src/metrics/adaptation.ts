/**
 * Few-shot adaptation metrics: how fast a learner adapts to a new task. Pure functions over the
 * query scores of meta-test episodes after k = 0..K adaptation steps on their support sets.
 */

/**
 * One point of the adaptation curve: the mean score after `steps` steps over the `n` episodes whose
 * score is finite, ± its 95% CI, and how many episodes scored NaN or ±Infinity (`nonFinite`). When
 * `nonFinite` > 0 the mean over all episodes is undefined: the point is drawn from the finite ones,
 * but adapt@k, adaptAUC and stepsToTarget do not read it.
 */
export interface AdaptationPoint {
  readonly steps: number;
  readonly mean: number;
  /** Half-width of the 95% confidence interval of the mean (normal approximation, 1.96·s/√n; 0 for n = 1). */
  readonly ci95: number;
  readonly n: number;
  /** Episodes whose score was not finite (left out of mean, ci95 and n). Absent in records written before it existed. */
  readonly nonFinite?: number;
}

/** A point of the meta-training curve: the interim evaluation after `iteration` meta-updates. */
export interface MetaCurvePoint extends AdaptationPoint {
  readonly iteration: number;
}

export interface AdaptationSettings {
  /** Steps reported as adapt@k. */
  readonly reportSteps: readonly number[];
  /** The score steps-to-target waits for; undefined: not measured. */
  readonly target?: number;
  /** True for accuracy; false for a loss such as MSE. */
  readonly higherIsBetter: boolean;
}

/** Mean and 95% CI half-width of the finite values (n of them); `nonFinite` counts the others. */
export function meanCi95(values: readonly number[]): { mean: number; ci95: number; n: number; nonFinite: number } {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  const nonFinite = values.length - n;
  if (n === 0) return { mean: NaN, ci95: NaN, n: 0, nonFinite };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, ci95: 0, n, nonFinite };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, ci95: (1.96 * Math.sqrt(variance)) / Math.sqrt(n), n, nonFinite };
}

/** The adaptation curve from scores[k] = the episodes' scores after k steps (missing steps are skipped). */
export function adaptationCurve(scores: ReadonlyMap<number, readonly number[]>): AdaptationPoint[] {
  return [...scores.keys()].sort((a, b) => a - b).map((steps) => ({ steps, ...meanCi95(scores.get(steps)!) }));
}

/** Whether a point's mean is the mean over all its episodes: finite, and no episode left out as non-finite. */
function isDefined(point: AdaptationPoint): boolean {
  return Number.isFinite(point.mean) && !point.nonFinite;
}

/** How many times its own score before adapting an episode's final loss must exceed to count as diverged. */
export const DIVERGENCE_RATIO = 1000;

/**
 * Whether fine-tuning diverged on an episode, from its score before adapting (k = 0) and after the
 * last step (k = K): the final score is not finite, or, for a loss, more than DIVERGENCE_RATIO times
 * the score before adapting — steps that multiply the unadapted model's error a thousandfold are
 * amplifying it, not fitting the support set. An accuracy is bounded, so only non-finite counts.
 */
export function isDivergedEpisode(before: number, after: number, higherIsBetter: boolean): boolean {
  if (!Number.isFinite(after)) return true;
  return !higherIsBetter && after > DIVERGENCE_RATIO * before;
}

/** The number of episodes, given as [score at k = 0, score at k = K] pairs, on which fine-tuning diverged. */
export function divergedEpisodes(episodes: readonly (readonly [number, number])[], higherIsBetter: boolean): number {
  return episodes.filter(([before, after]) => isDivergedEpisode(before, after, higherIsBetter)).length;
}

/**
 * The fewest steps after which the mean score reaches the target (≥ for accuracy, ≤ for a loss),
 * or null if it never does within the curve. A step with a non-finite episode has no mean: it never counts.
 */
export function stepsToTarget(curve: readonly AdaptationPoint[], target: number, higherIsBetter: boolean): number | null {
  const hit = curve.find((p) => isDefined(p) && (higherIsBetter ? p.mean >= target : p.mean <= target));
  return hit ? hit.steps : null;
}

/**
 * Area under the adaptation curve by the trapezoid rule, divided by its width K: the curve's
 * average height over 0..K steps, in score units (the score itself when K = 0). Null if any point
 * is not finite or has a non-finite episode.
 */
export function adaptationAuc(curve: readonly AdaptationPoint[]): number | null {
  if (curve.length === 0 || !curve.every(isDefined)) return null;
  if (curve.length === 1) return curve[0].mean;
  let area = 0;
  for (let i = 1; i < curve.length; i++) area += ((curve[i].mean + curve[i - 1].mean) / 2) * (curve[i].steps - curve[i - 1].steps);
  return area / (curve[curve.length - 1].steps - curve[0].steps);
}

/** The steps reported by default: 0, 1, 5, 10 that fit in 0..K, and K itself. */
export function defaultReportSteps(adaptSteps: number): number[] {
  return [...new Set([0, 1, 5, 10].filter((k) => k <= adaptSteps).concat(adaptSteps))].sort((a, b) => a - b);
}

/**
 * The scalar adaptation metrics of a run: adapt@k for each reported k (null when an episode's score
 * after k steps is not finite: the mean over all episodes is then undefined), adaptAUC,
 * stepsToTarget (with a target) and, given the episodes' [k = 0, k = K] scores, divergedEpisodes.
 */
export function adaptationMetrics(
  curve: readonly AdaptationPoint[],
  settings: AdaptationSettings,
  episodes?: readonly (readonly [number, number])[],
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of settings.reportSteps) {
    const point = curve.find((p) => p.steps === k);
    out[`adapt@${k}`] = point && isDefined(point) ? point.mean : null;
  }
  out.adaptAUC = adaptationAuc(curve);
  if (settings.target !== undefined) out.stepsToTarget = stepsToTarget(curve, settings.target, settings.higherIsBetter);
  if (episodes) out.divergedEpisodes = divergedEpisodes(episodes, settings.higherIsBetter);
  return out;
}

/** What each adaptation metric means, for reports. */
export const adaptationMetricDefinitions: readonly { readonly name: string; readonly formula: string; readonly description: string }[] = [
  { name: 'adapt@k', formula: 'mean over meta-test episodes of the query score after k steps', description: 'Query score after k adaptation steps on the support set (MSE for regression, accuracy for classification); null when an episode scored NaN or ±Infinity after k steps' },
  { name: 'adaptAUC', formula: '(1/K) Σ_{k<K} (s_k + s_{k+1})/2', description: 'Area under the adaptation curve over 0..K steps, divided by K: the average score while adapting' },
  { name: 'stepsToTarget', formula: 'min { k : s_k reaches the target }', description: 'Fewest adaptation steps whose mean query score reaches protocol.adaptTarget (null: never within K)' },
  { name: 'divergedEpisodes', formula: `#{ e : s_K(e) not finite, or (loss) s_K(e) > ${DIVERGENCE_RATIO} · s_0(e) }`, description: `Meta-test episodes on which fine-tuning diverged: the query score after the last step K is NaN or ±Infinity, or a loss more than ${DIVERGENCE_RATIO} times the episode's own loss before adapting` },
];

import { type OperatorFunction, map, reduce } from 'rxjs';
import type { AdaptEvalEvent, MetaStartEvent, RunEvent } from '../../events/run-events.js';
import {
  type AdaptationPoint,
  type MetaCurvePoint,
  adaptationCurve,
  adaptationMetrics,
} from '../adaptation.js';

/** A meta-learning run's adaptation results, ready for its RunRecord. */
export interface AdaptationResult {
  /** The final meta-test adaptation curve: score after k = 0..K steps, mean ± 95% CI over episodes. */
  readonly curve: AdaptationPoint[];
  /** The interim evaluations during meta-training: one curve per evaluated iteration. */
  readonly metaCurve: MetaCurvePoint[];
  /** adapt@k, adaptAUC, (with a target) stepsToTarget, and divergedEpisodes. */
  readonly metrics: Record<string, number | null>;
}

interface Fold {
  start?: MetaStartEvent;
  /** The final evaluation by episode: its score after each number of steps (the curve and divergedEpisodes read it). */
  finalByEpisode: Map<number, Map<number, number>>;
  interim: Map<number, Map<number, number[]>>;
}

function add(byStep: Map<number, number[]>, steps: number, score: number): void {
  const list = byStep.get(steps);
  if (list) list.push(score);
  else byStep.set(steps, [score]);
}

function fold(acc: Fold, e: RunEvent): Fold {
  if (e.type === 'meta-start') acc.start = e;
  if (e.type !== 'adapt-eval' || !acc.start) return acc;
  const score = (e as AdaptEvalEvent)[acc.start.score];
  if (e.phase === 'final') {
    const byStep = acc.finalByEpisode.get(e.episode) ?? new Map<number, number>();
    byStep.set(e.steps, score);
    acc.finalByEpisode.set(e.episode, byStep);
  } else {
    const byStep = acc.interim.get(e.iteration) ?? new Map<number, number[]>();
    add(byStep, e.steps, score);
    acc.interim.set(e.iteration, byStep);
  }
  return acc;
}

/** The episodes' scores grouped by steps, in episode order (the order the runner emits them). */
function byStepOf(byEpisode: ReadonlyMap<number, ReadonlyMap<number, number>>): Map<number, number[]> {
  const byStep = new Map<number, number[]>();
  for (const scores of byEpisode.values()) for (const [steps, score] of scores) add(byStep, steps, score);
  return byStep;
}

/** Each episode's [score before adapting, score after its last step] (an episode without step 0 is skipped). */
function firstAndLast(byEpisode: ReadonlyMap<number, ReadonlyMap<number, number>>): [number, number][] {
  return [...byEpisode.values()].flatMap((byStep) => {
    const last = Math.max(...byStep.keys());
    return byStep.has(0) ? [[byStep.get(0)!, byStep.get(last)!] as [number, number]] : [];
  });
}

/**
 * Folds a run's adapt-eval events into its adaptation curve, meta-training curve and scalar
 * adaptation metrics. Emits once when the events complete: null for a run without meta-start
 * (a continual run).
 */
export function toAdaptationResult(): OperatorFunction<RunEvent, AdaptationResult | null> {
  return (events) =>
    events.pipe(
      reduce(fold, { finalByEpisode: new Map(), interim: new Map() } as Fold),
      map(({ start, finalByEpisode, interim }) => {
        if (!start) return null;
        const curve = adaptationCurve(byStepOf(finalByEpisode));
        const metaCurve = [...interim.entries()]
          .sort((a, b) => a[0] - b[0])
          .flatMap(([iteration, byStep]) => adaptationCurve(byStep).map((p) => ({ iteration, ...p })));
        const metrics = adaptationMetrics(curve, {
          reportSteps: start.reportSteps, target: start.adaptTarget, higherIsBetter: start.score === 'accuracy',
        }, firstAndLast(finalByEpisode));
        return { curve, metaCurve, metrics };
      }),
    );
}

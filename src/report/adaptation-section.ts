import { type AdaptationPoint, type MetaCurvePoint, adaptationMetricDefinitions } from '../metrics/adaptation.js';
import type { RunRecord, RunResult } from '../runner/result.js';
import { type MetaProtocol, isMetaProtocol } from '../scenario/types.js';
import { MISSING, formatScore, runsByLearner } from './format.js';
import { cellText } from './markdown-text.js';

/** True for a result of the meta-learning protocol. */
export function isMetaResult(result: RunResult): boolean {
  return isMetaProtocol(result.scenario.protocol);
}

/** Metrics stored as lists (adaptationCurve, metaCurve): not summary-table columns. */
export function isListMetric(result: RunResult, column: string): boolean {
  return result.runs.some((run) => Array.isArray((run.metrics as Record<string, unknown>)[column]));
}

export function describeMetaProtocol(p: MetaProtocol): string {
  const parts = [
    `meta-learning: ${p.metaIterations} meta-iterations of ${p.metaBatch} episodes (unless a learner sets metaBatch)`,
    `adaptation curve over 0..${p.adaptSteps} steps on ${p.evalEpisodes} held-out episodes`,
  ];
  if (p.adaptLr !== undefined) parts.push(`adaptation step size ${p.adaptLr} for every learner`);
  if (p.evalEvery > 0) parts.push(`interim evaluation every ${p.evalEvery} meta-iterations on ${p.interimEpisodes} episodes`);
  if (p.adaptTarget !== undefined) parts.push(`target ${p.adaptTarget}`);
  return parts.join(', ');
}

function listOf<T>(run: RunRecord, name: string): T[] {
  const value = (run.metrics as Record<string, unknown>)[name];
  return Array.isArray(value) ? (value as T[]) : [];
}

/** A curve's point in the table: mean ± CI over the finite episodes, and how many episodes were not finite (summed over seeds). */
interface TablePoint {
  readonly mean: number;
  readonly ci95: number;
  readonly nonFinite: number;
}

/** Per x, the mean over seeds of the mean and of the CI half-width, and the seeds' non-finite episodes in all. */
function averageOverSeeds(curves: readonly (readonly { x: number; mean: number; ci95: number; nonFinite?: number }[])[]): Map<number, TablePoint> {
  const acc = new Map<number, { means: number[]; cis: number[]; nonFinite: number }>();
  for (const curve of curves) {
    for (const p of curve) {
      const entry = acc.get(p.x) ?? { means: [], cis: [], nonFinite: 0 };
      entry.means.push(p.mean);
      entry.cis.push(p.ci95);
      entry.nonFinite += p.nonFinite ?? 0;
      acc.set(p.x, entry);
    }
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return new Map([...acc.entries()].sort((a, b) => a[0] - b[0]).map(([x, e]) => [x, { mean: avg(e.means), ci95: avg(e.cis), nonFinite: e.nonFinite }]));
}

function cell(point: TablePoint | undefined): string {
  if (!point) return MISSING;
  const left = point.nonFinite > 0 ? ` (${point.nonFinite} non-finite)` : '';
  if (!Number.isFinite(point.mean)) return `${MISSING}${left}`;
  return `${formatScore(point.mean, 3)} ± ${formatScore(point.ci95, 3)}${left}`;
}

function curveTable(xLabel: string, byLearner: Map<string, Map<number, TablePoint>>): string[] {
  const learners = [...byLearner.keys()];
  const xs = [...new Set(learners.flatMap((l) => [...byLearner.get(l)!.keys()]))].sort((a, b) => a - b);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line([xLabel, ...learners.map(cellText)]),
    line([':--', ...learners.map(() => '--:')]),
    ...xs.map((x) => line([String(x), ...learners.map((l) => cell(byLearner.get(l)!.get(x)))])),
  ];
}

/** report.md's adaptation curves: the final curve per learner, and the meta-training curve if measured. */
export function adaptationSection(result: RunResult): string[] {
  const score = result.stream.kind === 'regression' ? 'query MSE (lower is better)' : 'query accuracy';
  const finals = new Map<string, Map<number, TablePoint>>();
  const metas = new Map<string, Map<number, TablePoint>>();
  for (const [learner, runs] of runsByLearner(result)) {
    const usable = runs.filter((r) => r.status === 'completed');
    const curves = usable.map((r) => listOf<AdaptationPoint>(r, 'adaptationCurve').map((p) => ({ x: p.steps, mean: p.mean, ci95: p.ci95, nonFinite: p.nonFinite })));
    if (curves.some((c) => c.length)) finals.set(learner, averageOverSeeds(curves));
    const last = (r: RunRecord) => {
      const points = listOf<MetaCurvePoint>(r, 'metaCurve');
      const k = Math.max(...points.map((p) => p.steps));
      return points.filter((p) => p.steps === k).map((p) => ({ x: p.iteration, mean: p.mean, ci95: p.ci95, nonFinite: p.nonFinite }));
    };
    const metaCurves = usable.map(last);
    if (metaCurves.some((c) => c.length)) metas.set(learner, averageOverSeeds(metaCurves));
  }
  const lines = ['## Adaptation curves', ''];
  if (finals.size === 0) return [...lines, 'No run finished its meta-test evaluation.'];
  const protocol = result.scenario.protocol as MetaProtocol;
  lines.push(
    `The ${score} on ${protocol.evalEpisodes} held-out meta-test episodes after k adaptation steps on each episode's support set ` +
      '(mean ± 95% confidence interval over episodes, averaged over seeds; "(N non-finite)": N episodes, over all seeds, ' +
      'scored NaN or ±Infinity and are left out of that mean).',
    '',
    ...curveTable('steps k', finals),
  );
  if (metas.size > 0) {
    lines.push(
      '',
      '### During meta-training',
      '',
      `The ${score} after ${protocol.adaptSteps} adaptation steps on the first ${protocol.interimEpisodes} meta-test episodes, by meta-iteration.`,
      '',
      ...curveTable('meta-iteration', metas),
    );
  }
  return lines;
}

export function adaptationDefinitions(): string[] {
  return [
    '## Metric definitions',
    '',
    ...adaptationMetricDefinitions.map((d) => `- **${d.name}** — ${d.description} — \`${d.formula}\``),
  ];
}

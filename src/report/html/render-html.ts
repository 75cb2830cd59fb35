import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../../runner/result.js';
import { type ReportGroup, singleGroup } from '../load-results.js';
import { adaptationCurvesChart } from './charts/adaptation-curves.js';
import { type TradeoffAxes, adaptationForgettingChart, tradeoffAxes } from './charts/adaptation-forgetting.js';
import { accuracyMatrixChart, blockSize } from './charts/accuracy-matrix.js';
import { type ChartContext, chartContext } from './charts/context.js';
import { costChart } from './charts/cost.js';
import { lcaCurveChart } from './charts/lca-curve.js';
import { learningCurvesChart } from './charts/learning-curves.js';
import { stabilityGapChart } from './charts/stability-gap.js';
import { type SafeHtml, html, trustedHtml } from './escape.js';
import { factChips, metricDefinitions, problemsList, reproducibility, tasksMayVary } from './facts.js';
import { highlights } from './highlights.js';
import { renderPage } from './page.js';
import { renderSvg } from './render-svg.js';
import { summaryTable, tableColumns } from './summary-table.js';

/** What the trade-off chart's vertical axis shows, for its caption. */
const TRADEOFF_Y: Record<TradeoffAxes['y'], string> = {
  gapDepth: 'stability gap depth (largest drop of the earlier tasks’ mean accuracy after a task switch, mean over switches)',
  forgetting: 'average forgetting F (drop from each task’s best score to its final one)',
  BWT: 'backward transfer BWT',
};

/** Which section a chart belongs to. */
export type SectionId = 'tradeoff' | 'curves' | 'matrices' | 'fewshot' | 'cost';

export interface ChartPlan {
  /** Unique within a group: 'tradeoff', 'lca-curve', ... */
  readonly id: string;
  readonly section: SectionId;
  readonly spec: TopLevelSpec;
  readonly caption: SafeHtml;
}

function maxSeeds(ctx: ChartContext): number {
  return Math.max(0, ...[...ctx.usable.values()].map((runs) => runs.length));
}

/** "3 seeds", or "up to 3 seeds" when learners have different numbers of usable runs. */
function seedsPhrase(ctx: ChartContext): string {
  const counts = new Set([...ctx.usable.values()].map((runs) => runs.length));
  return `${counts.size > 1 ? 'up to ' : ''}${maxSeeds(ctx)} seeds`;
}

/** The charts of one result, with their captions; charts without data are left out. */
export function planCharts(result: RunResult): ChartPlan[] {
  const ctx = chartContext(result);
  const plans: ChartPlan[] = [];
  const add = (id: string, section: SectionId, spec: TopLevelSpec | null, caption: SafeHtml) => {
    if (spec) plans.push({ id, section, spec, caption });
  };
  const axes = tradeoffAxes(ctx);
  const beta = result.metricOptions.lcaBeta;
  add(
    'tradeoff',
    'tradeoff',
    adaptationForgettingChart(ctx),
    html`<b>Adaptation versus forgetting.</b> One point per learner${
      maxSeeds(ctx) > 1
        ? `: mean over ${seedsPhrase(ctx)}; bars are ±1 std and small dots single seeds`
        : ' (one seed: run more seeds to see the spread)'
    }. Across: ${axes?.x === 'LCA' ? `LCA over the first ${beta} batches of each task` : 'learning accuracy LA'};
      up: ${TRADEOFF_Y[axes?.y ?? 'BWT']}.`,
  );
  add(
    'stability-gap',
    'curves',
    stabilityGapChart(ctx),
    html`<b>The stability gap.</b> Each earlier task’s ${ctx.scoreTitle} around every task switch, aligned at the switch
      (0 = the last batch of the previous task), one panel per learner${maxSeeds(ctx) > 1 ? '; mean over seeds, band ±1 std' : ''}.
      A dip right after 0 that climbs back is the gap that task-end evaluation cannot see; gapDepth and gapRecovery in the table measure it.`,
  );
  add(
    'lca-curve',
    'tradeoff',
    lcaCurveChart(ctx),
    html`<b>Speed on a new task.</b> Mean ${ctx.scoreTitle} on a task after its first b batches (Z<sub>b</sub>, averaged over
      tasks); LCA is the mean of this curve.${maxSeeds(ctx) > 1 ? ' Band: ±1 std over seeds.' : ''}`,
  );
  const evalEvery = result.scenario.protocol.evalEvery;
  add(
    'learning-curves',
    'curves',
    learningCurvesChart(ctx),
    html`<b>Each task’s ${ctx.scoreTitle} along the stream</b>, from the start of its own training onwards
      (${evalEvery > 0 ? `every ${evalEvery} batches and at each task end` : 'at each task end'})${maxSeeds(ctx) > 1 ? '; mean over seeds' : ''}.
      ${ctx.regression ? 'A rising line is forgetting.' : 'A falling line is forgetting.'}`,
  );
  const taskIds = result.taskIds;
  const memory = result.runs.some((r) => r.peakRssBytes !== undefined || r.peakTensorBytes !== undefined);
  add(
    'matrices',
    'matrices',
    accuracyMatrixChart(ctx),
    html`Row <i>after Ti</i>: ${ctx.scoreTitle} on each task after training on tasks 0..i; row <i>untrained</i>: the model
      before any training. Outlined: each task right after training on it (the diagonal).${maxSeeds(ctx) > 1 ? ' Mean over seeds.' : ''}
      ${blockSize(taskIds.length) > 1 ? `With ${taskIds.length} tasks, each cell is the mean over a block of ${blockSize(taskIds.length)} × ${blockSize(taskIds.length)} tasks, named after its first task.` : ''}
      ${taskIds.length && taskIds.length <= 30 ? html`<br>Tasks: ${taskIds.map((id, j) => `T${j} = ${id}`).join(', ')}${tasksMayVary(result) ? ' (positions: the seeds drew different tasks)' : ''}.` : null}`,
  );
  add(
    'matrices-task-il',
    'matrices',
    accuracyMatrixChart(ctx, 'task-il'),
    html`<b>Task-IL view of the same runs:</b> each task's test split scored with the argmax over that task's own classes
      (Mammoth's Task-IL), from the same predictions as the class-IL matrices above.`,
  );
  add(
    'few-shot',
    'fewshot',
    adaptationCurvesChart(ctx),
    html`<b>Few-shot adaptation.</b> Query ${ctx.regression ? 'MSE' : 'accuracy'} after k adaptation steps on each episode’s
      support set, averaged over meta-test episodes (and seeds). Band: 95% confidence interval over episodes.`,
  );
  add(
    'cost',
    'cost',
    costChart(ctx),
    html`Wall-clock time per run${
      memory
        ? ', and peak memory sampled during each run: the process’s resident set size (it includes what earlier runs in the same process left on the heap) and the bytes held by tfjs tensors'
        : ' (these results predate memory recording)'
    }.${maxSeeds(ctx) > 1 ? ' Mean over seeds; whiskers ±1 std.' : ''}`,
  );
  return plans;
}

async function renderFigure(prefix: string, plan: ChartPlan): Promise<SafeHtml> {
  const { svg } = await renderSvg(plan.spec, `${prefix}${plan.id}-`);
  // The caption wraps at the chart's width, so charts can sit side by side.
  const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1];
  const style = width ? `width:${Math.max(Number(width), 420)}px` : undefined;
  return html`<figure class="chart" id="${prefix}chart-${plan.id}" data-chart="${plan.id}"${style ? html` style="${style}"` : null}>${trustedHtml(svg)}<figcaption>${plan.caption}</figcaption></figure>`;
}

interface SectionText {
  readonly title: string;
  readonly sub: string;
}

const SECTIONS: Record<SectionId, SectionText> = {
  tradeoff: {
    title: 'Adaptation versus forgetting',
    sub: 'The trade-off continual and meta-continual learners are judged on: picking up a new task fast without losing the old ones.',
  },
  curves: { title: 'Learning curves', sub: 'How each task’s score evolves as the stream moves on.' },
  matrices: { title: 'Accuracy matrices', sub: 'Every task’s score after every stage of training, per learner.' },
  fewshot: { title: 'Few-shot adaptation', sub: 'How quickly each learner adapts to a new task from a few examples.' },
  cost: { title: 'Time and memory', sub: 'What each learner cost to run.' },
};

function summaryLine(result: RunResult): string {
  const learners = Object.keys(result.summary).length;
  const seeds = [...new Set(result.runs.map((r) => r.seed))].sort((a, b) => a - b);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${result.stream.description}. ${plural(learners, 'learner')} × ${plural(seeds.length, 'seed')} (${seeds.join(', ') || '—'}) = ${plural(result.runs.length, 'run')}.`;
}

interface RenderedGroup {
  readonly body: SafeHtml;
  readonly nav: { href: string; label: string }[];
}

async function renderGroup(group: ReportGroup, prefix: string): Promise<RenderedGroup> {
  const { result } = group;
  const plans = planCharts(result);
  const figures = new Map<SectionId, SafeHtml[]>();
  for (const plan of plans) figures.set(plan.section, [...(figures.get(plan.section) ?? []), await renderFigure(prefix, plan)]);

  const nav: { href: string; label: string }[] = [{ href: `${prefix}summary`, label: 'Summary' }];
  const sections: SafeHtml[] = [];
  const problems = problemsList(result);
  sections.push(html`<section class="card" id="${prefix}summary">
    <h2>Summary</h2>
    <p class="sub">${summaryLine(result)}</p>
    ${highlights(result)}
    ${summaryTable(result)}
    ${problems ? html`<div class="callout warn"><b>Runs with problems</b> (left out of the charts when another seed completed):${problems}</div>` : null}
  </section>`);
  for (const id of Object.keys(SECTIONS) as SectionId[]) {
    const figs = figures.get(id);
    if (!figs) continue;
    nav.push({ href: `${prefix}${id}`, label: SECTIONS[id].title });
    sections.push(html`<section class="card" id="${prefix}${id}">
      <h2>${SECTIONS[id].title}</h2><p class="sub">${SECTIONS[id].sub}</p>
      <div class="figures">${figs}</div>
    </section>`);
  }
  nav.push({ href: `${prefix}reproducibility`, label: 'Reproducibility' });
  const definitions = metricDefinitions(tableColumns(result));
  sections.push(html`<section class="card" id="${prefix}reproducibility">
    <h2>Reproducibility</h2><p class="sub">The settings, software and sources behind these numbers.</p>
    ${reproducibility(group)}
    ${definitions ? html`<h3 style="margin-top:20px">Metrics</h3>${definitions}` : null}
  </section>`);
  return { body: html`${sections}`, nav };
}

export interface HtmlReportOptions {
  /** Page title for a report over several scenarios (one scenario: its name). */
  readonly title?: string;
}

function footer(): SafeHtml {
  return html`Generated by clbench on ${new Date().toISOString().slice(0, 10)}. Charts: Vega-Lite, rendered to SVG ahead of time;
    this page loads nothing from the network.`;
}

/**
 * A self-contained HTML report over one or more groups of runs. One group reads as that
 * scenario's report; several get an overview and a part each, never mixed.
 */
export async function renderHtmlReport(groups: readonly ReportGroup[], options: HtmlReportOptions = {}): Promise<string> {
  if (groups.length === 1) {
    const [group] = groups;
    const { result } = group;
    const { body, nav } = await renderGroup(group, '');
    return renderPage({
      title: result.scenario.name,
      kicker: group.sources.length > 1 ? `clbench report · merged from ${group.sources.length} results` : 'clbench report',
      lede: result.scenario.description,
      chips: factChips(result),
      nav,
      body,
      footer: footer(),
    });
  }
  const parts: SafeHtml[] = [];
  for (const group of groups) {
    const { body } = await renderGroup(group, `g-${group.id}-`);
    const { result } = group;
    parts.push(html`<section class="group" id="g-${group.id}">
      <h2 class="group-title">${result.scenario.name}${group.variant ? html` <span class="sub">(${group.variant})</span>` : null}</h2>
      ${result.scenario.description ? html`<p class="sub">${result.scenario.description}</p>` : null}
      ${factChips(result)}
      ${body}
    </section>`);
  }
  const overview = html`<section class="card" id="overview">
    <h2>Scenarios</h2>
    <p class="sub">Runs are averaged only within a scenario: results whose settings differ are shown apart.</p>
    <div class="scroll"><table class="plain"><thead><tr><th>scenario</th><th>learners</th><th>runs</th><th>results merged</th><th>fingerprint</th></tr></thead>
    <tbody>${groups.map(
      (g) => html`<tr><td><a href="#g-${g.id}">${g.result.scenario.name}</a>${g.variant ? html` <span class="sub">(${g.variant})</span>` : null}</td>
        <td>${Object.keys(g.result.summary).join(', ')}</td><td>${g.result.runs.length}</td><td>${g.sources.length}</td><td><code>${g.fingerprint}</code></td></tr>`,
    )}</tbody></table></div>
  </section>`;
  return renderPage({
    title: options.title ?? 'Comparison',
    kicker: `clbench report · ${groups.length} scenarios`,
    lede: `${groups.reduce((n, g) => n + g.result.runs.length, 0)} runs from ${new Set(groups.flatMap((g) => g.sources.map((s) => s.file ?? g.id))).size} results.`,
    nav: [{ href: 'overview', label: 'Overview' }, ...groups.map((g) => ({ href: `g-${g.id}`, label: g.result.scenario.name }))],
    body: html`${overview}${parts}`,
    footer: footer(),
  });
}

/** report.html for one run's result (what `clbench run` writes). */
export async function renderRunHtml(result: RunResult): Promise<string> {
  return renderHtmlReport([singleGroup(result)]);
}

export async function writeHtmlReport(file: string, groups: readonly ReportGroup[], options: HtmlReportOptions = {}): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await renderHtmlReport(groups, options));
}

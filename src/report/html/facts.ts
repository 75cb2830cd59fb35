import { metrics } from '../../metrics/registry.js';
import type { RunResult } from '../../runner/result.js';
import { describeProblem, problemRuns } from '../format.js';
import { type ReportGroup, displayPath } from '../load-results.js';
import { type SafeHtml, html } from './escape.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Whether the runs saw different tasks. Results record each run's task ids; for older ones, several
 * seeds on a stream not pinned by `stream.seed` may have.
 */
export function tasksMayVary(result: RunResult): boolean {
  if (result.runs.some((r) => r.taskIds)) return result.runs.some((r) => r.taskIds && r.taskIds.join('\n') !== result.taskIds.join('\n'));
  return new Set(result.runs.map((r) => r.seed)).size > 1 && typeof result.scenario.stream.seed !== 'number';
}

export function describeModel(result: RunResult): string {
  const { type, hidden, ...rest } = result.scenario.model;
  const parts = [type];
  if (Array.isArray(hidden)) parts.push(hidden.length ? `hidden ${hidden.join('-')}` : 'no hidden layers');
  else if (hidden !== undefined) parts.push(`hidden ${JSON.stringify(hidden)}`);
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${JSON.stringify(value)}`);
  return parts.join(', ');
}

export function describeProtocol(result: RunResult): string {
  const p = result.scenario.protocol;
  const parts = [`batch size ${p.batchSize}`, plural(p.epochs, 'epoch')];
  if (p.taskFree) parts.push('task-free (no task ids or boundaries given to learners)');
  if (p.evalEvery > 0) parts.push(`every task evaluated every ${plural(p.evalEvery, 'batch').replace('batchs', 'batches')}`);
  parts.push(`LCA β = ${p.lcaBeta}`);
  return parts.join(', ');
}

export function describeMetricOptions(result: RunResult): string {
  const { normalization, lcaBeta, lcaRule } = result.metricOptions;
  const norm = normalization === 'T' ? '1/T (GEM/MER code)' : '1/(T−1) (papers)';
  const rule = lcaRule === 'trapezoid' ? 'trapezoid rule (A-GEM notebook)' : 'mean over β+1 points (A-GEM paper)';
  return `BWT and FWT averaged with ${norm}; LCA with β = ${lcaBeta}, ${rule}`;
}

function seedsOf(result: RunResult): string {
  const seeds = [...new Set(result.runs.map((r) => r.seed))].sort((a, b) => a - b);
  return seeds.length ? seeds.join(', ') : '—';
}

function formatDate(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

/** The key facts as chips under the title. */
export function factChips(result: RunResult): SafeHtml {
  const chips: [string, string][] = [
    ['stream', result.stream.description],
    ['model', describeModel(result)],
    ['seeds', seedsOf(result)],
    ['backend', result.backend],
    ['date', formatDate(result.createdAt)],
  ];
  return html`<ul class="chips">${chips.map(([k, v]) => html`<li><b>${k}</b>${v}</li>`)}</ul>`;
}

/** Failed or diverged runs, one line each; null when every run completed. */
export function problemsList(result: RunResult): SafeHtml | null {
  const problems = problemRuns(result);
  if (problems.length === 0) return null;
  return html`<ul class="problems">${problems.map(
    (run) => html`<li><b>${run.learner}</b>, seed ${run.seed}: <span class="status">${describeProblem(run, result.taskIds)}</span></li>`,
  )}</ul>`;
}

function sourcesTable(group: ReportGroup): SafeHtml | null {
  const files = group.sources.filter((s) => s.file);
  if (files.length === 0) return null;
  return html`<div class="scroll"><table class="plain">
    <thead><tr><th>result</th><th>created</th><th>backend</th><th>runs</th><th>command</th></tr></thead>
    <tbody>${group.sources.map(
      (s) => html`<tr><td><code>${s.file ? displayPath(s.file) : 'this run'}</code>${s.complete ? null : ' (partial)'}</td>
        <td>${formatDate(s.createdAt)}</td><td>${s.backend}</td><td>${s.runs}</td><td>${s.command ? html`<code>${s.command}</code>` : '—'}</td></tr>`,
    )}</tbody></table></div>`;
}

/** Everything needed to rerun and to trust the numbers: settings, backend, versions, sources. */
export function reproducibility(group: ReportGroup): SafeHtml {
  const { result } = group;
  const versions = Object.entries({ clbench: result.clbench, ...result.versions });
  const taskList = result.taskIds.map((id, j) => `T${j} = ${id}`).join(', ');
  const facts: [string, SafeHtml | string][] = [
    ['scenario', html`${result.scenario.name} <span class="sub">(settings fingerprint <code>${group.fingerprint}</code>)</span>`],
    ['stream', html`${result.stream.description} — <code>${result.stream.type}</code>, ${plural(result.stream.numTasks, 'task')}, ${result.stream.kind}`],
    ['tasks', taskList ? `${taskList}${tasksMayVary(result) ? ' (streams are seeded per run and the seeds drew different tasks: columns are positions; each run’s tasks are in result.json, runs[].taskIds)' : ''}` : '—'],
    ['model', describeModel(result)],
    ['protocol', describeProtocol(result)],
    ['metrics', describeMetricOptions(result)],
    ['seeds', `${seedsOf(result)} (${plural(result.runs.length, 'run')})`],
    ['backend', result.backend],
    ['versions', html`${versions.map(([k, v], i) => html`${i ? ', ' : ''}${k} <code>${v}</code>`)}`],
    ['created', formatDate(result.createdAt)],
  ];
  if (result.command) facts.push(['command', html`<code>${result.command}</code>`]);
  return html`<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${result.complete ? null : html`<p class="callout warn">Partial: at least one result was still running or interrupted (<code>complete: false</code>); only finished runs are included.</p>`}
    ${group.sources.length > 1 || group.sources.some((s) => s.file) ? html`<h3 style="margin-top:18px">Merged from</h3>${sourcesTable(group)}` : null}
    ${group.notes.length ? html`<ul class="note">${group.notes.map((n) => html`<li>${n}</li>`)}</ul>` : null}
    <details><summary>Full scenario (JSON)</summary><pre>${JSON.stringify(result.scenario, null, 2)}</pre></details>`;
}

/** Definitions of the metrics in the table (registry wording and formula). */
export function metricDefinitions(columns: readonly string[]): SafeHtml | null {
  const defs = metrics.list().filter((m) => columns.includes(m.type));
  if (defs.length === 0) return null;
  return html`<dl class="defs">${defs.map((m) => html`<dt>${m.type}</dt><dd>${m.description}. <code>${m.formula}</code></dd>`)}</dl>`;
}

import { metrics } from '../metrics/registry.js';
import { meanStd } from '../metrics/summarize.js';
import type { RunRecord, SummaryCell } from '../runner/result.js';
import { ClbenchError } from '../util/errors.js';
import { MISSING, formatDiff, formatMeanStd, formatScore } from './format.js';
import { type LoadedResult, displayPath, scenarioFingerprint } from './load-results.js';
import { escapeCell } from './markdown.js';

/**
 * docs/reproductions.md: the papers' numbers beside ours, one row per (scenario, learner, metric)
 * with a published value, each with the command that produced it. Built only from result.json files
 * (which carry the scenario, its reference values and the command), so it is regenerated, never edited.
 */

/** |ours − paper| allowed for `metric`, in all scenarios or in one. */
export interface ToleranceRule {
  readonly scenario?: string;
  readonly metric: string;
  readonly tolerance: number;
}

export const DEFAULT_TOLERANCES: readonly string[] = ['ACC=0.04'];

/** Parses "ACC=0.04" or "agem-permuted-mnist:ACC=0.03". */
export function parseTolerance(text: string): ToleranceRule {
  const match = /^(?:([^:=\s]+):)?([^:=\s]+)=([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)$/i.exec(text.trim());
  if (!match) throw new ClbenchError(`--tolerance '${text}': expected METRIC=VALUE or SCENARIO:METRIC=VALUE, e.g. ACC=0.04`);
  const [, scenario, metric, value] = match;
  return { ...(scenario ? { scenario } : {}), metric, tolerance: Number(value) };
}

/** The rule for (scenario, metric): a scenario-specific one wins over a general one. */
export function toleranceFor(rules: readonly ToleranceRule[], scenario: string, metric: string): number | undefined {
  return (rules.find((r) => r.scenario === scenario && r.metric === metric) ?? rules.find((r) => r.scenario === undefined && r.metric === metric))?.tolerance;
}

export type Verdict = 'within' | 'outside' | 'untested' | 'not run';

export interface ReproductionRow {
  readonly learner: string;
  readonly metric: string;
  readonly paper: number;
  /** Over the learner's completed runs. */
  readonly ours: SummaryCell;
  readonly tolerance?: number;
  readonly verdict: Verdict;
  /** The commands that produced the learner's runs (one per result file). */
  readonly commands: readonly string[];
}

export interface OrderCheck {
  readonly metric: string;
  /** Learners best first, by the paper's values and by our means. */
  readonly paper: readonly string[];
  readonly ours: readonly string[];
}

export interface ScenarioReproduction {
  readonly name: string;
  readonly description?: string;
  readonly source: string;
  readonly note?: string;
  readonly files: readonly string[];
  readonly backends: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly seeds: readonly number[];
  readonly complete: boolean;
  readonly rows: readonly ReproductionRow[];
  readonly orders: readonly OrderCheck[];
  /** Runs left out of the means (failed or diverged), one line each. */
  readonly problems: readonly string[];
}

const EPSILON = 1e-9;

function completed(run: RunRecord): boolean {
  return run.status === 'completed' && run.diverged === undefined;
}

function isHigherBetter(metric: string): boolean {
  return metrics.has(metric) ? metrics.get(metric).higherIsBetter : true;
}

/** Learners best first by `value` (ties keep the given order). */
function rank(learners: readonly string[], value: (learner: string) => number, higher: boolean): string[] {
  return [...learners].sort((a, b) => (higher ? value(b) - value(a) : value(a) - value(b)));
}

/** One scenario's rows, from the result files that ran it (all with the same settings). */
function reproduce(name: string, members: readonly LoadedResult[], rules: readonly ToleranceRule[]): ScenarioReproduction {
  const fingerprint = scenarioFingerprint(members[0].result);
  for (const m of members.slice(1)) {
    if (scenarioFingerprint(m.result) !== fingerprint) {
      throw new ClbenchError(`${m.file} and ${members[0].file} both ran '${name}' but with different stream, model, protocol or metric settings; pass results of one setting only`);
    }
  }
  const newest = [...members].sort((a, b) => a.result.createdAt.localeCompare(b.result.createdAt)).at(-1)!.result;
  const reference = newest.scenario.reference ?? members.map((m) => m.result.scenario.reference).find(Boolean);
  if (!reference) throw new ClbenchError(`${members[0].file}: scenario '${name}' has no reference values to compare with`);

  // Each (learner, seed) must come from exactly one file, so every row has one unambiguous command.
  const runs = new Map<string, { run: RunRecord; member: LoadedResult }[]>();
  const owner = new Map<string, string>();
  for (const member of members) {
    for (const run of member.result.runs) {
      const key = `${run.learner}\0${run.seed}`;
      const first = owner.get(key);
      if (first) throw new ClbenchError(`${run.learner} seed ${run.seed} of '${name}' is in both ${first} and ${member.file}; keep one`);
      owner.set(key, member.file);
      runs.set(run.learner, [...(runs.get(run.learner) ?? []), { run, member }]);
    }
  }

  const problems: string[] = [];
  const rows: ReproductionRow[] = [];
  for (const [learner, values] of Object.entries(reference.values)) {
    const own = runs.get(learner) ?? [];
    const good = own.filter(({ run }) => completed(run));
    for (const { run, member } of own) {
      if (!completed(run)) problems.push(`${learner} seed ${run.seed} (${displayPath(member.file)}): ${run.status}${run.error ? `: ${run.error}` : ''}`);
    }
    const commands = [...new Set(good.map(({ member }) => member.result.command ?? `(no command recorded in ${displayPath(member.file)})`))];
    for (const [metric, paper] of Object.entries(values)) {
      const ours = meanStd(good.map(({ run }) => run.metrics[metric]));
      const tolerance = toleranceFor(rules, name, metric);
      let verdict: Verdict;
      if (ours.mean === null) verdict = 'not run';
      else if (tolerance === undefined) verdict = 'untested';
      else verdict = Math.abs(ours.mean - paper) <= tolerance + EPSILON ? 'within' : 'outside';
      rows.push({ learner, metric, paper, ours, ...(tolerance !== undefined ? { tolerance } : {}), verdict, commands });
    }
  }

  // The order of the learners on each judged metric, by the paper and by us.
  const orders: OrderCheck[] = [];
  for (const metric of [...new Set(rows.filter((r) => r.tolerance !== undefined).map((r) => r.metric))]) {
    const measured = rows.filter((r) => r.metric === metric && r.ours.mean !== null);
    if (measured.length < 2) continue;
    const learners = measured.map((r) => r.learner);
    const higher = isHigherBetter(metric);
    const paperOf = (l: string) => measured.find((r) => r.learner === l)!.paper;
    const oursOf = (l: string) => measured.find((r) => r.learner === l)!.ours.mean!;
    orders.push({ metric, paper: rank(learners, paperOf, higher), ours: rank(learners, oursOf, higher) });
  }

  const versions: Record<string, string> = {};
  for (const m of members) for (const [k, v] of Object.entries(m.result.versions ?? {})) versions[k] = versions[k] && versions[k] !== v ? `${versions[k]} / ${v}` : v;
  return {
    name,
    ...(newest.scenario.description ? { description: newest.scenario.description } : {}),
    source: reference.source,
    ...(reference.note ? { note: reference.note } : {}),
    files: members.map((m) => m.file),
    backends: [...new Set(members.map((m) => m.result.backend))],
    versions,
    seeds: [...new Set(members.flatMap((m) => m.result.runs.map((r) => r.seed)))].sort((a, b) => a - b),
    complete: members.every((m) => m.result.complete),
    rows,
    orders,
    problems,
  };
}

/** Groups results by scenario name (first-seen order) and compares each with its reference values. */
export function buildReproductions(loaded: readonly LoadedResult[], rules: readonly ToleranceRule[]): ScenarioReproduction[] {
  const byName = new Map<string, LoadedResult[]>();
  for (const item of loaded) byName.set(item.result.scenario.name, [...(byName.get(item.result.scenario.name) ?? []), item]);
  return [...byName.entries()].map(([name, members]) => reproduce(name, members, rules));
}

// ---------------------------------------------------------------------------------------------

const MARK: Record<Verdict, string> = { within: '✓', outside: '✗ outside', untested: '·', 'not run': 'not run' };

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function tolerancesText(rules: readonly ToleranceRule[]): string {
  return rules.map((r) => `${r.scenario ? `${r.scenario} ` : ''}${r.metric} ±${r.tolerance}`).join('; ');
}

function row(r: ReproductionRow): string {
  const cells = [
    escapeCell(r.learner),
    escapeCell(r.metric),
    formatScore(r.paper),
    r.ours.mean === null ? MISSING : `${formatMeanStd(r.ours)} (n=${r.ours.n})`,
    formatDiff(r.ours.mean, r.paper),
    r.tolerance === undefined ? MISSING : `±${r.tolerance}`,
    MARK[r.verdict],
    r.commands.length ? r.commands.map((c) => escapeCell(code(c))).join('<br>') : MISSING,
  ];
  return `| ${cells.join(' | ')} |`;
}

function orderLine(o: OrderCheck): string {
  const higher = isHigherBetter(o.metric);
  const sep = higher ? ' > ' : ' < ';
  const same = o.paper.join('\0') === o.ours.join('\0');
  return `- Order by ${o.metric}: paper ${o.paper.join(sep)}; ours ${o.ours.join(sep)} — ${same ? 'same order ✓' : '**different order ✗**'}`;
}

function scenarioSection(s: ScenarioReproduction): string[] {
  const lines = [`## ${s.name}`, ''];
  if (s.description) lines.push(oneLine(s.description), '');
  const versions = Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(
    `- **Published values:** ${oneLine(s.source)}${s.note ? ` — ${oneLine(s.note)}` : ''}`,
    `- **Our runs:** seeds ${s.seeds.join(', ')}; backend ${s.backends.map(code).join(', ')}${versions ? ` (${versions})` : ''}`,
    `- **Result files:** ${s.files.map((f) => code(displayPath(f))).join(', ')}`,
  );
  if (!s.complete) lines.push('', '> **Partial:** at least one result file says `complete: false`; only finished runs are included.');
  lines.push(
    '',
    '| learner | metric | paper | ours (mean ± std, n) | difference | tolerance | verdict | command |',
    '| :-- | :-- | --: | --: | --: | --: | :-- | :-- |',
    ...s.rows.map(row),
  );
  if (s.orders.length) lines.push('', ...s.orders.map(orderLine));
  if (s.problems.length) lines.push('', 'Runs left out of the means:', ...s.problems.map((p) => `- ${oneLine(p)}`));
  return lines;
}

function overview(all: readonly ScenarioReproduction[]): string[] {
  const rows = all.flatMap((s) => s.rows.map((r) => ({ s, r })));
  const judged = rows.filter(({ r }) => r.verdict === 'within' || r.verdict === 'outside');
  const outside = judged.filter(({ r }) => r.verdict === 'outside');
  const lines = ['## Overview', '', `${judged.length - outside.length} of ${judged.length} judged rows are within tolerance.`];
  if (outside.length) {
    lines.push('', 'Outside tolerance:', ...outside.map(({ s, r }) => `- ${s.name}, ${r.learner}, ${r.metric}: paper ${formatScore(r.paper)}, ours ${formatMeanStd(r.ours)} (${formatDiff(r.ours.mean, r.paper)})`));
  }
  const notRun = [...new Set(rows.filter(({ r }) => r.verdict === 'not run').map(({ s, r }) => `${s.name} ${r.learner}`))];
  if (notRun.length) lines.push('', `Not run (no result file has them): ${notRun.join(', ')}.`);
  const reordered = all.flatMap((s) => s.orders.filter((o) => o.paper.join('\0') !== o.ours.join('\0')).map((o) => `${s.name} (${o.metric})`));
  lines.push('', reordered.length ? `Learners ranked differently from the paper: ${reordered.join(', ')}.` : 'Every scenario ranks its learners in the paper’s order.');
  return lines;
}

export interface RenderOptions {
  /** The command that regenerates this document. */
  readonly command: string;
  readonly rules: readonly ToleranceRule[];
  /** Markdown appended under "Notes" (investigations of the gaps), with the file it came from. */
  readonly notes?: { readonly file: string; readonly text: string };
}

export function renderReproductions(all: readonly ScenarioReproduction[], options: RenderOptions): string {
  const lines = [
    '# Reproductions',
    '',
    '<!-- Generated by `clbench reproductions`. Do not edit: change the scenarios or the notes file and regenerate. -->',
    '',
    'Published results beside ours. This file is generated by `clbench reproductions` from the `result.json` files named under each scenario, never edited by hand; the `command` column is the exact command that produced each row, and rerunning it on the same backend gives the same numbers. Regenerate this page with:',
    '',
    `    ${options.command}`,
    '',
    `**Tolerance.** A row passes (✓) when |ours − paper| ≤ its metric's tolerance: ${tolerancesText(options.rules)}. Rows outside it are marked ✗ and discussed in the notes. Metrics without a tolerance (the values read off the papers' figures, such as BWT and FWT) are shown for information (·). Means are over completed runs; ± is the sample standard deviation over seeds, n the number of runs.`,
    '',
    ...overview(all),
  ];
  for (const s of all) lines.push('', ...scenarioSection(s));
  if (options.notes) {
    lines.push('', '## Notes', '', `_From ${code(displayPath(options.notes.file))}._`, '', options.notes.text.trim());
  }
  return `${lines.join('\n')}\n`;
}

/** Counts for the CLI's one-line summary. */
export function verdictCounts(all: readonly ScenarioReproduction[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { within: 0, outside: 0, untested: 0, 'not run': 0 };
  for (const s of all) for (const r of s.rows) counts[r.verdict]++;
  return counts;
}

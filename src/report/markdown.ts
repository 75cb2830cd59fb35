import { metrics } from '../metrics/registry.js';
import { meanMatrix, meanStd } from '../runner/summarize.js';
import type { RunRecord, RunResult, SummaryCell } from '../runner/result.js';
import type { ReportGroup } from './load-results.js';
import type { Reference } from '../scenario/types.js';
import { adaptationDefinitions, adaptationSection, describeMetaProtocol, isListMetric, isMetaResult } from './adaptation-section.js';
import {
  MISSING,
  bestLearners,
  columnLabel,
  describeProblem,
  formatAnchorValue,
  formatDiff,
  formatMeanStd,
  formatSummaryCell,
  formatScore,
  problemRuns,
  runsByLearner,
  summaryColumns,
} from './format.js';
import { cellText, markdownText } from './markdown-text.js';

export { escapeCell } from './markdown-text.js';

/** Above this many tasks the matrix header uses T0..Tn (with a legend) instead of task ids. */
const MAX_NAMED_COLUMNS = 12;
/** Above this many tasks only the last row and the diagonal are printed. */
const MAX_FULL_MATRIX = 25;

/** User text on one line (for list items and headings). */
function oneLine(text: string): string {
  return markdownText(text.replace(/\s*\r?\n\s*/g, ' '));
}

/** `text` as an inline code span, whatever backticks it contains. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function table(header: readonly string[], align: readonly ('left' | 'right')[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'right' ? '--:' : ':--'))), ...rows.map(line)];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------

function describeModel(result: RunResult): string {
  const { type, hidden, ...rest } = result.scenario.model;
  const parts = [code(type)];
  if (Array.isArray(hidden)) parts.push(hidden.length ? `hidden ${hidden.join('-')}` : 'no hidden layers');
  else if (hidden !== undefined) parts.push(`hidden ${JSON.stringify(hidden)}`);
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${JSON.stringify(value)}`);
  return parts.join(', ');
}

function describeProtocol(result: RunResult): string {
  const p = result.scenario.protocol;
  if (p.kind === 'meta') return describeMetaProtocol(p);
  const parts = [`batch size ${p.batchSize}`, plural(p.epochs, 'epoch')];
  if (p.taskFree) parts.push('task-free (no task ids or boundaries given to learners)');
  if (p.evalEvery > 0) parts.push(`learning curves every ${p.evalEvery} batch${p.evalEvery === 1 ? '' : 'es'}`);
  return parts.join(', ');
}

function describeMetricOptions(result: RunResult): string {
  const { normalization, lcaBeta, lcaRule } = result.metricOptions;
  const norm = normalization === 'T' ? '1/T (GEM/MER code)' : '1/(T−1) (papers)';
  const rule = lcaRule === 'trapezoid' ? 'trapezoid rule (A-GEM notebook)' : 'mean over β+1 points (A-GEM paper)';
  return `BWT/FWT averaged with ${norm}; LCA with β = ${lcaBeta}, ${rule}`;
}

function header(result: RunResult): string[] {
  const { scenario, stream } = result;
  const lines = [`# ${oneLine(scenario.name)}`, ''];
  if (scenario.description) lines.push(markdownText(scenario.description.trim()), '');
  const versions = { clbench: result.clbench, ...result.versions };
  const seeds = scenario.seeds.length ? scenario.seeds.join(', ') : MISSING;
  const meta = isMetaResult(result);
  lines.push(
    `- **Stream:** ${oneLine(stream.description)} (${code(stream.type)}, ${meta ? 'task distribution' : plural(stream.numTasks, 'task')}, ${stream.kind})`,
    `- **Model:** ${describeModel(result)}`,
    `- **Protocol:** ${describeProtocol(result)}`,
    `- **Seeds:** ${seeds} (${plural(result.runs.length, 'run')} recorded)`,
    `- **Backend:** ${code(result.backend)}; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- **Date:** ${result.createdAt}`,
    ...(meta ? [] : [`- **Metrics:** ${describeMetricOptions(result)}`]),
  );
  if (!result.complete) {
    lines.push(
      '',
      '> **Warning:** `complete: false` — this run is partial (still running or interrupted); ' +
        'only the runs that finished are included.',
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------

function summarySection(result: RunResult): string[] {
  const learners = Object.keys(result.summary);
  const columns = summaryColumns(result).filter((c) => !isListMetric(result, c));
  const lines = ['## Summary', ''];
  if (learners.length === 0) return [...lines, 'No runs finished.'];
  const best = new Map(columns.map((c) => [c, bestLearners(result, c)]));
  const rows = learners.map((learner) => [
    cellText(learner),
    ...columns.map((column) => {
      const text = formatSummaryCell(result, learner, column);
      return best.get(column)?.has(learner) ? `**${text}**` : text;
    }),
  ]);
  lines.push(
    ...table(
      ['learner', ...columns.map((c) => cellText(columnLabel(c)))],
      ['left', ...columns.map(() => 'right' as const)],
      rows,
    ),
    '',
    'Mean ± sample standard deviation over seeds; **bold**: best mean per metric.' +
      (result.stream.kind === 'regression' ? ' Scores are test losses (lower is better).' : ''),
  );
  return lines;
}

/** The published (learner, metric, value) triples, then those only an anchor has (paper null). */
function referencePairs(reference: Reference): [string, string, number | null][] {
  const pairs: [string, string, number | null][] = [];
  const seen = new Set<string>();
  for (const [learner, values] of Object.entries(reference.values)) {
    for (const [metric, paper] of Object.entries(values)) {
      pairs.push([learner, metric, paper]);
      if (reference.anchors?.length) seen.add(`${learner}\0${metric}`);
    }
  }
  for (const anchor of reference.anchors ?? []) {
    for (const [learner, values] of Object.entries(anchor.values)) {
      for (const metric of Object.keys(values)) {
        if (seen.has(`${learner}\0${metric}`)) continue;
        seen.add(`${learner}\0${metric}`);
        pairs.push([learner, metric, null]);
      }
    }
  }
  return pairs;
}

function referenceSection(result: RunResult): string[] {
  const reference = result.scenario.reference;
  if (!reference) return [];
  const anchors = reference.anchors ?? [];
  const lines = ['## Published values', '', `Source: ${oneLine(reference.source)}`];
  if (reference.note) lines.push('', oneLine(reference.note));
  for (const a of anchors) lines.push('', `Outside anchor, “${oneLine(a.label)}” (for information): ${oneLine(a.source)}${a.note ? ` — ${oneLine(a.note)}` : ''}`);
  const rows: string[][] = [];
  const unmeasured: string[] = [];
  for (const [learner, metric, paper] of referencePairs(reference)) {
    const ours = result.summary[learner] as Record<string, SummaryCell> | undefined;
    const published = [paper === null ? MISSING : String(paper), ...anchors.map((a) => formatAnchorValue(a.values[learner]?.[metric], String))];
    if (!ours) {
      rows.push([cellText(learner), cellText(metric), ...published, 'not run', MISSING]);
      continue;
    }
    const cell = ours[metric];
    if (!cell) {
      unmeasured.push(`${learner} ${metric}`);
      continue;
    }
    rows.push([cellText(learner), cellText(metric), ...published, formatMeanStd(cell), paper === null ? MISSING : formatDiff(cell.mean, paper)]);
  }
  lines.push('');
  if (rows.length) {
    // A loop, not push(...rows): a spread of a million rows overflows the stack.
    const reference = table(
      ['learner', 'metric', 'paper', ...anchors.map((a) => cellText(a.label)), 'ours (mean ± std)', 'difference'],
      ['left', 'left', 'right', ...anchors.map(() => 'right' as const), 'right', 'right'],
      rows,
    );
    for (const line of reference) lines.push(line);
  }
  if (unmeasured.length) {
    lines.push(...(rows.length ? [''] : []), `Not measured by this run: ${markdownText(unmeasured.join(', '))}.`);
  }
  return lines;
}

function problemsSection(result: RunResult): string[] {
  const problems = problemRuns(result);
  if (problems.length === 0) return [];
  return [
    '## Problems',
    '',
    ...problems.map((run) => `- **${oneLine(run.learner)}**, seed ${run.seed}: ${oneLine(describeProblem(run, result.taskIds))}`),
  ];
}

// ---------------------------------------------------------------------------------------------

function padRow(row: readonly (number | null)[] | undefined, T: number): (number | null)[] {
  return Array.from({ length: T }, (_, j) => row?.[j] ?? null);
}

/** The seeds' matrices padded to T×T (failed runs may have fewer rows) and averaged. */
function meanOf(runs: readonly RunRecord[], T: number): { R: (number | null)[][]; b: (number | null)[] } {
  const R = meanMatrix(runs.map((run) => Array.from({ length: T }, (_, i) => padRow(run.accuracyMatrix[i], T))));
  const [b] = meanMatrix(runs.map((run) => [padRow(run.baseline, T)]));
  return { R, b: b ?? padRow(undefined, T) };
}

function matrixBlock(result: RunResult, learner: string, runs: readonly RunRecord[], T: number): string[] {
  const lines = [`### ${oneLine(learner)}`, ''];
  if (runs.length === 0) return [...lines, 'No runs.'];
  // Average completed runs; partial matrices of diverged or failed runs only when nothing completed.
  const completed = runs.filter((run) => run.status === 'completed' && !run.diverged);
  const used = completed.length ? completed : runs;
  const excluded = runs.filter((run) => !used.includes(run));
  let caption = `Mean over ${plural(used.length, 'seed')} (${used.map((r) => r.seed).join(', ')})`;
  if (excluded.length) caption += `; excluded: ${excluded.map((r) => `seed ${r.seed} (${r.status})`).join(', ')}`;
  if (!completed.length) caption += '; no run completed, so these are partial matrices';
  lines.push(`${caption}.`, '');

  const { R, b } = meanOf(used, T);
  const f = (v: number | null): string => formatScore(v, 3);
  if (T > MAX_FULL_MATRIX) {
    lines.push(
      `- final row (after T${T - 1}): ${R[T - 1].map(f).join(' ')}`,
      `- diagonal (each task right after training on it): ${R.map((row, i) => f(row[i])).join(' ')}`,
    );
    return lines;
  }
  const names = T > MAX_NAMED_COLUMNS ? Array.from({ length: T }, (_, j) => `T${j}`) : result.taskIds.map(cellText);
  const header = ['after \\ on', ...names];
  const align = ['left' as const, ...names.map(() => 'right' as const)];
  lines.push(...table(header, align, [['untrained (b)', ...b.map(f)], ...R.map((row, i) => [`after T${i}`, ...row.map(f)])]));
  const taskIL = used.filter((run) => run.taskILAccuracyMatrix);
  if (taskIL.length) {
    const RTaskIL = meanMatrix(taskIL.map((run) => Array.from({ length: T }, (_, i) => padRow(run.taskILAccuracyMatrix?.[i], T))));
    lines.push('', "Task-IL view of the same runs (argmax over each task's own outputs):", '');
    lines.push(...table(header, align, RTaskIL.map((row, i) => [`after T${i}`, ...row.map(f)])));
  }
  return lines;
}

function matricesSection(result: RunResult): string[] {
  const groups = runsByLearner(result);
  const T = result.taskIds.length || Math.max(0, ...result.runs.map((r) => r.accuracyMatrix.length));
  const score = result.stream.kind === 'regression' ? 'test loss' : 'test accuracy';
  const lines = [
    '## Accuracy matrices',
    '',
    `Row \`after T<i>\` holds the ${score} on each task (columns) after training on tasks 0..i; ` +
      `row \`untrained (b)\` is the untrained model's. ${MISSING}: not measured.`,
  ];
  if (T > MAX_NAMED_COLUMNS) {
    lines.push('', `Tasks: ${result.taskIds.map((id, j) => `T${j} = ${oneLine(id)}`).join(', ')}.`);
  }
  for (const [learner, runs] of groups) lines.push('', ...matrixBlock(result, learner, runs, T));
  return lines;
}

function definitionsSection(): string[] {
  return [
    '## Metric definitions',
    '',
    ...metrics.list().map((m) => `- **${m.type}** — ${oneLine(m.description)} — ${code(m.formula)}`),
  ];
}

/**
 * Per task switch and learner: the gap's depth (mean ± std over seeds) and the batches until the
 * earlier tasks were back within 1 point (mean over seeds, or how many seeds never got back).
 */
function stabilityGapSection(result: RunResult): string[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of result.runs) if (run.stabilityGaps) groups.set(run.learner, [...(groups.get(run.learner) ?? []), run]);
  if (groups.size === 0) return [];
  const switches = Math.max(...[...groups.values()].flat().map((r) => r.stabilityGaps!.length));
  const learners = [...groups.keys()];
  const rows = Array.from({ length: switches }, (_, s) => [
    `→ T${s + 1}`,
    ...learners.map((learner) => {
      const gaps = groups.get(learner)!.map((r) => r.stabilityGaps![s]).filter((g) => g !== null && g !== undefined);
      if (gaps.length === 0) return '—';
      const depth = formatMeanStd(meanStd(gaps.map((g) => g!.depth)), 3);
      const never = gaps.filter((g) => g!.recovery === null).length;
      const back = never > 0 ? `never in ${never} of ${gaps.length}` : `back after ${formatMeanStd(meanStd(gaps.map((g) => g!.recovery)), 1)}`;
      return `${depth}; ${back}`;
    }),
  ]);
  return [
    '## Stability gap per task switch',
    '',
    'Depth: largest drop of the earlier tasks’ mean accuracy below its value at the switch, while training on the new task.',
    'Back after: batches into the new task until that mean is within 1 point of its value at the switch (mean over seeds).',
    '',
    ...table(['switch', ...learners.map(cellText)], ['left', ...learners.map(() => 'right' as const)], rows),
  ];
}

/** The run's report.md: facts, summary, published comparison, problems, matrices, definitions. */
export function renderMarkdown(result: RunResult): string {
  const sections = [
    header(result),
    summarySection(result),
    referenceSection(result),
    stabilityGapSection(result),
    problemsSection(result),
    ...(isMetaResult(result) ? [adaptationSection(result), adaptationDefinitions()] : [matricesSection(result), definitionsSection()]),
  ].filter((s) => s.length > 0);
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}

/** Where a merged group's runs came from, and what the merge decided. */
function sourcesSection(group: ReportGroup): string[] {
  if (group.sources.length < 2 && group.notes.length === 0) return [];
  const lines = ['## Sources', '', `Merged from ${plural(group.sources.length, 'result')} (settings fingerprint ${code(group.fingerprint)}):`, ''];
  for (const s of group.sources) {
    lines.push(`- ${s.file ? code(s.file) : 'this run'}: ${s.createdAt}, ${code(s.backend)}, ${plural(s.runs, 'run')}${s.complete ? '' : ' (partial)'}`);
  }
  if (group.notes.length) lines.push('', ...group.notes.map((n) => `- ${oneLine(n)}`));
  return lines;
}

/** report.md for `clbench report`: one part per scenario group, never mixed. */
export function renderMarkdownGroups(groups: readonly ReportGroup[]): string {
  return groups
    .map((group) => {
      const { variant } = group;
      let text = renderMarkdown(group.result);
      if (variant) text = text.replace(/^# (.*)/, (_, name: string) => `# ${name} (${oneLine(variant)})`);
      const sources = sourcesSection(group);
      return sources.length ? `${text}\n${sources.join('\n')}\n` : text;
    })
    .join('\n---\n\n');
}

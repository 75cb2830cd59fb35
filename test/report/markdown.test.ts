import { describe, expect, it } from 'vitest';
import { metrics } from '../../src/metrics/registry.js';
import {
  formatDiff,
  formatMeanStd,
  formatScore,
  formatSummaryCell,
  summaryColumns,
} from '../../src/report/format.js';
import { renderConsoleSummary } from '../../src/report/console-summary.js';
import { escapeCell, renderMarkdown } from '../../src/report/markdown.js';
import { fixtureResult, wideResult } from './fixture.js';
import { summarizeRuns } from '../../src/runner/summarize.js';

/** The lines of one `## ` section (without its heading). */
function section(md: string, title: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${title}`);
  expect(start, `section "${title}"`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** Table rows (lines starting with '|') split into trimmed cells, honouring escaped pipes. */
function tableRows(lines: readonly string[]): string[][] {
  return lines
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe('format helpers', () => {
  it('formatScore', () => {
    expect(formatScore(0.5314)).toBe('0.531');
    expect(formatScore(0.5, 1)).toBe('0.5');
    expect(formatScore(null)).toBe('—');
    expect(formatScore(undefined)).toBe('—');
    expect(formatScore(NaN)).toBe('—');
    expect(formatScore(-0.0001)).toBe('0.000');
  });

  it('prints a finite value of magnitude 1e6 or more in exponent form with two significant digits', () => {
    expect(formatScore(4.7e29)).toBe('4.7e+29');
    expect(formatScore(-2.83e32)).toBe('-2.8e+32');
    expect(formatScore(1e6)).toBe('1.0e+6');
    expect(formatScore(999999.4)).toBe('999999.400'); // just below the threshold: decimals as before
    expect(formatScore(Infinity)).toBe('Infinity');
    // maml-sine's adapt@10 over 3 seeds, one of which diverged.
    expect(formatMeanStd({ mean: 1.56e29, std: 2.7e29, n: 3 })).toBe('1.6e+29 ± 2.7e+29');
    expect(formatMeanStd({ mean: 0.5, std: 4.7e29, n: 3 })).toBe('0.500 ± 4.7e+29');
    expect(formatDiff(4.7e29, 0.4)).toBe('+4.7e+29');
    expect(formatDiff(0.4, 4.7e29)).toBe('−4.7e+29');
  });

  it('prints huge means in exponent form in the markdown and console summaries, and divergedEpisodes as a count', () => {
    const base = fixtureResult();
    const summary = {
      ...base.summary,
      naive: { ...base.summary.naive, ACC: { mean: 4.7e29, std: 6.6e29, n: 2 }, divergedEpisodes: { mean: 0.5, std: 0.7071, n: 2 } },
    };
    const result = fixtureResult({ summary });
    expect(formatSummaryCell(result, 'naive', 'divergedEpisodes')).toBe('0.5 ± 0.7');
    expect(formatSummaryCell(fixtureResult({ summary: { naive: { divergedEpisodes: { mean: 0, std: 0, n: 3 } } } }), 'naive', 'divergedEpisodes')).toBe('0');
    const row = tableRows(section(renderMarkdown(result), 'Summary')).find((cells) => cells[0] === 'naive')!;
    expect(row).toContain('**4.7e+29 ± 6.6e+29**'); // the best ACC, in bold
    expect(renderConsoleSummary(result, { color: false })).toContain('4.7e+29 ± 6.6e+29');
  });

  it('says when a mean covers only some of the completed runs', () => {
    const base = fixtureResult();
    const completed = base.runs.filter((r) => r.learner === 'naive' && r.status === 'completed' && 'ACC' in r.metrics).length;
    expect(completed).toBe(2);
    const result = fixtureResult({ summary: { ...base.summary, naive: { ...base.summary.naive, ACC: { mean: 0.5, std: 0, n: 1 } } } });
    expect(formatSummaryCell(result, 'naive', 'ACC')).toBe('0.500 (1 of 2 runs)');
    expect(formatSummaryCell(base, 'naive', 'ACC')).not.toContain('runs)');
  });

  it('formatMeanStd', () => {
    expect(formatMeanStd({ mean: 0.5314, std: 0.0121, n: 3 })).toBe('0.531 ± 0.012');
    expect(formatMeanStd({ mean: 0.5314, std: 0, n: 1 })).toBe('0.531');
    expect(formatMeanStd({ mean: null, std: null, n: 0 })).toBe('—');
  });

  it('formatDiff uses an explicit sign and a real minus', () => {
    expect(formatDiff(0.543, 0.531)).toBe('+0.012');
    expect(formatDiff(0.5, 0.54)).toBe('−0.040');
    expect(formatDiff(0.5, 0.5)).toBe('±0.000');
    expect(formatDiff(null, 0.5)).toBe('—');
  });

  it('summaryColumns follows the registry order, then wallSeconds', () => {
    // The runs list forgetting first; the registry order is ACC, BWT, FWT, LA, forgetting, LCA.
    expect(summaryColumns(fixtureResult())).toEqual(['ACC', 'BWT', 'LA', 'forgetting', 'wallSeconds']);
    const order = metrics.names();
    expect(order.indexOf('LA')).toBeLessThan(order.indexOf('forgetting'));
  });

  it('escapeCell escapes pipes and flattens newlines', () => {
    expect(escapeCell('a | b\nc')).toBe('a \\| b c');
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(fixtureResult());

  it('starts with the title, description and facts', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('# fixture-gem');
    expect(md).toContain('A tiny hand-made result for report tests.');
    expect(md).toContain('Permuted MNIST, 3 tasks of 1000 examples');
    expect(md).toContain('hidden 100-100');
    expect(md).toContain('batch size 10');
    expect(md).toContain('**Seeds:** 1, 2');
    expect(md).toContain('@tensorflow/tfjs-core 4.22.0');
    expect(md).toContain('2025-01-02T03:04:05.000Z');
    expect(md).toContain('1/(T−1)');
    expect(md).not.toContain('complete: false');
  });

  it('warns when the run is partial', () => {
    expect(renderMarkdown(fixtureResult({ complete: false }))).toContain('`complete: false`');
  });

  it('summary table: hand-computed mean ± std, best mean in bold (respecting direction)', () => {
    const rows = tableRows(section(md, 'Summary'));
    expect(rows[0]).toEqual(['learner', 'ACC', 'BWT', 'LA', 'forgetting', 'wall s']);
    // naive: ACC (0.70, 0.58) → 0.64 ± 0.06·√2; BWT (−0.30, −0.45) → −0.375 ± 0.075·√2;
    // LA (0.90, 0.80) → 0.85 ± 0.05·√2 (best: ewc has 0.84); forgetting (0.30, 0.45); wall (10, 12).
    expect(rows[2]).toEqual([
      'naive',
      '0.640 ± 0.085',
      '-0.375 ± 0.106',
      '**0.850 ± 0.071**',
      '0.375 ± 0.106',
      '11.0 ± 1.4',
    ]);
    // ewc: one completed seed (the diverged one has no metrics), so n = 1 and no ± for metrics;
    // forgetting is lower-is-better, so its 0.100 is the best. Wall time (20, 5) is never bold.
    expect(rows[3]).toEqual(['ewc \\| strong', '**0.800**', '**-0.100**', '0.840', '**0.100**', '12.5 ± 10.6']);
  });

  it('published values: differences, "not run", metrics we do not measure', () => {
    const lines = section(md, 'Published values');
    expect(lines).toContain('Source: Lopez-Paz & Ranzato 2017 (GEM), Table 1');
    expect(lines).toContain('Numbers read off the figure.');
    const rows = tableRows(lines);
    expect(rows[0]).toEqual(['learner', 'metric', 'paper', 'ours (mean ± std)', 'difference']);
    expect(rows.slice(2)).toEqual([
      ['naive', 'ACC', '0.62', '0.640 ± 0.085', '+0.020'],
      ['naive', 'BWT', '-0.3', '-0.375 ± 0.106', '−0.075'],
      ['naive', 'forgetting', '0.4', '0.375 ± 0.106', '−0.025'],
      ['ewc \\| strong', 'ACC', '0.85', '0.800', '−0.050'],
      ['gem', 'ACC', '0.89', 'not run', '—'],
    ]);
    expect(lines.join('\n')).toContain('Not measured by this run: naive RA.');
  });

  it('published values: an outside anchor gets its own column and the rows only it has', () => {
    const base = fixtureResult();
    const anchor = { label: 'torch ref', source: 'torch_reference.py, seed 0', note: 'BWT over T−1.', values: { naive: { ACC: 0.6, LA: 0.9 }, gem: { ACC: 0.88 } } };
    const lines = section(renderMarkdown({ ...base, scenario: { ...base.scenario, reference: { ...base.scenario.reference!, anchors: [anchor] } } }), 'Published values');
    expect(lines).toContain('Outside anchor, “torch ref” (for information): torch_reference.py, seed 0 — BWT over T−1.');
    const rows = tableRows(lines);
    expect(rows[0]).toEqual(['learner', 'metric', 'paper', 'torch ref', 'ours (mean ± std)', 'difference']);
    expect(rows.slice(2)).toEqual([
      ['naive', 'ACC', '0.62', '0.6', '0.640 ± 0.085', '+0.020'],
      ['naive', 'BWT', '-0.3', '—', '-0.375 ± 0.106', '−0.075'],
      ['naive', 'forgetting', '0.4', '—', '0.375 ± 0.106', '−0.025'],
      ['ewc \\| strong', 'ACC', '0.85', '—', '0.800', '−0.050'],
      ['gem', 'ACC', '0.89', '0.88', 'not run', '—'],
      ['naive', 'LA', '—', '0.9', '0.850 ± 0.071', '—'], // seeds 1, 2: LA 0.90, 0.80
    ]);
  });

  it('published values: an anchor given per seed shows as mean ± std with n', () => {
    const base = fixtureResult();
    // 0.58, 0.62: mean 0.60, sample std sqrt(2 · 0.02²) = 0.028.
    const anchor = { label: 'torch ref', source: 'torch_reference.py, seeds 0-1', values: { naive: { ACC: [0.58, 0.62] } } };
    const rows = tableRows(section(renderMarkdown({ ...base, scenario: { ...base.scenario, reference: { ...base.scenario.reference!, anchors: [anchor] } } }), 'Published values'));
    expect(rows[2]).toEqual(['naive', 'ACC', '0.62', '0.600 ± 0.028 (n=2)', '0.640 ± 0.085', '+0.020']);
  });

  it('has no Published values section without a reference', () => {
    const base = fixtureResult();
    const out = renderMarkdown({ ...base, scenario: { ...base.scenario, reference: undefined } });
    expect(out).not.toContain('## Published values');
  });

  it('problems section names the diverged run', () => {
    const lines = section(md, 'Problems').filter((l) => l.startsWith('- '));
    expect(lines).toEqual(['- **ewc | strong**, seed 2: diverged at task 1 (perm-1), step 57 (loss NaN)']);
  });

  it('problems section reports failed runs with their error, and JSON-null losses', () => {
    const base = fixtureResult();
    const runs = base.runs.map((r, i) =>
      i === 1 ? { ...r, status: 'failed' as const, error: 'out of memory\nat foo' } : i === 3 ? { ...r, diverged: { task: 1, step: 57, loss: null as unknown as number } } : r,
    );
    const lines = section(renderMarkdown({ ...base, runs }), 'Problems');
    expect(lines).toContain('- **naive**, seed 2: failed: out of memory at foo');
    expect(lines).toContain('- **ewc | strong**, seed 2: diverged at task 1 (perm-1), step 57 (loss non-finite)');
  });

  it('problems section names a completed meta run whose fine-tuning diverged on some episodes', () => {
    const base = fixtureResult();
    const runs = base.runs.slice(0, 3).map((r, i) => ({ ...r, metrics: { ...r.metrics, divergedEpisodes: i === 0 ? 2 : i === 1 ? 1 : 0 } }));
    const result = { ...base, runs };
    expect(section(renderMarkdown(result), 'Problems').filter((l) => l.startsWith('- '))).toEqual([
      '- **naive**, seed 1: completed; fine-tuning diverged on 2 meta-test episodes (divergedEpisodes)',
      '- **naive**, seed 2: completed; fine-tuning diverged on 1 meta-test episode (divergedEpisodes)',
    ]);
    expect(renderConsoleSummary(result, { color: false })).toContain('✗ naive seed 1: completed; fine-tuning diverged on 2 meta-test episodes');
  });

  it('no problems section when every run completed', () => {
    const base = fixtureResult();
    expect(renderMarkdown({ ...base, runs: base.runs.slice(0, 3) })).not.toContain('## Problems');
  });

  it('accuracy matrices: b row and element-wise means over seeds', () => {
    const lines = section(md, 'Accuracy matrices');
    const naive = tableRows(lines.slice(lines.indexOf('### naive'), lines.indexOf('### ewc | strong')));
    expect(naive).toEqual([
      ['after \\ on', 'perm-0', 'perm-1', 'perm-2'],
      [':--', '--:', '--:', '--:'],
      // b: (0.1, 0.1), (0.15, 0.05), (0.05, 0.15)
      ['untrained (b)', '0.100', '0.100', '0.100'],
      ['after T0', '0.850', '0.200', '0.100'],
      ['after T1', '0.650', '0.850', '0.250'],
      ['after T2', '0.450', '0.550', '0.900'],
    ]);
    // ewc: the diverged seed is left out, so its matrix is seed 1's.
    const ewcLines = lines.slice(lines.indexOf('### ewc | strong'));
    expect(ewcLines.join('\n')).toContain('excluded: seed 2 (diverged)');
    const ewc = tableRows(ewcLines);
    expect(ewc[2]).toEqual(['untrained (b)', '0.100', '0.100', '0.100']);
    expect(ewc[4]).toEqual(['after T1', '0.850', '0.880', '0.200']);
  });

  it('shows — for entries no seed measured', () => {
    const base = fixtureResult();
    const runs = base.runs.slice(3); // only the diverged ewc seed
    const lines = section(renderMarkdown({ ...base, runs, summary: {} }), 'Accuracy matrices');
    const rows = tableRows(lines);
    expect(rows[3]).toEqual(['after T0', '0.700', '0.100', '0.200']);
    expect(rows[4]).toEqual(['after T1', '—', '—', '—']);
    expect(lines.join('\n')).toContain('no run completed');
  });

  it('abbreviates task ids to T0..Tn with a legend above 12 tasks', () => {
    const lines = section(renderMarkdown(wideResult(14)), 'Accuracy matrices');
    expect(lines.some((l) => l.startsWith('Tasks: T0 = task-0, T1 = task-1,') && l.includes('T13 = task-13'))).toBe(true);
    const rows = tableRows(lines);
    expect(rows[0]).toEqual(['after \\ on', ...Array.from({ length: 14 }, (_, j) => `T${j}`)]);
    expect(rows).toHaveLength(2 + 1 + 14);
    expect(rows[16][0]).toBe('after T13');
    expect(rows[16][14]).toBe('13.013');
  });

  it('prints only the last row and the diagonal above 25 tasks', () => {
    const lines = section(renderMarkdown(wideResult(30)), 'Accuracy matrices');
    expect(tableRows(lines)).toHaveLength(0);
    const last = lines.find((l) => l.startsWith('- final row (after T29): '));
    const diagonal = lines.find((l) => l.startsWith('- diagonal'));
    expect(last?.split(': ')[1].split(' ')).toHaveLength(30);
    expect(last).toContain('29.000 29.001');
    expect(diagonal).toContain('0.000 1.001 2.002');
    expect(diagonal?.endsWith('29.029')).toBe(true);
  });

  it('defines every registered metric with its formula', () => {
    const lines = section(md, 'Metric definitions').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(metrics.names().length);
    for (const m of metrics.list()) {
      expect(lines).toContain(`- **${m.type}** — ${m.description} — \`${m.formula}\``);
    }
  });
});

describe('report.md with hostile or huge input (issue #18, defects 7 and 10)', () => {
  it('user text reaches the Markdown as text, never as HTML', () => {
    const base = fixtureResult();
    const evil = '<img src=x onerror=alert(1)>';
    const runs = base.runs.map((r, i) => ({
      ...r,
      learner: r.learner === 'naive' ? `<script>alert(1)</script>` : r.learner,
      ...(i === 3 ? { status: 'failed' as const, error: `learner threw ${evil}` } : {}),
    }));
    const result = fixtureResult({
      scenario: {
        ...base.scenario,
        description: `Described <script>alert(2)</script>`,
        reference: { source: evil, note: '<iframe src=//x>', values: { '<b>bold</b>': { '<i>ACC</i>': 1 } } },
      },
      taskIds: ['<svg onload=alert(3)>', 'b', 'c'],
      runs,
      summary: summarizeRuns(runs),
    });
    const md = renderMarkdown(result);
    // Code spans are literal in Markdown (clbench's own `after T<i>` is one): look outside them.
    expect(md.replace(/`[^`\n]*`/g, '')).not.toMatch(/<(script|img|iframe|svg|b|i)\b/i);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('Source: &lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('learner threw &lt;img');
  });

  it('a reference table of 200 000 values renders (no spread onto the stack)', () => {
    const base = fixtureResult();
    const metricsOf = Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`m${j}`, j / 1000]));
    const values = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${i}`, metricsOf]));
    const md = renderMarkdown(fixtureResult({ scenario: { ...base.scenario, reference: { source: 's', values } } }));
    expect(md).toContain('| l199 | m999 | 0.999 | not run |');
  });
});

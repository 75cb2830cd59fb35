import { describe, expect, it } from 'vitest';
import { summarizeRuns } from '../../src/metrics/summarize.js';
import type { RunResult } from '../../src/runner/result.js';
import { escapeHtml, html, trustedHtml } from '../../src/report/html/escape.js';
import { planCharts, renderHtmlReport, renderRunHtml } from '../../src/report/html/render-html.js';
import { renderSvg } from '../../src/report/html/render-svg.js';
import { describeOptions } from '../../src/report/html/summary-table.js';
import { groupResults, singleGroup } from '../../src/report/load-results.js';
import { PIPE_LEARNER, fixtureResult, wideResult } from './fixture.js';
import { HOSTILE_LEARNER, HOSTILE_NAME, richResult } from './html-fixture.js';

/** The figures' data-chart ids, in page order. */
function chartIds(page: string): string[] {
  return [...page.matchAll(/<figure class="chart"[^>]*data-chart="([^"]+)"/g)].map((m) => m[1]);
}

/** The HTML of the <td> cells of the summary row of `learner` (escaped as on the page). */
function summaryRow(page: string, learner: string): string {
  const start = page.indexOf(`</span>${escapeHtml(learner)}<span class="opts">`);
  expect(start, `row of ${learner}`).toBeGreaterThan(0);
  return page.slice(start, page.indexOf('</tr>', start));
}

describe('escaping', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes interpolated values in html`` unless they are SafeHtml, and flattens arrays', () => {
    const name = '<b>x</b>';
    expect(html`<td>${name}</td>`.value).toBe('<td>&lt;b&gt;x&lt;/b&gt;</td>');
    expect(html`<td>${html`<i>${name}</i>`}</td>`.value).toBe('<td><i>&lt;b&gt;x&lt;/b&gt;</i></td>');
    expect(html`${[1, '<', null, undefined, false, trustedHtml('<br>')]}`.value).toBe('1&lt;<br>');
  });

  it('renders a scenario and a learner named like markup as text, and the page has no script at all', async () => {
    const page = await renderRunHtml(richResult({ hostile: true }));
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; — clbench report</title>');
    expect(page).toContain(escapeHtml(HOSTILE_LEARNER));
    // Inside the SVG too (chart labels and aria text come from vega's own escaping).
    const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThan(3);
    expect(svgs.some((svg) => svg.includes('&quot;&gt;&lt;img src=x'))).toBe(true);
    expect(HOSTILE_NAME).toContain('<script>');
  });
});

describe('renderHtmlReport', () => {
  it('lays out one scenario: summary, the trade-off view, curves, matrices, cost and reproducibility', async () => {
    const page = await renderRunHtml(richResult());
    for (const id of ['summary', 'tradeoff', 'curves', 'matrices', 'cost', 'reproducibility']) {
      expect(page, id).toContain(`<section class="card" id="${id}">`);
      expect(page, id).toContain(`href="#${id}"`);
    }
    expect(chartIds(page)).toEqual(['tradeoff', 'lca-curve', 'stability-gap', 'learning-curves', 'matrices', 'cost']);
    expect(page).not.toContain('id="fewshot"');
    // Versions and settings for reproducibility; the scenario JSON is embedded (escaped).
    expect(page).toContain('tfjs-core <code>4.22.0</code>');
    expect(page).toContain('&quot;name&quot;: &quot;fixture-gem&quot;');
    expect(page).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'');
  });

  it('adds few-shot adaptation curves only when runs carry metrics.adaptationCurve', async () => {
    const page = await renderRunHtml(richResult({ fewShot: true }));
    expect(chartIds(page)).toContain('few-shot');
    expect(page).toContain('<section class="card" id="fewshot">');
    // The curve is not a scalar metric: no table column for it.
    expect(page).not.toContain('>adaptationCurve<');
  });

  it('highlights the best mean per column and prints the paper value with the difference', async () => {
    const page = await renderRunHtml(richResult());
    const naive = summaryRow(page, 'naive');
    const ewc = summaryRow(page, PIPE_LEARNER);
    // ACC: naive 0.64 ± 0.085 (2 seeds), ewc 0.80 (its diverged seed has no metrics): ewc is best.
    expect(naive).toContain('<span class="v">0.640</span><span class="sd">± 0.085</span>');
    expect(ewc).toMatch(/<td class="best"[^>]*><span class="v">0\.800<\/span>/);
    expect(naive).not.toMatch(/<td class="best"[^>]*><span class="v">0\.640/);
    // naive vs paper: ACC 0.64 − 0.62 = +0.020 (close), forgetting 0.375 − 0.4 = −0.025 (near), BWT −0.375 − (−0.3) = −0.075 (far).
    expect(naive).toContain('paper 0.62 <span class="d ok">+0.020</span>');
    expect(naive).toContain('paper 0.4 <span class="d warn">−0.025</span>');
    expect(naive).toContain('paper -0.3 <span class="d bad">−0.075</span>');
    expect(page).toContain('gem<span class="opts">published only: not run here</span>');
    expect(page).toContain('Published but not measured here: naive RA = 0.5.');
    // Seeds column: ewc has one completed run of two.
    expect(ewc).toContain('<td title="completed runs">1 of 2</td>');
    expect(page).toContain('Runs with problems');
    expect(page).toContain('diverged at task 1 (perm-1), step 57');
  });

  it('summarises the winners in tiles', async () => {
    const page = await renderRunHtml(richResult());
    const tiles = page.slice(page.indexOf('<div class="tiles">'), page.indexOf('<table class="summary">'));
    expect(tiles).toContain('Best final accuracy · ACC</div><div class="tile-value">0.800</div>');
    expect(tiles).toContain('Least forgetting · F</div><div class="tile-value">0.100</div>');
    expect(tiles).toContain('Fastest adaptation · LCA</div><div class="tile-value">0.400</div>');
    expect(tiles).toContain('4 runs on cpu');
  });

  it('renders every chart without a vega or vega-lite warning, each with data marks', async () => {
    const results: RunResult[] = [richResult({ fewShot: true }), wideResult(25), regressionResult()];
    for (const result of results) {
      for (const plan of planCharts(result)) {
        const { svg, warnings } = await renderSvg(plan.spec);
        expect(warnings, `${result.scenario.name} ${plan.id}`).toEqual([]);
        expect(svg, plan.id).toMatch(/^<svg/);
        expect(svg, plan.id).toMatch(/class="mark-[a-z]+ role-mark/);
      }
    }
  });

  it('labels scores as test losses on regression streams', async () => {
    const page = await renderRunHtml(regressionResult());
    expect(page).toContain('scores are test losses');
    expect(page).toMatch(/<text[^>]*>test loss<\/text>/);
  });

  it('shows the matrix of a 25-task stream without cell labels', async () => {
    const [plan] = planCharts(wideResult(25)).filter((p) => p.id === 'matrices');
    const { svg } = await renderSvg(plan.spec);
    expect(svg).not.toContain('mark-text role-mark');
    expect(svg).toContain('mark-rect role-mark');
  });

  it('copes with a result in which no run finished', async () => {
    const empty: RunResult = { ...fixtureResult(), runs: [], summary: {}, complete: false };
    const page = await renderRunHtml(empty);
    expect(page).toContain('No runs finished.');
    expect(chartIds(page)).toEqual([]);
    expect(page).toContain('complete: false');
  });

  it('gives several scenarios an overview and a part each, with distinct anchors', async () => {
    const a = richResult();
    const b: RunResult = { ...richResult(), scenario: { ...a.scenario, name: 'other scenario' } };
    const page = await renderHtmlReport(groupResults([{ result: a }, { result: b }]), { title: 'My comparison' });
    expect(page).toContain('<h1>My comparison</h1>');
    expect(page).toContain('<a href="#g-fixture-gem">fixture-gem</a>');
    expect(page).toContain('<a href="#g-other-scenario">other scenario</a>');
    expect(page).toContain('id="g-fixture-gem-tradeoff"');
    expect(page).toContain('id="g-other-scenario-tradeoff"');
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('says which files a merged report came from', async () => {
    const page = await renderHtmlReport([singleGroup(richResult(), '/data/run-a/result.json')]);
    expect(page).toContain('<code>/data/run-a/result.json</code>');
    expect(page).toContain('Merged from');
  });
});

function regressionResult(): RunResult {
  const base = richResult();
  const runs = base.runs.map((r) => ({ ...r, learner: r.learner === PIPE_LEARNER ? 'maml' : r.learner }));
  return {
    ...base,
    scenario: { ...base.scenario, name: 'sine', reference: undefined },
    stream: { ...base.stream, kind: 'regression', description: 'sine waves' },
    runs,
    summary: summarizeRuns(runs),
  };
}

describe('scopeSvgIds', () => {
  it('prefixes the ids of clip paths and gradients and every reference to them', async () => {
    const { scopeSvgIds } = await import('../../src/report/html/render-svg.js');
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath><linearGradient id="gradient_0"/></defs>' +
      '<g clip-path="url(#clip1)"><path fill="url(#gradient_0)"/><use href="#clip1"/></g><text>clip1 url(#x)</text></svg>';
    expect(scopeSvgIds(svg, 'a-')).toBe(
      '<svg><defs><clipPath id="a-clip1"><rect/></clipPath><linearGradient id="a-gradient_0"/></defs>' +
        '<g clip-path="url(#a-clip1)"><path fill="url(#a-gradient_0)"/><use href="#a-clip1"/></g><text>clip1 url(#x)</text></svg>',
    );
  });
});

describe('describeOptions', () => {
  it('lists set options and skips ones set to undefined from code', () => {
    expect(describeOptions('er', { lr: 0.1, memorySize: undefined, buffer: 'reservoir' }, 'ER')).toBe('er · lr 0.1 · buffer reservoir');
    expect(describeOptions('naive', { lr: 0.03 }, 'naive')).toBe('lr 0.03');
  });
});

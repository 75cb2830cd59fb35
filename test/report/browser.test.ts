import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { renderHtmlReport } from '../../src/report/html/render-html.js';
import { groupResults } from '../../src/report/load-results.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { tempDir, tinyScenario } from '../helpers/scenario.js';
import { HOSTILE_LEARNER, HOSTILE_NAME, richResult } from './html-fixture.js';

const CHROMIUM = process.env.CLBENCH_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
// CI installs chromium (scripts/test.sh): there a missing browser must fail the test, never skip it.
const skip = !available && !process.env.CI;
if (skip) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set CLBENCH_CHROMIUM)`);

interface PageCheck {
  /** data-chart ids of figures whose SVG has no data marks. */
  readonly empty: string[];
  readonly charts: string[];
  readonly consoleErrors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
  readonly text: string;
}

async function openReport(browser: Browser, file: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const local = (url: string) => url.startsWith('file:') || url.startsWith('data:');
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!local(r.url())) requests.push(r.url());
  });
  // Anything that is not the file itself is refused, and recorded above.
  await page.route('**/*', (route) => (local(route.request().url()) ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const result = await page.evaluate(() => {
    const figures = [...document.querySelectorAll('figure.chart')];
    const charts = figures.map((f) => f.getAttribute('data-chart') ?? '?');
    const empty = figures
      .filter((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = svg?.querySelectorAll('g.role-mark > *').length ?? 0;
        return !svg || !box || box.width < 50 || box.height < 50 || marks === 0;
      })
      .map((f) => f.getAttribute('data-chart') ?? '?');
    return { charts, empty, text: document.body.innerText };
  });
  await page.close();
  return { ...result, consoleErrors, requests, dialogs };
}

describe.skipIf(skip)('report.html in headless Chromium', () => {
  let browser: Browser;
  let runReport: string;
  let mergedReport: string;

  beforeAll(async () => {
    const backend = await useBackend('wasm');
    const outDir = tempDir();
    await runScenario(
      tinyScenario({
        stream: { type: 'rotated-mnist', tasks: 3, trainPerTask: 60, testPerTask: 60 },
        learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }],
        seeds: [0, 1],
      }),
      { outDir, backend },
    );
    runReport = join(outDir, 'report.html');
    // A merged report of two scenarios, one with few-shot curves and names made of markup.
    mergedReport = join(tempDir(), 'report.html');
    const groups = groupResults([{ file: 'a/result.json', result: richResult({ fewShot: true, hostile: true }) }, { result: richResult() }]);
    writeFileSync(mergedReport, await renderHtmlReport(groups));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows every chart of a real run as an SVG with marks, offline and without errors', async () => {
    const check = await openReport(browser, runReport);
    expect(check.charts).toEqual(['tradeoff', 'lca-curve', 'stability-gap', 'learning-curves', 'matrices', 'cost']);
    expect(check.empty).toEqual([]);
    expect(check.consoleErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.text).toContain('Adaptation versus forgetting');
  });

  it('shows a merged report with few-shot curves, and markup in names stays text', async () => {
    const check = await openReport(browser, mergedReport);
    expect(check.charts.filter((c) => c === 'few-shot')).toHaveLength(1);
    expect(check.charts.length).toBeGreaterThanOrEqual(11);
    expect(check.empty).toEqual([]);
    expect(check.consoleErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.dialogs).toEqual([]); // no alert() ran
    expect(check.text).toContain(HOSTILE_NAME);
    expect(check.text).toContain(HOSTILE_LEARNER);
  });

  it('would notice a network request, a chart without marks and a script error', async () => {
    const bad = join(tempDir(), 'bad.html');
    writeFileSync(
      bad,
      '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">' +
        '<figure class="chart" data-chart="blank"><svg width="200" height="200"></svg></figure>' +
        '<script>throw new Error("oops")</script></body></html>',
    );
    const check = await openReport(browser, bad);
    expect(check.requests).toEqual(['http://example.invalid/x.png']);
    expect(check.empty).toEqual(['blank']);
    expect(check.consoleErrors.some((e) => e.includes('oops'))).toBe(true);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderConsoleSummary } from '../../report/console-summary.js';
import { runsCsv, summaryCsv } from '../../report/csv.js';
import { renderHtmlReport } from '../../report/html/render-html.js';
import { jsonSummary } from '../../report/json-summary.js';
import { renderLatex } from '../../report/latex.js';
import { type ReportGroup, groupResults, loadResults } from '../../report/load-results.js';
import { renderMarkdownGroups } from '../../report/markdown.js';
import { ClbenchError } from '../../util/errors.js';
import { colorLevel } from '../color.js';
import { loadPlugins } from '../plugins.js';
import { commaList } from '../comma-list.js';

export const FORMATS = ['html', 'md', 'csv', 'latex'] as const;
type Format = (typeof FORMATS)[number];

interface ReportFlags {
  out?: string;
  format: string;
  title?: string;
  quiet?: boolean;
  json?: boolean;
  plugin?: string[];
}

export function parseFormats(text: string): Format[] {
  const wanted = commaList(text).map((s) => s.toLowerCase());
  const unknown = wanted.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (wanted.length === 0 || unknown.length) {
    throw new ClbenchError(`--format: ${unknown.length ? `unknown ${unknown.map((u) => `'${u}'`).join(', ')}` : 'empty'}; choose from ${FORMATS.join(', ')}`);
  }
  return [...new Set(wanted)] as Format[];
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

/** Writes each requested format into `outDir`; returns the files written by format. */
async function writeReports(groups: readonly ReportGroup[], outDir: string, formats: readonly Format[], title?: string): Promise<Record<string, string>> {
  mkdirSync(outDir, { recursive: true });
  const written: Record<string, string> = {};
  const write = (key: string, name: string, content: string) => {
    const path = join(outDir, name);
    writeFileSync(path, content);
    written[key] = path;
  };
  for (const format of formats) {
    if (format === 'html') write('html', 'report.html', await renderHtmlReport(groups, { title }));
    if (format === 'md') write('markdown', 'report.md', renderMarkdownGroups(groups));
    if (format === 'csv') {
      write('summaryCsv', 'summary.csv', summaryCsv(groups));
      write('runsCsv', 'runs.csv', runsCsv(groups));
    }
    if (format === 'latex') write('latex', 'table.tex', renderLatex(groups));
  }
  return written;
}

export function registerReport(program: Command): void {
  program
    .command('report <results...>')
    .description('one comparison report from result.json files or folders of them, without retraining; runs of different scenarios are kept apart')
    .option('--out <dir>', 'write the report here (default: reports/report-<timestamp>)')
    .option('--format <list>', `comma-separated, from ${FORMATS.join(', ')}`, FORMATS.join(','))
    .option('--title <text>', 'page title when the results span several scenarios')
    .option('--plugin <file...>', 'modules (.js or .ts) to import first (they register custom metrics)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print each scenario group\'s summary and the files written as JSON on stdout')
    .action(async (inputs: string[], flags: ReportFlags) => {
      await loadPlugins(flags.plugin);
      const formats = parseFormats(flags.format);
      const groups = groupResults(loadResults(inputs));
      const outDir = flags.out ?? join('reports', `report-${timestamp()}`);
      const files = await writeReports(groups, outDir, formats, flags.title);
      if (flags.json) {
        const payload = {
          files,
          groups: groups.map((g) => ({
            id: g.id,
            fingerprint: g.fingerprint,
            ...(g.variant ? { variant: g.variant } : {}),
            sources: g.sources,
            notes: g.notes,
            ...jsonSummary(g.result, {}),
          })),
        };
        process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
        return;
      }
      if (flags.quiet) return;
      const color = colorLevel('stdout') > 0;
      for (const g of groups) {
        const about = [g.sources.length > 1 ? `merged from ${g.sources.length} results` : '', g.variant ? `differs in ${g.variant}` : ''];
        if (about.some(Boolean)) process.stdout.write(`(${about.filter(Boolean).join('; ')})\n`);
        process.stdout.write(`${renderConsoleSummary(g.result, { color }).trimEnd()}\n`);
        for (const note of g.notes) process.stdout.write(`  note: ${note}\n`);
        process.stdout.write('\n');
      }
      process.stdout.write(`wrote ${Object.values(files).join(', ')}\n`);
    });
}

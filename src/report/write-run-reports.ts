import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../runner/result.js';
import { renderRunHtml } from './html/render-html.js';
import { renderMarkdown } from './markdown.js';

/** The reports of one scenario's result: report.md and report.html in `outDir`. */
export async function writeRunReports(result: RunResult, outDir: string): Promise<{ markdown: string; html: string }> {
  const paths = { markdown: join(outDir, 'report.md'), html: join(outDir, 'report.html') };
  writeFileSync(paths.markdown, renderMarkdown(result));
  writeFileSync(paths.html, await renderRunHtml(result));
  return paths;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * docs/reproductions.md is evidence only if the committed records give it: rebuild it with the
 * command the page itself states and fail on any difference (run from the repository root).
 */
const PAGE = 'docs/reproductions.md';

function regenerateCommand(page: string): string[] {
  const match = /Regenerate this page with:\n\n {4}(clbench reproductions [^\n]+)\n/.exec(page);
  if (!match) throw new Error(`${PAGE}: no "Regenerate this page with:" command`);
  return match[1].split(' ').slice(1);
}

describe(PAGE, () => {
  const page = readFileSync(PAGE, 'utf8');

  it('is what its own command builds from the committed records', async () => {
    const args = regenerateCommand(page);
    expect(args).toContain(PAGE);
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => chunks.push(String(chunk)) > 0);
    let code: number;
    try {
      code = await main(['node', 'clbench', ...args, '--check']);
    } finally {
      spy.mockRestore();
    }
    expect(code, chunks.join('')).toBe(0);
  });

  it('is regenerated, in docs/reports.md\'s workflow, with the command it states', () => {
    expect(readFileSync('docs/reports.md', 'utf8')).toContain(`\nnpx ${['clbench', ...regenerateCommand(page)].join(' ')}\n`);
  });

  it('names its records and commands by paths relative to the repository root', () => {
    const command = regenerateCommand(page);
    const inCode = [...page.matchAll(/`(clbench [^`]+)`/g)].map((m) => m[1]);
    const records = [...page.matchAll(/\*\*Records:\*\* (.+)/g)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((f) => f[1]));
    for (const word of [...command, ...inCode.flatMap((c) => c.split(' ')), ...records]) {
      expect(word.slice(word.indexOf('=') + 1)).not.toMatch(/^\//);
    }
    expect(records.every((file) => file.startsWith('reproductions/records/'))).toBe(true);
  });

  it('has no partial section, and no scenario or learner without a run unless reproductions/not-run.json says why', () => {
    expect(page).not.toContain('> **Partial:**');
    expect(page).not.toMatch(/^Not run in this checkout \(no committed record\)/m);
    expect(page).not.toMatch(/^Not run \(no record has them\)/m);
    expect(page).not.toContain('**No completed runs yet:**');
    expect(regenerateCommand(page).join(' ')).toContain('--not-run reproductions/not-run.json');
  });
});

import { describe, expect, it } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console-summary.js';
import { fixtureResult } from './fixture.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const strip = (s: string): string => s.replace(ANSI, '');

/** The lines of one block: from the line starting with `first` up to the next blank line. */
function block(text: string, first: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => strip(l).startsWith(first));
  expect(start, `block starting "${first}"`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start, end === -1 ? undefined : end);
}

describe('renderConsoleSummary', () => {
  const plain = renderConsoleSummary(fixtureResult(), { color: false });
  const coloured = renderConsoleSummary(fixtureResult(), { color: true });

  it('has no ANSI escape codes without colour', () => {
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
  });

  it('summary table: learners as rows, mean ± std in registry order, aligned columns', () => {
    const table = block(plain, 'learner ');
    expect(table).toHaveLength(4); // header, rule, 2 learners
    expect(table[0].split(/\s{2,}/)).toEqual(['learner', 'ACC', 'BWT', 'LA', 'forgetting', 'wall s']);
    expect(table[1]).toMatch(/^─+$/);
    expect(table[2].split(/\s{2,}/)).toEqual([
      'naive',
      '0.640 ± 0.085',
      '-0.375 ± 0.106',
      '0.850 ± 0.071',
      '0.375 ± 0.106',
      '11.0 ± 1.4',
    ]);
    expect(table[3].split(/\s{2,}/)).toEqual(['ewc | strong', '0.800', '-0.100', '0.840', '0.100', '12.5 ± 10.6']);
    const widths = new Set(table.map((l) => l.length));
    expect(widths.size).toBe(1);
    // right-aligned numbers: every row's ACC cell ends at the same column as the header's "ACC"
    const accEnd = table[0].indexOf('ACC') + 3;
    expect(table[2].slice(0, accEnd).endsWith('0.085')).toBe(true);
    expect(table[3].slice(0, accEnd).endsWith('0.800')).toBe(true);
  });

  it('alignment survives colour (visible lengths equal)', () => {
    const table = block(coloured, 'learner ').map(strip);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(table).toEqual(block(plain, 'learner '));
  });

  it('vs paper block: ours, paper, difference per learner and metric', () => {
    const rows = block(plain, 'vs paper');
    expect(rows[0]).toBe('vs paper (Lopez-Paz & Ranzato 2017 (GEM), Table 1)');
    const table = rows.slice(1);
    expect(table[0].split(/\s{2,}/)).toEqual(['learner', 'metric', 'ours', 'paper', 'diff']);
    expect(table.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['naive', 'ACC', '0.640 ± 0.085', '0.62', '+0.020'],
      ['naive', 'BWT', '-0.375 ± 0.106', '-0.3', '−0.075'],
      ['naive', 'forgetting', '0.375 ± 0.106', '0.4', '−0.025'],
      ['ewc | strong', 'ACC', '0.800', '0.85', '−0.050'],
      ['gem', 'ACC', 'not run', '0.89', '—'],
    ]);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
  });

  it('colours differences: green ≤ 0.02, yellow ≤ 0.05, red beyond', () => {
    const green = '\u001b[32m';
    const yellow = '\u001b[33m';
    const red = '\u001b[31m';
    const line = (diff: string): string | undefined => block(coloured, 'vs paper').find((l) => l.includes(diff));
    // 0.640 − 0.62 is 0.02 up to rounding: still green.
    expect(line('+0.020')).toContain(`${green}+0.020`);
    expect(line('−0.025')).toContain(`${yellow}−0.025`);
    // 0.800 − 0.85 is 0.05 up to rounding: still yellow.
    expect(line('−0.050')).toContain(`${yellow}−0.050`);
    expect(line('−0.075')).toContain(`${red}−0.075`);
  });

  it('lists failed and diverged runs at the end, in red', () => {
    const lines = plain.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('✗ ewc | strong seed 2: diverged at task 1 (perm-1), step 57 (loss NaN)');
    const last = coloured.trimEnd().split('\n').at(-1)!;
    expect(last.startsWith('\u001b[31m')).toBe(true);
  });

  it('omits the paper block without a reference and warns on partial runs', () => {
    const base = fixtureResult();
    const out = renderConsoleSummary(
      { ...base, complete: false, scenario: { ...base.scenario, reference: undefined } },
      { color: false },
    );
    expect(out).not.toContain('vs paper');
    expect(out).toContain('complete: false');
  });
});

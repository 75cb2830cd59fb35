import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/scenario.js';

const BIN = resolve('bin/clbench.js');

/** clbench in `cwd` (a checkout of the user's), as a user would run it there. */
function clbench(cwd: string, ...args: string[]) {
  const r = spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scenario = {
  name: 'tiny-paper',
  description: 'Two rotations, to check the record path end to end.',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 100, testPerTask: 100 },
  model: { hidden: [16] },
  learners: [{ type: 'naive', name: 'SGD', lr: 0.05 }],
  seeds: [0],
  reference: { source: 'Tiny paper, Table 1', values: { SGD: { ACC: 0.5 } } },
};

describe('clbench reproductions record (end to end)', () => {
  it('runs, records with repository-relative paths, and builds the page from the record alone', () => {
    const repo = tempDir();
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'scenarios'));
    writeFileSync(join(repo, 'scenarios', 'tiny-paper.json'), JSON.stringify(scenario));
    // An absolute --out, as in a command typed with $PWD: the record must not keep it.
    const out = join(repo, 'reports', 'reproductions', 'tiny-paper');
    const ran = clbench(repo, 'run', 'scenarios/tiny-paper.json', '--out', out, '--backend', 'wasm', '-q');
    expect(ran.code, ran.stderr).toBe(0);

    const recorded = clbench(repo, 'reproductions', 'record', out);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toContain('recorded reports/reproductions/tiny-paper/result.json → reproductions/records/tiny-paper/tiny-paper.json (1 runs,');
    const record = JSON.parse(readFileSync(join(repo, 'reproductions/records/tiny-paper/tiny-paper.json'), 'utf8')) as {
      command: string; runs: { metrics: Record<string, number>; accuracyMatrix: number[][] }[];
    };
    expect(record.command).toMatch(/ run scenarios\/tiny-paper\.json --out reports\/reproductions\/tiny-paper --backend wasm -q$/);
    expect(record.runs[0].accuracyMatrix).toHaveLength(2);

    // The result files are not needed any more: the page comes from the committed record.
    const page = clbench(repo, 'reproductions', '--out', 'docs/reproductions.md');
    expect(page.code, page.stderr).toBe(0);
    const md = readFileSync(join(repo, 'docs', 'reproductions.md'), 'utf8');
    expect(md).toContain('    clbench reproductions reproductions/records --out docs/reproductions.md --tolerance ACC=0.04 --scenarios scenarios\n');
    expect(md).toContain('- **Records:** `reproductions/records/tiny-paper/tiny-paper.json`');
    const acc = record.runs[0].metrics.ACC.toFixed(3);
    expect(md).toMatch(new RegExp(`\\| SGD \\| ACC \\| 0\\.500 \\| ${acc} \\(n=1\\) \\| .* \\| ±0\\.04 \\| .* \\| \`.* run scenarios/tiny-paper\\.json --out reports/reproductions/tiny-paper --backend wasm -q\` \\|`));
    expect(md).not.toContain(repo);
    expect(clbench(repo, 'reproductions', '--out', 'docs/reproductions.md', '--check').code).toBe(0);
  });
});

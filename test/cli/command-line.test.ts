import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine, shellWord } from '../../src/cli/command-line.js';
import { recordedCommand } from '../../src/cli/commands/sweep.js';

describe('the command line a result records', () => {
  it('quotes the arguments a shell would split or expand, and only those', () => {
    expect(commandLine(['run', 'scenarios/der-seq-mnist.json', '--learners', 'ER 500,DER++ 500', '--seeds', '0', '--set', 'learners[0].lr=0.1']))
      .toBe("clbench run scenarios/der-seq-mnist.json --learners 'ER 500,DER++ 500' --seeds 0 --set 'learners[0].lr=0.1'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(recordedCommand(['sweep', 's.json', '--queue', 'redis://u:secret@h:6379', '--learners', 'A B'])).toBe(
      "clbench sweep s.json --queue 'redis://u:***@h:6379' --learners 'A B'",
    );
  });

  it('gives back the same arguments when a shell reads it', () => {
    const args = ['run', 'a b.json', '--learners', 'ER 500,DER++ 500', "it's", '$HOME', 'x*'];
    const line = commandLine(args);
    const echoed = spawnSync('sh', ['-c', `printf '%s\\n' ${line.slice('clbench '.length)}`], { encoding: 'utf8' });
    expect(echoed.stdout.split('\n').slice(0, -1)).toEqual(args);
  });
});

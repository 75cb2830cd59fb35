import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defer, of } from 'rxjs';
import { type Registries, registries } from '../../src/runner/registries.js';
import { previewStream } from '../../src/runner/run-scenario.js';
import { LIMITS, checkJsonShape, parseSeedList } from '../../src/scenario/limits.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { readIdx } from '../../src/streams/datasets/idx.js';
import { checkJob } from '../../src/sweep/job.js';
import type { StreamEntry } from '../../src/streams/stream-entry.js';
import type { StreamInfo, Task } from '../../src/streams/types.js';
import { Registry } from '../../src/util/registry.js';
import { Rng } from '../../src/util/rng.js';
import { ClbenchError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/scenario.js';

/** Issue #18: bad sizes and values are named and refused before a run, within seconds. */

const quickstart = JSON.parse(readFileSync('scenarios/quickstart.json', 'utf8')) as Record<string, unknown> & {
  stream: Record<string, unknown>;
  model: Record<string, unknown>;
  learners: Record<string, unknown>[];
};

function clbench(...args: string[]) {
  // The timeout is the assertion that matters for the hangs: an answer, not a benchmark.
  const r = spawnSync('node', ['bin/clbench.js', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined };
}

function file(content: string, name = 'scenario.json'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

function variant(change: (s: typeof quickstart) => void): string {
  const copy = structuredClone(quickstart);
  change(copy);
  return file(JSON.stringify(copy));
}

/** A user error: exit 2, the message names `field`, and no stack trace or "bug" hint. */
function expectUserError(r: ReturnType<typeof clbench>, field: string | RegExp): void {
  expect(r.timedOut).toBe(false);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(field);
  expect(r.stderr).not.toMatch(/looks like a bug|\n\s+at /);
}

describe('defect 1: stream.tasks is bounded before anything is listed', () => {
  const billion = variant((s) => (s.stream.tasks = 1e9));
  it.each([['validate'], ['run'], ['sweep', '--dry-run', '--db', join(tempDir(), 'x.db')]])('%s refuses 1e9 tasks at once', (command, ...flags) => {
    expectUserError(clbench(command, billion, ...flags), /stream\.tasks: must be <= 1000/);
  });

  it('a queued job of a billion tasks is refused by the worker at once, without retries', () => {
    const huge = { ...structuredClone(quickstart), learners: [quickstart.learners[0]], seeds: [0] };
    huge.stream.tasks = 1e9;
    // Refused by the schema, before the stream is built: the old worker blocked listing the tasks.
    expect(() => checkJob({ v: 1, id: 'x', scenario: huge, backend: 'wasm' })).toThrow(/stream\.tasks: must be <= 1000/);
  });

  /** The default registries with one extra stream that announces `info` and counts its listings. */
  function withStream(info: Partial<StreamInfo>): { regs: Registries; listings: () => number } {
    const streams = new Registry<StreamEntry>('stream');
    let listings = 0;
    const full: StreamInfo = { type: 'big', numTasks: 1, inputShape: [1], outputSize: 1, heads: 1, kind: 'regression', description: 'big', ...info };
    const task = (index: number): Task => {
      const n = 10;
      const split = { x: new Float32Array(n), y: new Float32Array(n), n, inputShape: full.inputShape };
      return { index, id: `t${index}`, train: () => split, test: () => split };
    };
    streams.register({
      type: 'big', description: 'announces what the test asks', options: { type: 'object', properties: {} },
      create: () => ({ info: full, tasks: () => defer(() => ((listings += 1), of(task(0)))) }),
    });
    return { regs: { ...registries, streams }, listings: () => listings };
  }

  it('a stream registered from outside is checked before its tasks are listed', async () => {
    const { regs, listings } = withStream({ numTasks: 1e9 });
    const scenario = resolveScenario({ name: 'endless', stream: { type: 'big' }, model: { hidden: [2] }, learners: [{ type: 'naive', lr: 0.1 }] }, {}, regs);
    await expect(previewStream(scenario, regs)).rejects.toThrow(/stream\.tasks: 1000000000 tasks; at most 1000/);
    expect(listings()).toBe(0);
  });

  it('test data that would stay resident above the bound is refused, naming what to lower', async () => {
    const { regs } = withStream({ numTasks: 1000, inputShape: [200_000] });
    const scenario = resolveScenario({ name: 'wide', stream: { type: 'big' }, model: { hidden: [1] }, learners: [{ type: 'naive', lr: 0.1 }] }, {}, regs);
    await expect(previewStream(scenario, regs)).rejects.toThrow(/GiB of test data resident.*stream\.testPerTask/);
  });
});

describe('defect 2: seeds are checked, never wrapped', () => {
  it('run refuses a seed beyond 32 bits and a repeated seed', () => {
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--learners', 'naive', '--seeds', '0,4294967296,0'), /--seeds: '4294967296' is not a seed/);
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--seeds', '0,0'), /--seeds: seed 0 is listed twice/);
  });

  it('the schema bounds seeds, stream.seed and sweep.seeds to [0, 2^32)', () => {
    const base = { name: 's', stream: { type: 'sine' }, learners: [{ type: 'naive', lr: 0.1 }] };
    expect(() => resolveScenario({ ...base, seeds: [4294967296] })).toThrow(/seeds\/?\[?0\]?.*<= 4294967295|seeds\[0\]/);
    expect(() => resolveScenario({ ...base, seeds: [-1] })).toThrow(/seeds/);
    expect(() => resolveScenario({ ...base, stream: { type: 'sine', seed: 1e308 } })).toThrow(/stream\.seed/);
    expect(() => resolveScenario({ ...base, sweep: { seeds: [0, 2 ** 40] } })).toThrow(/sweep\.seeds/);
    expect(resolveScenario({ ...base, seeds: [0, LIMITS.maxSeed] }).seeds).toEqual([0, 4294967295]);
  });

  it('parseSeedList accepts what the schema accepts', () => {
    expect(parseSeedList('--seeds', ' 0, 7 ,4294967295')).toEqual([0, 7, 4294967295]);
    for (const bad of ['1e3', '-1', '1.5', '0x10', ',']) expect(() => parseSeedList('--seeds', bad)).toThrow(ClbenchError);
  });

  it('Rng refuses a seed it would truncate', () => {
    expect(() => new Rng(4294967296)).toThrow(RangeError);
    expect(() => new Rng(1e308)).toThrow(RangeError);
    expect(new Rng(4294967295).next()).not.toBe(new Rng(0).next());
  });
});

describe('defects 8, 9 and 10: malformed or oversized input is named, not a crash', () => {
  it('--out that is a file, /dev/null, empty or under a file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--quick', '--out', '/dev/null'), /--out \/dev\/null: exists and is not a folder/);
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--quick', '--out', ''), /--out is empty/);
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--quick', '--out', join(dir, 'file', 'sub')), /file is not a folder/);
    expectUserError(clbench('sweep', 'scenarios/quickstart.json', '--quick', '--db', join(dir, 'x.db'), '--out', join(dir, 'file')), /--out .*file: exists and is not a folder/);
  });

  it('trainPerTask above the examples available', () => {
    expectUserError(clbench('validate', variant((s) => (s.stream.trainPerTask = 100_000))), /stream\.trainPerTask is 100000, but only 60000/);
  });

  it('tasks: 1e308 and JSON nested 100 000 deep', () => {
    expectUserError(clbench('validate', variant((s) => (s.stream.tasks = 1e308))), /stream\.tasks: must be <= 1000/);
    expectUserError(clbench('validate', file(`{"name": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`)), /name\[0\].*nested more than 32 levels/);
  });

  it('lr: 1e999 (Infinity after parsing) and a model too large to allocate', () => {
    const infinite = JSON.stringify(quickstart).replace('"lr":0.03', '"lr":1e999');
    expect(infinite).toContain('1e999');
    expectUserError(clbench('validate', file(infinite)), /learners\[0\]\.lr: Infinity is not a finite number/);
    expectUserError(clbench('validate', variant((s) => (s.model.hidden = [1_000_000, 1_000_000]))), /model: 1\.00e\+12 parameters/);
  });

  it('a scenario file over 1 MiB, long text fields, and too many runs for `run` without --yes', () => {
    expectUserError(clbench('validate', variant((s) => (s.description = 'x'.repeat(2 * 1024 * 1024)))), /bytes; a scenario file may have at most 1048576/);
    expectUserError(clbench('validate', variant((s) => (s.description = 'x'.repeat(20_000)))), /description: must NOT have more than 10000 characters/);
    const seeds = Array.from({ length: 200 }, (_, i) => i).join(',');
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--seeds', seeds), /400 runs \(more than 100\); pass --yes/);
    const many = Array.from({ length: LIMITS.maxSeeds + 1 }, (_, i) => i).join(',');
    expectUserError(clbench('run', 'scenarios/quickstart.json', '--seeds', many), /10001 seeds; at most 10000/);
  });

  it('reference values are bounded in number', () => {
    const values = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`l${i}`, { ACC: 0.5 }]));
    expect(() => resolveScenario({ name: 'r', stream: { type: 'sine' }, learners: [{ type: 'naive', lr: 0.1 }], reference: { source: 'x', values } })).toThrow(
      /reference\.values: must NOT have more than 1000 properties/,
    );
  });

  it('an IDX folder with 0 images, and a gzip bomb', () => {
    const dir = tempDir();
    const header = (magic: number[], dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      magic.forEach((v, i) => (b[i] = v));
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    for (const prefix of ['train', 't10k']) {
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), header([0, 0, 8, 3], [0, 28, 28]));
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), header([0, 0, 8, 1], [0]));
    }
    expectUserError(clbench('validate', variant((s) => (s.stream.path = dir))), /train-images-idx3-ubyte: holds no images/);

    const bombDir = join(tempDir(), 'bomb');
    mkdirSync(bombDir);
    const bomb = join(bombDir, 'bomb.gz');
    // 1 GiB + 1 of zeros, compressed in slices to keep this test's own memory small.
    const slice = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    writeFileSync(bomb, Buffer.concat([...Array.from({ length: 16 }, () => slice), gzipSync(Buffer.alloc(1))]));
    expect(() => readIdx(bomb)).toThrow(/decompresses to more than 1073741824 bytes/);
  });
});

describe('defect 11: minor input problems', () => {
  it('a UTF-8 byte-order mark is not an error', () => {
    const r = clbench('validate', file(`\uFEFF${readFileSync('scenarios/quickstart.json', 'utf8')}`));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('checkJsonShape names the path of a non-finite number', () => {
    expect(() => checkJsonShape({ a: [1, { b: Number.NaN }] }, 'f.json: ')).toThrow('f.json: a[1].b: NaN is not a finite number');
  });
});

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ResultsStore } from '../../src/store/results-store.js';
import type { RunSummary } from '../../src/store/types.js';
import { InProcessExecutor } from '../../src/sweep/executors/in-process.js';
import { expandSweep } from '../../src/sweep/expand.js';
import { runIdentity } from '../../src/sweep/identity.js';
import { planSweep } from '../../src/sweep/plan.js';
import { connectionFor, redactUrl } from '../../src/sweep/queue/connection.js';
import type { RunJob } from '../../src/sweep/job.js';
import { QueueExecutor } from '../../src/sweep/queue/queue-executor.js';
import { type RunningWorker, startWorker } from '../../src/sweep/queue/worker.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { ClbenchError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/scenario.js';

const PASSWORD = 'sweep-secret';
const processes: ChildProcess[] = [];

/** A started process with its stderr+stdout collected, and a way to wait for a line. */
interface Proc {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function start(command: string, args: string[]): Proc {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  processes.push(child);
  const proc: Proc = { child, output: '', exited: once(child, 'exit').then(([code]) => code as number | null) };
  child.stdout!.on('data', (d: Buffer) => (proc.output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (proc.output += d.toString()));
  return proc;
}

async function waitForOutput(procs: Proc[], pattern: RegExp, timeoutMs = 60_000): Promise<Proc> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = procs.find((p) => pattern.test(p.output));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${procs.map((p) => p.output).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function startRedis(extra: string[] = []): Promise<{ port: number; proc: Proc }> {
  const port = await freePort();
  const proc = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra]);
  await waitForOutput([proc], /Ready to accept connections/, 15_000);
  return { port, proc };
}

function clbench(...args: string[]): Proc {
  return start('node', ['bin/clbench.js', ...args]);
}

let url: string;
let port: number;

beforeAll(async () => {
  ({ port } = await startRedis(['--requirepass', PASSWORD]));
  url = `redis://default:${PASSWORD}@127.0.0.1:${port}`;
});

const killAll = () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
};
// Even if this test process dies, it takes its Redis and workers with it.
process.on('exit', killAll);
afterAll(async () => {
  killAll();
  await Promise.all(processes.map((p) => (p.exitCode === null && p.signalCode === null ? once(p, 'exit') : undefined)));
});

const scenario = {
  name: 'queue-sweep',
  stream: { type: 'rotated-mnist', tasks: 2, trainPerTask: 150, testPerTask: 100 },
  model: { hidden: [16] },
  protocol: { evalEvery: 5, lcaBeta: 2 },
  learners: [{ type: 'naive', lr: 0.05 }, { type: 'joint', lr: 0.05 }],
  seeds: [0, 1],
};

describe('distributed sweep on Redis', () => {
  it('survives a worker killed mid-run: its run is retried by the other, every run stored once', async () => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const worker = (name: string) => clbench('worker', '--queue', url, '--workers', '1', '--lock-seconds', '5', '--out', join(dir, name));
    const workers = [worker('w1'), worker('w2')];
    await Promise.all(workers.map((w) => waitForOutput([w], /serving queue/)));
    expect(workers[0].output).toContain(`redis://default:***@127.0.0.1:${port}`); // the password is never printed

    const db = join(dir, 'clbench.db');
    const sweep = clbench('sweep', file, '--queue', url, '--backend', 'wasm', '--db', db, '--out', join(dir, 'out'), '-q');
    // Kill whichever worker starts a run first, the moment it does.
    const victim = await waitForOutput(workers, /running queue-sweep \S+ seed \d+ \(([0-9a-f]{16})\)/);
    victim.child.kill('SIGKILL');
    const killedRun = /running queue-sweep \S+ seed \d+ \(([0-9a-f]{16})\)/.exec(victim.output)![1];
    const survivor = workers.find((w) => w !== victim)!;

    expect(await withTimeout('the sweep to finish', sweep.exited, 100_000)).toBe(0);
    const store = ResultsStore.open(db, { readonly: true });
    const runs = store.listRuns();
    store.close();
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    expect(runs.map((r) => r.id)).toContain(killedRun);
    // The victim died during its first run, so the survivor ran everything, the killed run included.
    expect(new Set(runs.map((r) => r.worker!.split(':')[1]))).toEqual(new Set([String(survivor.child.pid)]));
    expect(survivor.output).toContain(`(${killedRun})`);

    // The same numbers as running the sweep here, in process.
    await useBackend('wasm');
    const local = ResultsStore.open(join(tempDir(), 'local.db'));
    await runSweep(await planSweep(expandSweep(resolveScenario(scenario)), 'wasm'), { store: local, executor: new InProcessExecutor(), outDir: tempDir() });
    const numbers = (list: RunSummary[]) => Object.fromEntries(list.map((r) => [r.id, r.metrics]));
    expect(numbers(runs)).toEqual(numbers(local.listRuns()));
    local.close();

    // Collected jobs are removed from Redis.
    const keys = spawnSync('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', PASSWORD, '--scan', '--pattern', 'bull:clbench:run-*'], { encoding: 'utf8' });
    expect(keys.stdout.trim()).toBe('');

    // A job naming a learner this worker does not have fails at once, saying so.
    const plugin = join(dir, 'custom.mjs');
    writeFileSync(plugin, `
      import { learners, ModelLearner, optimizerSchema } from ${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)};
      class Custom extends ModelLearner { observe(b) { return this.step(() => this.batchLoss(b.x, b.y, b.taskIndex)); } }
      learners.register({ type: 'custom-naive', description: 'only on the sweep host', options: { type: 'object', properties: { ...optimizerSchema }, required: ['lr'] }, create: (o) => new Custom(o) });
    `);
    const customFile = join(dir, 'custom.json');
    writeFileSync(customFile, JSON.stringify({ ...scenario, name: 'queue-custom', learners: [{ type: 'custom-naive', lr: 0.05 }], seeds: [0] }));
    const custom = clbench('sweep', customFile, '--plugin', plugin, '--queue', url, '--backend', 'wasm', '--db', db, '--out', join(dir, 'custom'), '-q');
    expect(await withTimeout('the custom-learner sweep to finish', custom.exited, 60_000), custom.output).toBe(3);
    const failed = ResultsStore.open(db, { readonly: true });
    const [run] = failed.listRuns({ scenario: 'queue-custom' });
    failed.close();
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/learner 'custom-naive' is not installed on this worker \(known: naive, .*\); a custom learner must be loaded with --plugin on every worker/);
    expect(survivor.child.exitCode).toBeNull(); // the worker refuses the job and carries on
  }, 240_000); // bounded: each wait above has its own deadline

  it('fails fast with a clear message on a wrong password, a closed port or a bad URL', async () => {
    const refuse = async (target: { url: string; tlsCa?: string }) =>
      QueueExecutor.connect(target, 'clbench', () => {}).then(
        async (q) => {
          await q.close();
          throw new Error('connected');
        },
        (err: unknown) => err as Error,
      );
    const wrong = await refuse({ url: `redis://default:nope@127.0.0.1:${port}` });
    expect(wrong).toBeInstanceOf(ClbenchError);
    expect(wrong.message).toMatch(/cannot use the Redis queue at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+: .*WRONGPASS.*check the user and password/);
    const closed = await refuse({ url: `redis://127.0.0.1:${await freePort()}` });
    expect(closed.message).toMatch(/ECONNREFUSED.*is redis-server running/);
    expect(() => connectionFor({ url: 'http://127.0.0.1:6379' })).toThrow("unsupported scheme 'http:'");
    expect(() => connectionFor({ url: 'redis://127.0.0.1:6379', tlsCa: 'ca.pem' })).toThrow('--tls-ca needs a rediss://');
    expect(redactUrl('rediss://alice:s3cret@example.org:6380/2')).toBe('rediss://alice:***@example.org:6380/2');
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('connects over TLS (rediss://) with user and password, given the CA', async () => {
    const dir = tempDir();
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    expect(made.status).toBe(0);
    const tlsPort = await freePort();
    const { proc } = await startRedis(['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert,
      '--tls-auth-clients', 'no', '--user', 'alice', 'on', '>wonderland', '~*', '&*', '+@all']);
    const target = `rediss://alice:wonderland@127.0.0.1:${tlsPort}`;
    const queue = await QueueExecutor.connect({ url: target, tlsCa: cert }, 'clbench', () => {});
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0 });
    await queue.close();
    const untrusted = await QueueExecutor.connect({ url: target }, 'clbench', () => {}).then(() => undefined, (e: unknown) => e as Error);
    expect(untrusted?.message).toMatch(/self[- ]signed.*--tls-ca/);
    proc.child.kill('SIGTERM');
  });
});

describe('a sweep whose jobs Redis lost (issue #18, defect 3)', () => {
  it('notices within seconds, queues the run again and collects it', async () => {
    const { port: lostPort, proc } = await startRedis();
    const target = { url: `redis://127.0.0.1:${lostPort}` };
    const notices: string[] = [];
    const executor = await QueueExecutor.connect(target, 'lost', () => {}, { checkMs: 200, notice: (line) => notices.push(line) });
    let worker: RunningWorker | undefined;
    try {
      await useBackend('wasm');
      const plan = await planSweep(expandSweep(resolveScenario({ ...scenario, learners: [scenario.learners[0]], seeds: [0] })), 'wasm');
      const [run] = plan.runs;
      const job: RunJob = { v: 1, id: run.id, scenario: run.scenario, backend: 'wasm' };
      const outcome = executor.execute(job, '', { started: () => {}, progress: () => {} });
      const deadline = Date.now() + 15_000;
      while ((await executor.counts()).waiting !== 1) {
        if (Date.now() > deadline) throw new Error('the job was never queued');
        await new Promise((r) => setTimeout(r, 50));
      }
      // A restart without persistence: the same port, nothing kept.
      proc.child.kill('SIGKILL');
      await proc.exited;
      const restarted = start('redis-server', ['--port', String(lostPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
      await waitForOutput([restarted], /Ready to accept connections/, 15_000);
      await withTimeout('the sweep to notice', (async () => {
        while (notices.length === 0) await new Promise((r) => setTimeout(r, 50));
      })(), 20_000);
      expect(notices[0]).toMatch(new RegExp(`run ${run.id}: its job is gone from the queue .*; queued it again`));
      worker = await startWorker({ target, queueName: 'lost', outDir: tempDir(), workers: 1, lockSeconds: 30, plugins: [], log: () => {} });
      const result = await withTimeout('the run queued again to finish', outcome, 60_000);
      expect(result.id).toBe(run.id);
      expect(result.record.status).toBe('completed');
    } finally {
      await worker?.close();
      await executor.close();
    }
  }, 120_000); // bounded: each wait above has its own deadline

  it('does not tell whoever queued a job which files exist on the worker (issue #18, defect 11)', async () => {
    const { port: p, proc } = await startRedis();
    const target = { url: `redis://127.0.0.1:${p}` };
    const executor = await QueueExecutor.connect(target, 'probe', () => {});
    const logged: string[] = [];
    const worker = await startWorker({ target, queueName: 'probe', outDir: tempDir(), workers: 1, lockSeconds: 30, plugins: [], log: (l) => logged.push(l) });
    try {
      const probe = resolveScenario({ ...scenario, stream: { ...scenario.stream, path: '/etc' }, learners: [scenario.learners[0]], seeds: [0] });
      const id = runIdentity(probe, probe.learners[0], 0, 'wasm');
      const job: RunJob = { v: 1, id, scenario: probe, backend: 'wasm' };
      const failure = await withTimeout('the job to fail', executor.execute(job, '', { started: () => {}, progress: () => {} }).then(
        () => new Error('ran'),
        (err: unknown) => err as Error,
      ), 30_000);
      expect(failure.message).toMatch(/the data at stream\.path could not be loaded on worker .*; its log says why/);
      expect(failure.message).not.toMatch(/etc\/|idx|not found|directory/i);
      expect(logged.join('\n')).toMatch(/MNIST not found at \/etc/); // the worker's own log has it
    } finally {
      await worker.close();
      await executor.close();
      proc.child.kill('SIGTERM');
    }
  }, 60_000);
});

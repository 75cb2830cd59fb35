import cliProgress from 'cli-progress';
import { formatDuration } from '../report/format.js';
import type { RunEvent } from '../events/run-events.js';

/** Where progress goes: a terminal gets a redrawn bar, anything else (CI logs, files) plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  /** Redraw in place (default: whether the stream is a terminal). */
  readonly interactive?: boolean;
  /** Plain mode: at most one progress line per interval (ms). Run starts and ends always print. */
  readonly intervalMs?: number;
  /** Clock in ms (tests pass a fake one). */
  readonly now?: () => number;
  /** The scenario runs the meta protocol, so positions count meta-iterations from the first line. */
  readonly meta?: boolean;
}


/**
 * Where the scenario stands: run × task × batch, as a fraction of all the work and an ETA. Under
 * the meta protocol (`meta`, set up front by the caller or by a meta-start event) a run has no
 * tasks: batch/batches count meta-iterations and each run is one unit of work.
 */
export class ProgressState {
  runIndex = 0;
  learner = '';
  seed = 0;
  task = 0;
  batch = 0;
  batches = 0;
  meta = false;

  constructor(
    readonly totalRuns: number,
    readonly numTasks: number,
    private readonly startedAt: number,
  ) {}

  /** Share of all batches of all runs done, counting each task (or each meta run) as equal work. */
  fraction(): number {
    const unitsPerRun = this.meta ? 1 : Math.max(1, this.numTasks);
    const inTask = this.batches > 0 ? this.batch / this.batches : 0;
    const inRun = this.meta ? inTask : this.task + inTask;
    return Math.min(1, (this.runIndex * unitsPerRun + inRun) / (this.totalRuns * unitsPerRun));
  }

  elapsedSeconds(now: number): number {
    return (now - this.startedAt) / 1000;
  }

  /** Seconds left at the average pace so far; undefined until there is a pace to go by. */
  etaSeconds(now: number): number | undefined {
    const f = this.fraction();
    const elapsed = this.elapsedSeconds(now);
    if (f < 0.005 || elapsed < 1) return undefined;
    return (elapsed * (1 - f)) / f;
  }

  /** "run 2/6 naive seed 1 · task 3/5 · batch 20/50", or "run 1/2 maml seed 0 · meta-iteration 300/4000". */
  position(): string {
    const run = `run ${this.runIndex + 1}/${this.totalRuns} ${this.learner} seed ${this.seed}`;
    if (this.meta) return this.batches > 0 ? `${run} · meta-iteration ${this.batch}/${this.batches}` : run;
    const batch = this.batches > 0 ? ` · batch ${this.batch}/${this.batches}` : '';
    return `${run} · task ${Math.min(this.task + 1, this.numTasks)}/${this.numTasks}${batch}`;
  }

  /** "37% · 1m02s elapsed · ETA 1m45s". */
  timing(now: number): string {
    const eta = this.etaSeconds(now);
    return `${Math.floor(this.fraction() * 100)}% · ${formatDuration(this.elapsedSeconds(now))} elapsed · ETA ${eta === undefined ? '…' : formatDuration(eta)}`;
  }
}

/**
 * Progress over a whole scenario: runs × tasks × batches (runs × meta-iterations under the meta
 * protocol), with an ETA. On a terminal a bar is redrawn in place; otherwise a plain line (no
 * control codes) is printed at run starts and ends and at most every `intervalMs` in between,
 * which keeps CI logs short and readable.
 */
export class ScenarioProgress {
  private readonly stream: ProgressStream;
  private readonly interactive: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly state: ProgressState;
  private bar?: cliProgress.SingleBar;
  private lastLine = -Infinity;

  constructor(totalRuns: number, numTasks: number, options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? (() => Date.now());
    this.state = new ProgressState(totalRuns, numTasks, this.now());
    this.state.meta = options.meta ?? false;
  }

  runStarted(learner: string, seed: number, index: number): void {
    Object.assign(this.state, { runIndex: index, learner, seed, task: 0, batch: 0, batches: 0 });
    if (this.interactive) this.redraw();
    else this.line(`${this.state.position()} · starting · ${this.state.timing(this.now())}`);
  }

  event(e: RunEvent): void {
    if (e.type === 'task-start') {
      Object.assign(this.state, { task: e.task, batch: 0, batches: 0 });
    } else if (e.type === 'train-step') {
      Object.assign(this.state, { task: e.task, batch: e.batchInTask, batches: e.batchesInTask });
      this.advanced();
    } else if (e.type === 'meta-start') {
      Object.assign(this.state, { meta: true, batch: 0, batches: e.metaIterations });
      if (this.interactive) this.redraw();
    } else if (e.type === 'meta-step') {
      Object.assign(this.state, { meta: true, batch: e.iteration, batches: e.iterations });
      this.advanced();
    } else if (e.type === 'run-end') {
      // The run's work is done, however it ended: its whole share counts.
      if (this.state.meta) Object.assign(this.state, { batch: Math.max(1, this.state.batches), batches: Math.max(1, this.state.batches) });
      else Object.assign(this.state, { task: this.state.numTasks, batch: 0, batches: 0 });
      if (this.interactive) this.redraw();
      else {
        const outcome = e.error ? `${e.status} (${e.error.split('\n')[0]})` : e.status;
        const run = `run ${this.state.runIndex + 1}/${this.state.totalRuns} ${e.learner} seed ${e.seed}`;
        this.line(`${run} · ${outcome} in ${formatDuration(e.wallSeconds)} · ${this.state.timing(this.now())}`);
      }
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  /** A step of training: redraw the bar, or print a line if the last one is `intervalMs` old. */
  private advanced(): void {
    if (this.interactive) this.redraw();
    else if (this.now() - this.lastLine >= this.intervalMs) this.line(`${this.state.position()} · ${this.state.timing(this.now())}`);
  }

  private line(text: string): void {
    this.lastLine = this.now();
    this.stream.write(`${text}\n`);
  }

  private redraw(): void {
    const payload = { position: this.state.position(), timing: this.state.timing(this.now()) };
    const value = Math.round(this.state.fraction() * 1000);
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { stream: this.stream as NodeJS.WritableStream, format: '{bar} {position} · {timing}', barsize: 20, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, value, payload);
    } else {
      this.bar.update(value, payload);
    }
  }
}

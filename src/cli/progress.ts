import cliProgress from 'cli-progress';
import { formatDuration } from '../report/format.js';
import type { RunEvent } from '../runner/events.js';

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
}


/** Where the scenario stands: run × task × batch, as a fraction of all the work and an ETA. */
export class ProgressState {
  runIndex = 0;
  learner = '';
  seed = 0;
  task = 0;
  batch = 0;
  batches = 0;

  constructor(
    readonly totalRuns: number,
    readonly numTasks: number,
    private readonly startedAt: number,
  ) {}

  /** Share of all batches of all runs done, counting each task as equal work. */
  fraction(): number {
    const total = this.totalRuns * Math.max(1, this.numTasks);
    const inTask = this.batches > 0 ? this.batch / this.batches : 0;
    return Math.min(1, (this.runIndex * Math.max(1, this.numTasks) + this.task + inTask) / total);
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

  /** "run 2/6 naive seed 1 · task 3/5 · batch 20/50". */
  position(): string {
    const batch = this.batches > 0 ? ` · batch ${this.batch}/${this.batches}` : '';
    return `run ${this.runIndex + 1}/${this.totalRuns} ${this.learner} seed ${this.seed} · task ${Math.min(this.task + 1, this.numTasks)}/${this.numTasks}${batch}`;
  }

  /** "37% · 1m02s elapsed · ETA 1m45s". */
  timing(now: number): string {
    const eta = this.etaSeconds(now);
    return `${Math.floor(this.fraction() * 100)}% · ${formatDuration(this.elapsedSeconds(now))} elapsed · ETA ${eta === undefined ? '…' : formatDuration(eta)}`;
  }
}

/**
 * Progress over a whole scenario: runs × tasks × batches, with an ETA. On a terminal a bar is
 * redrawn in place; otherwise a plain line (no control codes) is printed at run starts and ends
 * and at most every `intervalMs` in between, which keeps CI logs short and readable.
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
      if (this.interactive) this.redraw();
      else if (this.now() - this.lastLine >= this.intervalMs) this.line(`${this.state.position()} · ${this.state.timing(this.now())}`);
    } else if (e.type === 'run-end') {
      Object.assign(this.state, { task: this.state.numTasks, batch: 0, batches: 0 });
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

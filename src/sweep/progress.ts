import cliProgress from 'cli-progress';

/**
 * One bar over a sweep: runs × tasks, advanced as each run (in any worker) finishes a task. On a
 * TTY it redraws in place; elsewhere (CI logs) cli-progress prints a plain line every few seconds.
 */
export class SweepProgress {
  private readonly bar: cliProgress.SingleBar;
  private readonly tasksDone = new Map<string, number>();
  private finished = 0;
  private failed = 0;
  private readonly running = new Set<string>();

  constructor(private readonly totalRuns: number, private readonly numTasks: number, stream: NodeJS.WriteStream = process.stderr) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {percentage}% | ETA {eta_formatted} | {finished}/{runs} runs, {running} running, {failed} failed',
        barsize: 24,
        hideCursor: true,
        noTTYOutput: !stream.isTTY,
        notTTYSchedule: 5000,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(totalRuns * numTasks, 0, this.payload());
  }

  private payload() {
    return { finished: this.finished, runs: this.totalRuns, running: this.running.size, failed: this.failed };
  }

  private total(): number {
    let sum = 0;
    for (const n of this.tasksDone.values()) sum += n;
    return sum;
  }

  started(id: string): void {
    this.running.add(id);
    this.tasksDone.set(id, 0);
    this.bar.update(this.total(), this.payload());
  }

  progress(id: string, task: number): void {
    this.tasksDone.set(id, Math.min(task + 1, this.numTasks));
    this.bar.update(this.total(), this.payload());
  }

  done(id: string, ok: boolean): void {
    this.running.delete(id);
    this.finished++;
    if (!ok) this.failed++;
    this.tasksDone.set(id, this.numTasks);
    this.bar.update(this.total(), this.payload());
  }

  stop(): void {
    this.bar.stop();
  }
}

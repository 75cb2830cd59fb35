import cliProgress from 'cli-progress';
import type { RunEvent } from '../runner/events.js';

/**
 * One bar over the whole scenario: runs × tasks, advancing within a task by batch. On a TTY it
 * redraws in place; elsewhere (CI logs) cli-progress prints a plain line every few seconds.
 */
export class ScenarioProgress {
  private readonly bar: cliProgress.SingleBar;
  private runIndex = 0;
  private started = false;

  constructor(private readonly totalRuns: number, private readonly numTasks: number, stream: NodeJS.WriteStream = process.stderr) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {percentage}% | ETA {eta_formatted} | run {run}/{runs} {learner} seed {seed} | task {task}/{tasks}',
        barsize: 24,
        hideCursor: true,
        noTTYOutput: !stream.isTTY,
        notTTYSchedule: 5000,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  runStarted(learner: string, seed: number, index: number): void {
    this.runIndex = index;
    const payload = { run: index + 1, runs: this.totalRuns, learner, seed, task: 0, tasks: this.numTasks };
    if (!this.started) {
      this.bar.start(this.totalRuns * this.numTasks, index * this.numTasks, payload);
      this.started = true;
    } else {
      this.bar.update(index * this.numTasks, payload);
    }
  }

  event(e: RunEvent): void {
    if (e.type === 'train-step') {
      const done = this.runIndex * this.numTasks + e.task + e.batchInTask / e.batchesInTask;
      this.bar.update(done, { task: e.task + 1 });
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

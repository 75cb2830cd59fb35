import type { Rng } from '../../util/rng.js';
import { ExampleMemory, type StoredExamples, concatExamples, gatherRows } from './example-memory.js';

/**
 * The batches of a task's training data merged with a fixed set of stored examples, as when the
 * stored examples are appended to the task's dataset and the union is shuffled and cut into
 * batches (Mammoth's iCaRL, begin_task): every epoch, each stored example is trained on once, at a
 * random place among the task's examples, in batches of `batchSize` (the last one smaller).
 *
 * The task's examples arrive from the stream, already in a random order; `arrive` queues them and
 * returns the merged batches they complete. Each epoch draws a permutation of the union's slots:
 * a slot below `stored.n` holds that stored example, the others the task's next arriving one.
 */
export class MergedBatches {
  private readonly queue: ExampleMemory;
  /** The current epoch's slot order, where we are in it, and how many queued examples were taken. */
  private order!: Int32Array;
  private position = 0;
  private taken = 0;

  constructor(
    private readonly stored: StoredExamples,
    /** Examples of the task in one epoch (the stream gives exactly these many per epoch). */
    private readonly taskSize: number,
    private readonly batchSize: number,
    private readonly rng: Rng,
    inputShape: readonly number[],
    labelWidth: number,
  ) {
    this.queue = new ExampleMemory(inputShape, labelWidth, 2 * batchSize);
    this.newEpoch();
  }

  /** Queues the arriving examples; returns the merged batches now complete, in order. */
  arrive(incoming: StoredExamples): StoredExamples[] {
    for (let i = 0; i < incoming.n; i++) this.queue.append(incoming, i);
    const ready: StoredExamples[] = [];
    for (;;) {
      const slots = this.order.subarray(this.position, Math.min(this.position + this.batchSize, this.order.length));
      const fromTask = slots.reduce((k, s) => k + (s >= this.stored.n ? 1 : 0), 0);
      if (slots.length === 0 || this.taken + fromTask > this.queue.size) break;
      const storedRows = Array.from(slots).filter((s) => s < this.stored.n);
      const taskRows = Int32Array.from({ length: fromTask }, (_, k) => this.taken + k);
      ready.push(concatExamples(this.queue.gather(taskRows), gatherRows(this.stored, storedRows)));
      this.taken += fromTask;
      this.position += slots.length;
      if (this.position === this.order.length) this.newEpoch();
      else if (this.taken === this.queue.size) this.emptyQueue(); // holds a batch or so, not the epoch
    }
    return ready;
  }

  private newEpoch(): void {
    if (this.taken !== this.queue.size) throw new Error(`merged batches: ${this.queue.size - this.taken} of the task's examples arrived beyond its ${this.taskSize} per epoch`);
    this.emptyQueue();
    this.position = 0;
    this.order = this.rng.permutation(this.stored.n + this.taskSize);
  }

  private emptyQueue(): void {
    this.queue.clear();
    this.taken = 0;
  }
}

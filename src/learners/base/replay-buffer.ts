import type { StreamInfo } from '../../streams/types.js';
import type { Rng } from '../../util/rng.js';
import { ExampleMemory, type StoredExamples } from './example-memory.js';

/**
 * Which examples a full buffer keeps:
 * - `reservoir`: a uniform sample of everything offered so far (Vitter's algorithm R);
 * - `ring-per-task`: each task owns `perTask` slots holding its latest examples (GEM's episodic memory);
 * - `class-balanced`: as equal a share per class as the stream allows (CBRS, Chrysakis & Moens 2020).
 */
export type BufferPolicy = 'reservoir' | 'ring-per-task' | 'class-balanced';

export const bufferPolicies: readonly BufferPolicy[] = ['reservoir', 'ring-per-task', 'class-balanced'];

export interface ReplayBufferOptions {
  readonly policy: BufferPolicy;
  /** Total slots. For `ring-per-task` it is only a cap: each task has `perTask` of them. */
  readonly capacity: number;
  /** `ring-per-task`: slots per task. */
  readonly perTask?: number;
  /** `class-balanced`: the class an example counts towards (default: its label). */
  readonly classOf?: (label: number, task: number) => number;
}

/** Values per stored label: 1 for class ids, outputSize for regression targets. */
export function labelWidthOf(stream: StreamInfo): number {
  return stream.kind === 'classification' ? 1 : stream.outputSize;
}

/** Slots of one task's ring, and where the next write goes once it is full. */
interface Ring {
  readonly slots: number[];
  next: number;
}

/**
 * A fixed-budget memory of past examples for replay and episodic-memory learners, on top of
 * ExampleMemory (host memory, one row per slot). Every random choice comes from the given Rng.
 */
export class ReplayBuffer {
  private readonly memory: ExampleMemory;
  /** Examples offered so far (reservoir). */
  private seen = 0;
  private readonly rings = new Map<number, Ring>();
  /** class-balanced: slots held per class, examples offered per class, classes ever the largest. */
  private readonly classSlots = new Map<number, number[]>();
  private readonly classSeen = new Map<number, number>();
  private readonly fullClasses = new Set<number>();

  constructor(
    readonly inputShape: readonly number[],
    readonly labelWidth: number,
    readonly options: ReplayBufferOptions,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`replay buffer capacity must be a positive integer, got ${options.capacity}`);
    }
    if (options.policy === 'ring-per-task' && !(Number.isInteger(options.perTask) && options.perTask! >= 1)) {
      throw new RangeError(`a ring-per-task buffer needs a positive integer perTask, got ${options.perTask}`);
    }
    this.memory = new ExampleMemory(inputShape, labelWidth, Math.min(options.capacity, 1024));
  }

  get size(): number {
    return this.memory.size;
  }

  /** Offers every example of `examples` to the buffer, in order. */
  add(examples: StoredExamples): void {
    for (let i = 0; i < examples.n; i++) {
      switch (this.options.policy) {
        case 'reservoir':
          this.offerReservoir(examples, i);
          break;
        case 'ring-per-task':
          this.offerRing(examples, i);
          break;
        case 'class-balanced':
          this.offerClassBalanced(examples, i);
          break;
      }
    }
  }

  /** Up to k stored examples drawn uniformly without replacement. */
  sample(k: number): StoredExamples {
    return this.memory.gather(this.rng.sample(this.size, Math.min(k, this.size)));
  }

  /** The tasks that have examples in the buffer, ascending. */
  tasks(): number[] {
    const tasks = new Set<number>();
    for (let s = 0; s < this.size; s++) tasks.add(this.memory.taskOf(s));
    return [...tasks].sort((a, b) => a - b);
  }

  /** The slots holding examples of `task`, ascending. */
  slotsOfTask(task: number): number[] {
    const slots: number[] = [];
    for (let s = 0; s < this.size; s++) if (this.memory.taskOf(s) === task) slots.push(s);
    return slots;
  }

  gather(slots: ArrayLike<number>): StoredExamples {
    return this.memory.gather(slots);
  }

  /** Every stored example grouped by task (ascending), with each task's row range. */
  byTask(): { examples: StoredExamples; ranges: { task: number; start: number; count: number }[] } {
    const ranges: { task: number; start: number; count: number }[] = [];
    const slots: number[] = [];
    for (const task of this.tasks()) {
      const own = this.slotsOfTask(task);
      ranges.push({ task, start: slots.length, count: own.length });
      slots.push(...own);
    }
    return { examples: this.memory.gather(slots), ranges };
  }

  private offerReservoir(examples: StoredExamples, i: number): void {
    const { capacity } = this.options;
    if (this.size < capacity) this.memory.append(examples, i);
    else {
      const j = this.rng.int(this.seen + 1);
      if (j < capacity) this.memory.write(j, examples, i);
    }
    this.seen++;
  }

  private offerRing(examples: StoredExamples, i: number): void {
    const task = examples.tasks[i];
    const perTask = this.options.perTask!;
    let ring = this.rings.get(task);
    if (!ring) {
      if (this.size + perTask > this.options.capacity) {
        throw new RangeError(`replay buffer: no room for task ${task} (${this.rings.size} tasks of ${perTask} slots already, capacity ${this.options.capacity})`);
      }
      ring = { slots: [], next: 0 };
      this.rings.set(task, ring);
    }
    if (ring.slots.length < perTask) {
      ring.slots.push(this.memory.append(examples, i));
    } else {
      this.memory.write(ring.slots[ring.next], examples, i);
      ring.next = (ring.next + 1) % perTask;
    }
  }

  /**
   * CBRS: while there is room, keep everything. Once full, an example of a class that has never
   * been the largest evicts a random example of the currently largest class; an example of a
   * "full" class replaces a random one of its own class with probability stored/seen, which is
   * reservoir sampling within the class.
   */
  private offerClassBalanced(examples: StoredExamples, i: number): void {
    const w = this.labelWidth;
    const cls = this.options.classOf ? this.options.classOf(examples.y[i * w], examples.tasks[i]) : examples.y[i * w];
    const seen = (this.classSeen.get(cls) ?? 0) + 1;
    this.classSeen.set(cls, seen);
    const own = this.classSlots.get(cls) ?? [];
    this.classSlots.set(cls, own);
    if (this.size < this.options.capacity) {
      own.push(this.memory.append(examples, i));
      return;
    }
    const largest = Math.max(...[...this.classSlots.values()].map((s) => s.length));
    for (const [c, slots] of this.classSlots) if (slots.length === largest) this.fullClasses.add(c);
    if (!this.fullClasses.has(cls)) {
      const candidates = [...this.classSlots.entries()].filter(([, slots]) => slots.length === largest);
      const [, victims] = candidates[this.rng.int(candidates.length)];
      const slot = victims.splice(this.rng.int(victims.length), 1)[0];
      this.memory.write(slot, examples, i);
      own.push(slot);
    } else {
      const j = this.rng.int(seen);
      if (j < own.length) this.memory.write(own[j], examples, i);
    }
  }
}

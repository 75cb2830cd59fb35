import type { StreamInfo } from '../../streams/types.js';
import type { Rng } from '../../util/rng.js';
import { ExampleMemory, type FieldWidths, type StoredExamples } from './example-memory.js';

/**
 * Which examples a full buffer keeps:
 * - `reservoir`: a uniform sample of everything offered so far (Vitter's algorithm R);
 * - `ring-per-task`: each task owns `perTask` slots holding its latest examples (GEM's episodic memory);
 * - `class-balanced`: as equal a share per class as the stream allows (CBRS, Chrysakis & Moens 2020);
 * - `greedy-class-balanced`: GDumb's sampler (Prabhu et al. 2020): an example whose class holds
 *   less than capacity / (classes seen) slots evicts a random example of the largest class, any
 *   other is dropped;
 * - `greedy-score`: GSS-Greedy (Aljundi et al. 2019): every example carries a `score` field (for
 *   GSS, 1 + its gradient's largest cosine similarity with the buffer's, in [0, 2]); a full buffer
 *   picks a slot with probability ∝ its score and lets the newcomer (score c) replace it with
 *   probability score / (score + c). Low scores (examples unlike the rest) tend to stay.
 */
export type BufferPolicy = 'reservoir' | 'ring-per-task' | 'class-balanced' | 'greedy-class-balanced' | 'greedy-score';

/** The policies a learner's `buffer` option may name (greedy-score needs scores only GSS computes). */
export const bufferPolicies: readonly BufferPolicy[] = ['reservoir', 'ring-per-task', 'class-balanced', 'greedy-class-balanced'];

export interface ReplayBufferOptions {
  readonly policy: BufferPolicy;
  /** Total slots. For `ring-per-task` it is only a cap: each task has `perTask` of them. */
  readonly capacity: number;
  /** `ring-per-task`: slots per task. */
  readonly perTask?: number;
  /** Class-balanced policies: the class an example counts towards (default: its label). */
  readonly classOf?: (label: number, task: number) => number;
  /** Extra values stored with every example (`greedy-score` needs `{ score: 1 }`). */
  readonly fields?: FieldWidths;
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
 * A fixed-budget memory of past examples, the one every learner that stores examples uses (replay,
 * episodic memories, DER's logits, GSS's scores), on top of ExampleMemory (host memory, one row per
 * slot). Examples may carry extra per-example fields (`options.fields`), which are stored, replaced
 * and sampled with them. Every random choice comes from the given Rng.
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
    if (options.policy === 'greedy-score' && options.fields?.score !== 1) {
      throw new RangeError("a greedy-score buffer needs a one-value field 'score' (fields: { score: 1 })");
    }
    this.memory = new ExampleMemory(inputShape, labelWidth, Math.min(options.capacity, 1024), options.fields);
  }

  /** A buffer for `stream`'s examples: its input shape, and one label column (class id) or one per regression target. */
  static forStream(stream: StreamInfo, options: ReplayBufferOptions, rng: Rng): ReplayBuffer {
    return new ReplayBuffer(stream.inputShape, labelWidthOf(stream), options, rng);
  }

  get size(): number {
    return this.memory.size;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  /** Examples offered so far. */
  get offered(): number {
    return this.seen;
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
        case 'greedy-class-balanced':
          this.offerGreedyClassBalanced(examples, i);
          break;
        case 'greedy-score':
          this.offerGreedyScore(examples, i);
          break;
      }
    }
  }

  /** Every stored example, in slot order. */
  all(): StoredExamples {
    return this.memory.gather(Int32Array.from({ length: this.size }, (_, s) => s));
  }

  /** Empties the buffer, forgetting what was offered (iCaRL rebuilds its exemplar sets this way). */
  clear(): void {
    this.memory.clear();
    this.seen = 0;
    this.rings.clear();
    this.classSlots.clear();
    this.classSeen.clear();
    this.fullClasses.clear();
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

  /** The class of row i: its label, or options.classOf(label, task). */
  private classOfRow(examples: StoredExamples, i: number): number {
    const label = examples.y[i * this.labelWidth];
    return this.options.classOf ? this.options.classOf(label, examples.tasks[i]) : label;
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
    const cls = this.classOfRow(examples, i);
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

  /**
   * GDumb's greedy sampler: everything while there is room; then an example of a class below its
   * share capacity / (classes seen) takes the slot of a random example of the largest class (a
   * random one among equally large classes), and any other example is dropped.
   */
  private offerGreedyClassBalanced(examples: StoredExamples, i: number): void {
    const cls = this.classOfRow(examples, i);
    const own = this.classSlots.get(cls) ?? [];
    this.classSlots.set(cls, own);
    this.seen++;
    if (this.size < this.options.capacity) {
      own.push(this.memory.append(examples, i));
      return;
    }
    if (own.length >= this.options.capacity / this.classSlots.size) return;
    const largest = Math.max(...[...this.classSlots.values()].map((s) => s.length));
    const candidates = [...this.classSlots.values()].filter((slots) => slots.length === largest);
    const victims = candidates[this.rng.int(candidates.length)];
    const slot = victims.splice(this.rng.int(victims.length), 1)[0];
    this.memory.write(slot, examples, i);
    own.push(slot);
  }

  /**
   * GSS-Greedy (Aljundi et al. 2019, Algorithm 3; Mammoth's GSS buffer): while there is room, keep
   * everything. Once full, a newcomer with score c picks a slot i with probability C_i / Σ C and
   * replaces it (its score becoming c) with probability C_i / (C_i + c). Which newcomers are
   * offered at all (GSS: only when the batch's score is below 1) is the learner's call.
   */
  private offerGreedyScore(examples: StoredExamples, i: number): void {
    this.seen++;
    if (this.size < this.options.capacity) {
      this.memory.append(examples, i);
      return;
    }
    const c = examples.fields!.score[i];
    let total = 0;
    for (let s = 0; s < this.size; s++) total += this.memory.field('score', s)[0];
    if (!(total > 0)) return;
    let u = this.rng.next() * total;
    let slot = 0;
    for (; slot < this.size - 1; slot++) {
      u -= this.memory.field('score', slot)[0];
      if (u < 0) break;
    }
    const stored = this.memory.field('score', slot)[0];
    if (this.rng.next() < stored / (stored + c)) this.memory.write(slot, examples, i);
  }
}

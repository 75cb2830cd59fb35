import type { Batch } from '../types.js';

/** Examples copied out of tensors into host memory, with their task (or -1 when unknown). */
export interface StoredExamples {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly tasks: Int32Array;
  readonly n: number;
  /**
   * Extra per-example values a learner keeps with each example, by field name, `n × width` packed
   * rows each: DER's stored logits, GSS's score. A memory declared with fields expects every
   * example written to it to carry them.
   */
  readonly fields?: Readonly<Record<string, Float32Array>>;
}

/** Extra per-example fields of a memory: name → values per example (e.g. `{ logits: 10 }`). */
export type FieldWidths = Readonly<Record<string, number>>;

/**
 * Host-memory storage of examples by slot: the data structure under joint training, replay
 * buffers and episodic memories. Slots are fixed-size rows, so replacing one (as reservoir
 * sampling does) costs a copy of one row. Labels are kept as float32 so classification ids and
 * regression targets share one layout.
 */
export class ExampleMemory {
  private x: Float32Array;
  private y: Float32Array;
  private tasks: Int32Array;
  private fields: Record<string, Float32Array> = {};
  private count = 0;

  constructor(
    readonly inputShape: readonly number[],
    /** Values per label row: 1 for class ids, outputSize for regression targets. */
    readonly labelWidth: number,
    /** Initial room; the memory grows as needed unless used with a fixed-capacity policy. */
    initialCapacity = 256,
    /** Extra values stored with each example (see StoredExamples.fields). */
    readonly fieldWidths: FieldWidths = {},
  ) {
    const d = this.rowSize;
    this.x = new Float32Array(initialCapacity * d);
    this.y = new Float32Array(initialCapacity * labelWidth);
    this.tasks = new Int32Array(initialCapacity);
    for (const [name, width] of Object.entries(fieldWidths)) {
      if (!Number.isInteger(width) || width < 1) throw new RangeError(`memory field '${name}' needs a positive integer width, got ${width}`);
      this.fields[name] = new Float32Array(initialCapacity * width);
    }
  }

  get rowSize(): number {
    return this.inputShape.reduce((a, b) => a * b, 1);
  }

  get size(): number {
    return this.count;
  }

  /** Copies a batch to host memory: one device→host read for the whole batch. */
  static read(batch: Batch): StoredExamples {
    const x = batch.x.dataSync() as Float32Array;
    const y = Float32Array.from(batch.y.dataSync());
    const tasks = new Int32Array(batch.size).fill(batch.taskIndex ?? -1);
    return { x, y, tasks, n: batch.size };
  }

  /** Appends row i of `source`, returning its slot. */
  append(source: StoredExamples, i: number): number {
    if (this.count === this.tasks.length) this.grow();
    this.write(this.count, source, i);
    return this.count++;
  }

  /** Overwrites `slot` with row i of `source`. */
  write(slot: number, source: StoredExamples, i: number): void {
    const d = this.rowSize;
    const w = this.labelWidth;
    this.x.set(source.x.subarray(i * d, (i + 1) * d), slot * d);
    this.y.set(source.y.subarray(i * w, (i + 1) * w), slot * w);
    this.tasks[slot] = source.tasks[i];
    for (const [name, width] of Object.entries(this.fieldWidths)) {
      const values = source.fields?.[name];
      if (!values) throw new Error(`memory field '${name}' is missing from the examples written to it`);
      this.fields[name].set(values.subarray(i * width, (i + 1) * width), slot * width);
    }
  }

  taskOf(slot: number): number {
    return this.tasks[slot];
  }

  /** A view of the stored values of one field at `slot` (writing to it edits the memory). */
  field(name: string, slot: number): Float32Array {
    const width = this.fieldWidths[name];
    if (width === undefined) throw new Error(`memory has no field '${name}'`);
    return this.fields[name].subarray(slot * width, (slot + 1) * width);
  }

  /** Copies the given slots out as a new StoredExamples. */
  gather(slots: ArrayLike<number>): StoredExamples {
    return gatherRows({ x: this.x, y: this.y, tasks: this.tasks, n: this.count, fields: this.fields }, slots, this.rowSize, this.labelWidth, this.fieldWidths);
  }

  /** Forgets every example (the arrays are kept for reuse). */
  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const capacity = Math.max(1, this.tasks.length * 2);
    const x = new Float32Array(capacity * this.rowSize);
    x.set(this.x);
    const y = new Float32Array(capacity * this.labelWidth);
    y.set(this.y);
    const tasks = new Int32Array(capacity);
    tasks.set(this.tasks);
    for (const [name, width] of Object.entries(this.fieldWidths)) {
      const grown = new Float32Array(capacity * width);
      grown.set(this.fields[name]);
      this.fields[name] = grown;
    }
    this.x = x;
    this.y = y;
    this.tasks = tasks;
  }
}

/**
 * The given rows of `source` copied out as a new StoredExamples. Row widths default to those of a
 * packed source (`x.length / n`); pass them when the arrays have spare room, as ExampleMemory's do.
 */
export function gatherRows(
  source: StoredExamples, slots: ArrayLike<number>,
  rowSize = source.x.length / Math.max(1, source.n), labelWidth = source.y.length / Math.max(1, source.n),
  fieldWidths?: FieldWidths,
): StoredExamples {
  const [d, w] = [rowSize, labelWidth];
  const n = slots.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * w);
  const tasks = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const s = slots[k];
    x.set(source.x.subarray(s * d, (s + 1) * d), k * d);
    y.set(source.y.subarray(s * w, (s + 1) * w), k * w);
    tasks[k] = source.tasks[s];
  }
  if (!source.fields) return { x, y, tasks, n };
  const fields: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(source.fields)) {
    const width = fieldWidths?.[name] ?? values.length / Math.max(1, source.n);
    const picked = new Float32Array(n * width);
    for (let k = 0; k < n; k++) picked.set(values.subarray(slots[k] * width, (slots[k] + 1) * width), k * width);
    fields[name] = picked;
  }
  return { x, y, tasks, n, fields };
}

/** The same examples with `fields` added (or replaced), e.g. the logits DER stores with a batch. */
export function withFields(examples: StoredExamples, fields: Readonly<Record<string, Float32Array>>): StoredExamples {
  return { ...examples, fields: { ...examples.fields, ...fields } };
}

/** `a`'s rows followed by `b`'s, as new arrays (one side alone when the other is empty; extra fields are not carried). */
export function concatExamples(a: StoredExamples, b: StoredExamples): StoredExamples {
  if (b.n === 0) return a;
  if (a.n === 0) return b;
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float32Array(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  const tasks = new Int32Array(a.n + b.n);
  tasks.set(a.tasks);
  tasks.set(b.tasks, a.n);
  return { x, y, tasks, n: a.n + b.n };
}

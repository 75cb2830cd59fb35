import prand from 'pure-rand';

/**
 * The one source of randomness in clbench. Every random choice (data sampling, rotation angles,
 * initialisation, replay draws) goes through an Rng, so a seed fixes a run's numbers on a backend.
 * `fork(label)` derives an independent generator, so adding draws in one component (say the learner)
 * never shifts the numbers another component (say the stream) sees.
 */
export class Rng {
  private readonly gen: prand.RandomGenerator;

  constructor(readonly seed: number) {
    // `seed | 0` below keeps 32 bits: refuse what it would wrap, so distinct seeds never collide.
    // Forked seeds are signed (hashSeed), user seeds unsigned; both fit.
    if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 32 - 1) throw new RangeError(`Rng: seed ${seed} is not a 32-bit integer`);
    this.gen = prand.xoroshiro128plus(seed | 0);
  }

  /** An independent generator whose seed depends only on this seed and the label. */
  fork(label: string): Rng {
    return new Rng(hashSeed(this.seed, label));
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.gen.unsafeNext() >>> 5; // 27 bits
    const lo = this.gen.unsafeNext() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return prand.unsafeUniformIntDistribution(0, n - 1, this.gen);
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** k distinct indices from 0..n-1, in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`cannot sample ${k} distinct items from ${n}`);
    return this.permutation(n).slice(0, k);
  }
}

/** FNV-1a over the label, mixed with the seed: a stable 32-bit child seed. */
export function hashSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

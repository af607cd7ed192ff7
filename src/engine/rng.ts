/**
 * Seeded pseudo-random numbers for everything the engine draws on the JS side
 * (shuffling, EDA edits, ConSERT masks, dropout seeds). Same seed → same sequence,
 * in the browser and in Node.
 *
 * The generator is SplitMix32-style mixing over a 32-bit state: small, fast,
 * and its whole state is one integer, so checkpoints can store and restore it.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mixSeed(seed);
  }

  /** The internal state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new Error(`Rng.int needs n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A new independent generator derived from this one's next draw. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

/** Hash an integer seed (and optional stream ids) into a well-mixed 32-bit state. */
export function mixSeed(seed: number, ...streams: number[]): number {
  let h = (Math.floor(seed) ^ 0x2545f491) >>> 0;
  for (const s of [0, ...streams]) {
    h = Math.imul(h ^ (Math.floor(s) + 0x6d2b79f5), 0x5bd1e995) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

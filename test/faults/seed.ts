/**
 * The fault suite's seed and its draws. One fixed seed by default, so CI replays the same
 * scripts and the same fault points; `DUBAN_FAULT_SEED=N` plays another run (the seed is
 * printed with the figures, so a failing run can be replayed).
 *
 * Every actor and every fault draws from a stream of its own, keyed by the seed and by
 * what it is for: how fast the server answers one actor never shifts what another does.
 */
import { createHash } from 'node:crypto';

/** The seed CI runs with. */
export const DEFAULT_FAULT_SEED = 20200901;

/** The seed of this run: `DUBAN_FAULT_SEED` when set (a whole number), else {@link DEFAULT_FAULT_SEED}. */
export function faultSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.DUBAN_FAULT_SEED?.trim();
  if (given === undefined || given === '') return DEFAULT_FAULT_SEED;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`DUBAN_FAULT_SEED must be a whole number, got ${JSON.stringify(given)}.`);
  return seed;
}

/**
 * A seeded stream of draws: SHA-256 of (seed, key, counter), so the same seed and key
 * always give the same sequence, and nearby keys unrelated ones.
 */
export class Draws {
  private drawn = 0;

  constructor(
    readonly seed: number,
    readonly key: string,
  ) {}

  /** A number in [0, 1). */
  next(): number {
    const digest = createHash('sha256').update(`${this.seed}\u0000${this.key}\u0000${this.drawn}`).digest();
    this.drawn += 1;
    return digest.readUInt32LE(0) / 2 ** 32;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items` (not empty). */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('Draws.pick needs at least one item.');
    return item;
  }

  /** `count` distinct items of `items`, in the order drawn. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

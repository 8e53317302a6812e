/**
 * Seeded draws. Every simulated person draws from a stream of its own, keyed by the seed
 * and by who it is (task, unit, purpose): what one unit does never shifts another's
 * draws, so a scenario that changes one thing changes only what follows from it, and the
 * same seed plays the same run whatever order the server answers in.
 */
import { createHash } from 'node:crypto';
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

export class Draws {
  private readonly rng: RandomGenerator;

  constructor(seed: number, key: string) {
    // A hash turns (seed, key) into the generator's 32-bit seed: nearby keys give unrelated streams.
    const digest = createHash('sha256').update(`${seed}\u0000${key}`).digest();
    this.rng = xoroshiro128plus(digest.readInt32LE(0));
  }

  /** A whole number from `min` to `max`, both included (`min` when the range is empty). */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return unsafeUniformIntDistribution(min, max, this.rng);
  }

  /** True with probability `p`, in steps of one in a million. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.int(0, 999_999) < Math.round(p * 1_000_000);
  }

  /** One of `items` (which must not be empty). */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('Draws.pick needs at least one item.');
    return item;
  }
}

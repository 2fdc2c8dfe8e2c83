// The seeded choices of the differential fuzzer (test/compat/fuzz.test.ts) and what every
// family generator may ask of the sequence being built.

import { prng } from '../../helpers/random.js';

export type Command = string[];

/** Picks from the seeded stream; every choice the generator makes goes through here. */
export class Chooser {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** A random subset of items, in random order. */
  some<T>(items: readonly T[], max: number): T[] {
    const out: T[] = [];
    const n = this.int(0, max);
    for (let i = 0; i < n; i++) out.push(this.pick(items));
    return out;
  }
  /** Between min and max picks (repeats allowed). */
  several<T>(items: readonly T[], min: number, max: number): T[] {
    const out: T[] = [];
    const n = this.int(min, max);
    for (let i = 0; i < n; i++) out.push(this.pick(items));
    return out;
  }
}

/** What a family generator sees of the sequence: the choices, the key space, the MULTI state. */
export interface FuzzContext {
  readonly c: Chooser;
  /** True while commands are being queued: blocking commands then answer at once. */
  readonly inMulti: boolean;
  /** A key of the pool, or now and then any key of any type (WRONGTYPE crossings). */
  key(pool: readonly string[]): string;
}

// Each type has its own key pool; a few picks cross over to the others, and the key commands
// (RENAME, COPY, MOVE...) move values between pools, so every family meets every type.
export const STRING_KEYS = ['s1', 's2', 's3', 's4', '{x}s5'];
export const HASH_KEYS = ['h1', 'h2', 'h3', '{x}h4'];
export const LIST_KEYS = ['l1', 'l2', 'l3', '{x}l4'];
export const STREAM_KEYS = ['x1', 'x2', '{x}x3'];
export const SET_KEYS = ['t1', 't2', 't3', '{x}t4'];
export const ZSET_KEYS = ['z1', 'z2', 'z3', '{x}z4'];
// Sorted sets written by the geo commands.
export const GEO_KEYS = ['g1', 'g2', '{x}g3'];
export const ALL_KEYS = [...STRING_KEYS, ...HASH_KEYS, ...LIST_KEYS, ...STREAM_KEYS, ...SET_KEYS, ...ZSET_KEYS, ...GEO_KEYS, 'missing'];

// Timeouts of blocking commands. Never 0 outside MULTI (it would wait forever); a tiny timeout
// that expires costs up to one event-loop tick of redis-server (100 ms at hz 10), so blocking
// commands are generated mostly where they can be served at once.
export function blockTimeout(ctx: FuzzContext): string {
  const c = ctx.c;
  // No inf or 1e400: Redis casts their milliseconds to long long (undefined in C).
  if (c.chance(0.08)) return c.pick(['-1', 'x', '-0.5', '']);
  if (ctx.inMulti && c.chance(0.5)) return '0';
  return c.pick(['0.01', '0.001', '0.02']);
}

// Differential fuzzing: seeded random command sequences over a small key space go to cinnabar
// and to redis-server 7.0.15, and every reply must be byte for byte identical (RESP2 and RESP3).
//
// The committed run is small and bounded. Longer local runs:
//   FUZZ_SEEDS=200 FUZZ_COMMANDS=2000 FUZZ_SEED_START=1000 npx vitest run test/compat/fuzz.test.ts
// FUZZ_MINIMIZE=1 shrinks each failing sequence to a short reproduction and prints it.
//
// Only deterministic replies are generated: no random HRANDFIELD forms, no SCAN/KEYS over many
// keys, no short expiries; hashes stay small (listpack, so their order is insertion order); sets
// only ever get integer members (intsets, whose order is ascending), random pops and picks only
// in forms whose answer is forced, and SORT only as ALPHA or BY <constant> (Redis judges a
// numeric SORT by an errno that a failed parse in an earlier command may have left set).
// TTL-like replies on keys with a relative expiry are compared with a small tolerance.

import { appendFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeDifferential, type Pair } from '../helpers/differential.js';
import { prng } from '../helpers/random.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 10);
const COMMANDS = Number(process.env.FUZZ_COMMANDS ?? 500);
const SEED_START = Number(process.env.FUZZ_SEED_START ?? 1);
// Comma-separated seeds to replay instead of the range (e.g. the failing ones of a long run).
const SEED_LIST = process.env.FUZZ_SEED_LIST?.split(',').map(Number);
const MINIMIZE = process.env.FUZZ_MINIMIZE === '1';
// A file every command and both replies are appended to (debugging a hang or a mismatch).
const TRACE = process.env.FUZZ_TRACE;

type Command = string[];

/** Picks from the seeded stream; every choice the generator makes goes through here. */
class Chooser {
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
}

// Strings and bitmaps share one pool, hashes another; a few picks cross over for WRONGTYPE.
const STRING_KEYS = ['s1', 's2', 's3', 's4', '{x}s5'];
const HASH_KEYS = ['h1', 'h2', 'h3', '{x}h4'];
const SET_KEYS = ['t1', 't2', 't3', '{x}t4'];
// Set members added are integers only (sets stay intsets); the others are only looked for.
const SET_INTEGERS = ['0', '1', '2', '3', '5', '8', '-1', '-7', '100', '70000', '-70000', '4294967296', '9223372036854775807', '-9223372036854775808'];
const SET_PROBES = [...SET_INTEGERS, '01', '-0', '+1', 'a', '', '9223372036854775808', '1.0'];
const ZSET_KEYS = ['z1', 'z2', 'z3', '{x}z4'];
const ALL_KEYS = [...STRING_KEYS, ...HASH_KEYS, ...ZSET_KEYS, ...SET_KEYS, 'missing'];
// Sorted sets stay small and their members short, so they stay listpacks (deterministic order).
const MEMBERS = ['a', 'b', 'c', 'd', 'e', '1', '2', '-5', '', 'm\x00n', 'long member text', '10'];
const SCORE_BOUNDS = ['-inf', '+inf', '0', '1', '(1', '2.5', '(2.5', '-1', '100', 'x', '(', '', ' 1', 'nan'];
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[c', '(d', '[', '(', 'a', '', '[long', '[1'];
const COORDS = [['13.361389', '38.115556'], ['15.087269', '37.502669'], ['-122.27652', '37.805186'], ['0', '0'],
  ['180', '85.05112878'], ['200', '0'], ['x', '1']];
const FIELDS = ['f1', 'f2', 'f3', 'f4', 'f5', 'num', 'fl', ''];

const INTEGERS = [
  '0', '1', '-1', '7', '42', '-100', '10000', '9223372036854775807', '-9223372036854775808',
  '9223372036854775806', '-9223372036854775807', '9223372036854775808', '-9223372036854775809',
  '123456789012', '007', '+5', ' 1', '1 ', '', 'abc', '1.5', '0x10', '1e3', '-0',
];
const FLOATS = [
  '0', '1.5', '-1.5', '0.1', '3.0e3', '5.0e-5', '1e308', '-1e308', '1.7976931348623157e308',
  'inf', '-inf', '+inf', 'nan', '1e-320', '10.5', '-0', '0.0', '.5', '5.', ' 1', '1 ', 'abc',
  '17179869184', '123456789.123456789', '1e20', '0.1e-10', '100', '-99.25',
];
// Increments whose results stay short: HINCRBYFLOAT writes plain decimals (1e308 would be 309
// bytes and turn the hash into a hashtable, whose order differs between servers).
const HASH_FLOATS = FLOATS.filter((f) => !f.includes('308'));
const SHORT_VALUES = ['', 'a', 'hello', 'foobar', '12', '-7', '3.25', 'x y', '\x00\xff\x80', 'abcdefghij'];
const LONG_VALUE = 'L'.repeat(50);
const VERY_LONG_VALUE = 'lorem ipsum '.repeat(10);
const STRING_VALUES = [...SHORT_VALUES, ...INTEGERS.slice(0, 10), LONG_VALUE, VERY_LONG_VALUE, 'a'.repeat(44), 'b'.repeat(45)];
// Hash values stay under hash-max-listpack-value (64) so hashes never convert.
const HASH_VALUES = [...SHORT_VALUES, ...INTEGERS.slice(0, 12), '2.5', '1e3', LONG_VALUE.slice(0, 30)];
const INDEXES = ['0', '1', '2', '-1', '-2', '-100', '5', '100', '3', '9223372036854775807', '-9223372036854775808', 'x', '1.5'];
const FAR_SECONDS = ['100000', '3600', '86400', '999999'];
const FAR_UNIX_SECONDS = ['4102444800', '4102444801', '5000000000'];
const FAR_UNIX_MS = ['4102444800000', '4102444800123', '5000000000000'];
const PAST_TIMES = ['1', '100', '0', '-5'];

const RANDOM_WITHOUT_COUNT = new Set(['HRANDFIELD', 'SRANDMEMBER', 'SPOP']);

/** Generates one seeded command sequence; tracks MULTI state so TTL reads stay comparable. */
class Generator {
  private inMulti = false;
  constructor(private readonly c: Chooser) {}

  sequence(length: number): Command[] {
    const out: Command[] = [];
    while (out.length < length) out.push(this.command());
    if (this.inMulti) out.push(['DISCARD']);
    return out;
  }

  private command(): Command {
    const c = this.c;
    const roll = c.float();
    let cmd: Command;
    if (roll < 0.3) cmd = this.stringCommand();
    else if (roll < 0.45) cmd = this.bitmapCommand();
    else if (roll < 0.6) cmd = this.hashCommand();
    else if (roll < 0.72) cmd = this.setCommand();
    else if (roll < 0.85) cmd = this.keyCommand();
    else if (roll < 0.9) cmd = this.expireCommand();
    else if (roll < 0.93) cmd = this.hyperloglogCommand();
    else if (roll < 0.97) cmd = this.zsetCommand();
    else cmd = this.transactionCommand();
    // Wrong arity: drop trailing arguments now and then.
    // (Not HRANDFIELD, SRANDMEMBER or SPOP: without a count their reply is random.)
    if (c.chance(0.03) && cmd.length > 1 && !RANDOM_WITHOUT_COUNT.has(cmd[0])) cmd = cmd.slice(0, c.int(1, cmd.length - 1));
    this.track(cmd);
    return cmd;
  }

  private track(cmd: Command): void {
    const name = cmd[0].toUpperCase();
    if (name === 'MULTI' && cmd.length === 1) this.inMulti = true;
    else if ((name === 'EXEC' || name === 'DISCARD') && cmd.length === 1) this.inMulti = false;
  }

  private stringKey(): string {
    return this.c.chance(0.1) ? this.c.pick(ALL_KEYS) : this.c.pick(STRING_KEYS);
  }

  private hashKey(): string {
    return this.c.chance(0.1) ? this.c.pick(ALL_KEYS) : this.c.pick(HASH_KEYS);
  }

  private anyKey(): string {
    return this.c.pick(ALL_KEYS);
  }

  private value(): string {
    return this.c.pick(STRING_VALUES);
  }

  private expiryOption(forGetex = false): string[] {
    const c = this.c;
    switch (c.int(0, 7)) {
      case 0: return ['EX', c.pick(FAR_SECONDS)];
      case 1: return ['PX', c.pick(FAR_SECONDS) + '000'];
      case 2: return ['EXAT', c.pick(FAR_UNIX_SECONDS)];
      case 3: return ['PXAT', c.pick(FAR_UNIX_MS)];
      case 4: return [c.pick(['EX', 'PX', 'EXAT', 'PXAT']), c.pick(['0', '-1', 'abc', '1.5', '9223372036854775807'])];
      // A past time only for GETEX (which deletes at once): SET stores the key, and DBSIZE
      // would then depend on when the active expiry cycle runs.
      case 5: return forGetex ? ['EXAT', c.pick(PAST_TIMES.filter((t) => Number(t) > 0))] : ['EX', '100000'];
      case 6: return ['KEEPTTL'];
      default: return ['ex'];
    }
  }

  private stringCommand(): Command {
    const c = this.c;
    const k = this.stringKey();
    switch (c.int(0, 24)) {
      case 0: case 1: {
        const opts: string[] = [];
        if (c.chance(0.3)) opts.push(c.pick(['NX', 'XX', 'nx', 'xx']));
        if (c.chance(0.3)) opts.push(...this.expiryOption());
        if (c.chance(0.2)) opts.push('GET');
        if (c.chance(0.05)) opts.push(c.pick(['NX', 'XX', 'KEEPTTL', 'BOGUS', 'EX']));
        return ['SET', k, this.value(), ...opts];
      }
      case 2: case 3: return ['GET', k];
      case 4: {
        const opts = c.chance(0.6) ? this.expiryOption(true).filter((o) => o !== 'KEEPTTL') : [];
        if (c.chance(0.2)) opts.push('PERSIST');
        return ['GETEX', k, ...opts];
      }
      case 5: return ['GETDEL', k];
      case 6: return ['GETSET', k, this.value()];
      case 7: return ['APPEND', k, c.pick([...SHORT_VALUES, LONG_VALUE])];
      case 8:
        // A huge offset only with an empty value (a no-op): a 512 MB string would swamp the test.
        if (c.chance(0.05)) return ['SETRANGE', k, c.pick(['536870911', '536870912', '9223372036854775807']), ''];
        return ['SETRANGE', k, c.pick(['0', '1', '3', '10', '60', '-1', '536870912', 'x']), c.pick(SHORT_VALUES)];
      case 9: return [c.pick(['GETRANGE', 'SUBSTR']), k, c.pick(INDEXES), c.pick(INDEXES)];
      case 10: return [c.pick(['INCR', 'DECR']), k];
      case 11: return [c.pick(['INCRBY', 'DECRBY']), k, c.pick(INTEGERS)];
      case 12: return ['INCRBYFLOAT', k, c.pick(FLOATS)];
      case 13: {
        const pairs: string[] = [];
        const n = c.int(c.chance(0.05) ? 0 : 1, 3);
        for (let i = 0; i < n; i++) pairs.push(this.stringKey(), this.value());
        if (c.chance(0.05)) pairs.push(this.stringKey());
        return [c.pick(['MSET', 'MSETNX']), ...pairs];
      }
      case 14: return ['MGET', k, ...c.some(ALL_KEYS, 3)];
      case 15: return ['STRLEN', k];
      case 16: return ['SETNX', k, this.value()];
      case 17: return [c.pick(['SETEX', 'PSETEX']), k, c.pick([...FAR_SECONDS, '0', '-1', 'x']), this.value()];
      case 18: {
        const opts: string[] = [];
        if (c.chance(0.3)) opts.push('LEN');
        if (c.chance(0.4)) opts.push('IDX');
        if (c.chance(0.3)) opts.push('MINMATCHLEN', c.pick(['0', '1', '2', '3', '-1', 'x']));
        if (c.chance(0.3)) opts.push('WITHMATCHLEN');
        return ['LCS', k, this.stringKey(), ...opts];
      }
      case 19: return ['SET', k, c.pick(INTEGERS)];
      case 20: return ['SET', k, c.pick(FLOATS)];
      case 21: return ['OBJECT', 'ENCODING', k];
      case 22: return ['INCRBY', k, c.pick(['1', '-1', '100'])];
      case 23: return ['GET', k];
      default: return ['SET', k, this.value(), c.pick(['GET', 'XX', 'NX', 'KEEPTTL'])];
    }
  }

  private bitType(): string {
    const c = this.c;
    if (c.chance(0.05)) return c.pick(['i0', 'u64', 'i65', 'x8', 'u', 'i']);
    return c.chance(0.5) ? `i${c.int(1, 64)}` : `u${c.int(1, 63)}`;
  }

  private bitOffset(): string {
    const c = this.c;
    if (c.chance(0.05)) return c.pick(['-1', 'x', '#-1', '4294967296']);
    return c.chance(0.3) ? `#${c.int(0, 8)}` : String(c.int(0, 120));
  }

  private bitfieldOps(readOnly: boolean): string[] {
    const c = this.c;
    const ops: string[] = [];
    const n = c.int(0, 4);
    for (let i = 0; i < n; i++) {
      const kind = readOnly ? 0 : c.int(0, 3);
      if (kind === 0) ops.push('GET', this.bitType(), this.bitOffset());
      else if (kind === 1) ops.push('SET', this.bitType(), this.bitOffset(), c.pick(INTEGERS));
      else if (kind === 2) ops.push('INCRBY', this.bitType(), this.bitOffset(), c.pick(INTEGERS));
      else ops.push('OVERFLOW', c.pick(['WRAP', 'SAT', 'FAIL', 'wrap', 'sat', 'fail', 'BAD']));
    }
    if (c.chance(0.03)) ops.push(c.pick(['GET', 'BOGUS', 'SET']));
    return ops;
  }

  private zsetKey(): string {
    return this.c.chance(0.1) ? this.c.pick(ALL_KEYS) : this.c.pick(ZSET_KEYS);
  }

  /** Sorted-set and geo commands, deterministic forms only (ZRANDMEMBER with 0 or a covering count). */
  private zsetCommand(): Command {
    const c = this.c;
    const k = this.zsetKey();
    const pairs = (): string[] => {
      const out: string[] = [];
      for (let i = c.int(1, 3); i > 0; i--) out.push(c.pick(FLOATS), c.pick(MEMBERS));
      return out;
    };
    const flags = (): string[] => c.some(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'], 2);
    const keys = (): string[] => {
      const list = [this.zsetKey(), ...c.some([...ZSET_KEYS, 'missing', 's1'], 2)];
      return [c.chance(0.05) ? c.pick(['0', '-1', 'x', '9']) : String(list.length), ...list];
    };
    switch (c.int(0, 24)) {
      case 0: case 1: case 2: return ['ZADD', k, ...flags(), ...pairs()];
      case 3: return ['ZINCRBY', k, c.pick(FLOATS), c.pick(MEMBERS)];
      case 4: return ['ZREM', k, ...c.some(MEMBERS, 3)];
      case 5: return [c.pick(['ZSCORE', 'ZRANK', 'ZREVRANK']), k, c.pick(MEMBERS)];
      case 6: return ['ZMSCORE', k, ...c.some(MEMBERS, 3)];
      case 7: return ['ZCARD', k];
      case 8: return [c.pick(['ZCOUNT', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZREMRANGEBYSCORE']), k, c.pick(SCORE_BOUNDS), c.pick(SCORE_BOUNDS)];
      case 9: return [c.pick(['ZLEXCOUNT', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX', 'ZREMRANGEBYLEX']), k, c.pick(LEX_BOUNDS), c.pick(LEX_BOUNDS)];
      case 10: case 11: {
        const opts = c.some(['BYSCORE', 'BYLEX', 'REV', 'WITHSCORES', 'LIMIT', c.pick(INDEXES), c.pick(INDEXES)], 4);
        const bounds = opts.includes('BYLEX') ? LEX_BOUNDS : opts.includes('BYSCORE') ? SCORE_BOUNDS : INDEXES;
        return [c.pick(['ZRANGE', 'ZRANGE', 'ZRANGESTORE']), ...(c.chance(0.3) ? [this.zsetKey()] : []), k, c.pick(bounds), c.pick(bounds), ...opts];
      }
      case 12: return [c.pick(['ZREVRANGE', 'ZREMRANGEBYRANK']), k, c.pick(INDEXES), c.pick(INDEXES), ...(c.chance(0.3) ? ['WITHSCORES'] : [])];
      case 13: return [c.pick(['ZPOPMIN', 'ZPOPMAX']), k, ...(c.chance(0.5) ? [c.pick(INDEXES)] : [])];
      case 14: return ['ZMPOP', ...keys(), c.pick(['MIN', 'MAX', 'left']), ...(c.chance(0.4) ? ['COUNT', c.pick(INDEXES)] : [])];
      case 15: {
        const opts = c.some(['WITHSCORES', 'AGGREGATE', c.pick(['SUM', 'MIN', 'MAX', 'avg']), 'WEIGHTS', c.pick(FLOATS), c.pick(FLOATS)], 3);
        return [c.pick(['ZUNION', 'ZINTER', 'ZDIFF']), ...keys(), ...opts];
      }
      case 16: return [c.pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), this.zsetKey(), ...keys(), ...c.some(['AGGREGATE', 'MAX', 'WEIGHTS', '2', '3'], 3)];
      case 17: return ['ZINTERCARD', ...keys(), ...(c.chance(0.4) ? ['LIMIT', c.pick(INDEXES)] : [])];
      case 18: return ['ZRANDMEMBER', k, c.pick(['0', '100', '-0', 'x']), ...(c.chance(0.4) ? ['WITHSCORES'] : [])];
      case 19: return ['ZSCAN', k, c.pick(['0', '0', 'x']), ...(c.chance(0.3) ? ['MATCH', c.pick(['*', 'a*', '[ab]'])] : [])];
      case 20: {
        const [lon, lat] = c.pick(COORDS);
        return ['GEOADD', k, ...c.some(['NX', 'XX', 'CH'], 1), lon, lat, c.pick(MEMBERS)];
      }
      case 21: return [c.pick(['GEOPOS', 'GEOHASH']), k, ...c.some(MEMBERS, 3)];
      case 22: return ['GEODIST', k, c.pick(MEMBERS), c.pick(MEMBERS), ...(c.chance(0.5) ? [c.pick(['km', 'mi', 'x'])] : [])];
      case 23: {
        const [lon, lat] = c.pick(COORDS);
        const by = c.chance(0.5) ? ['BYRADIUS', c.pick(['100', '5000', '-1']), 'km'] : ['BYBOX', '400', c.pick(['400', 'x']), 'km'];
        const from = c.chance(0.5) ? ['FROMLONLAT', lon, lat] : ['FROMMEMBER', c.pick(MEMBERS)];
        return ['GEOSEARCH', k, ...from, ...by, ...c.some(['ASC', 'DESC', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'COUNT', '2'], 3)];
      }
      default: {
        const [lon, lat] = c.pick(COORDS);
        return ['GEORADIUS', k, lon, lat, c.pick(['100', '5000']), 'km', ...c.some(['ASC', 'WITHDIST', 'STORE', this.zsetKey()], 2)];
      }
    }
  }

  /** HLLs live among the string keys, so string commands meet them and PF* commands meet strings. */
  private hyperloglogCommand(): Command {
    const c = this.c;
    const elements = (): string[] => c.some(['a', 'b', 'c', '', '1', 'x\x00y', 'long element text', ...SHORT_VALUES], 6);
    switch (c.int(0, 9)) {
      case 0: case 1: case 2: return ['PFADD', this.stringKey(), ...elements()];
      case 3: case 4: return ['PFCOUNT', this.stringKey()];
      case 5: return ['PFCOUNT', this.stringKey(), ...c.some(ALL_KEYS, 3)];
      case 6: return ['PFMERGE', this.stringKey(), ...c.some(ALL_KEYS, 3)];
      case 7: return ['PFDEBUG', c.pick(['ENCODING', 'DECODE', 'TODENSE', 'nosuch']), this.stringKey()];
      case 8: return ['PFDEBUG', 'GETREG', this.stringKey()];
      default: return ['SETRANGE', this.stringKey(), String(c.int(0, 24)), c.pick(['\x00', '\x80', 'HYLL', '\x01', '\x7f\xff'])];
    }
  }

  private bitmapCommand(): Command {
    const c = this.c;
    const k = this.stringKey();
    switch (c.int(0, 9)) {
      case 0: case 1: return ['SETBIT', k, c.chance(0.95) ? String(c.int(0, 200)) : c.pick(['-1', 'x', '4294967296']), c.pick(['0', '1', '1', '2', 'x'])];
      case 2: return ['GETBIT', k, c.chance(0.95) ? String(c.int(0, 250)) : c.pick(['-1', 'x', '4294967295'])];
      case 3: {
        const range = c.chance(0.6) ? [c.pick(INDEXES), c.pick(INDEXES)] : c.chance(0.2) ? [c.pick(INDEXES)] : [];
        if (range.length === 2 && c.chance(0.4)) range.push(c.pick(['BYTE', 'BIT', 'byte', 'bit', 'NIBBLE']));
        return ['BITCOUNT', k, ...range];
      }
      case 4: {
        const args: string[] = [c.pick(['0', '1', '1', '2'])];
        if (c.chance(0.6)) {
          args.push(c.pick(INDEXES));
          if (c.chance(0.6)) {
            args.push(c.pick(INDEXES));
            if (c.chance(0.5)) args.push(c.pick(['BYTE', 'BIT', 'bit', 'x']));
          }
        }
        return ['BITPOS', k, ...args];
      }
      case 5: {
        const op = c.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'NAND']);
        const sources = op.toUpperCase() === 'NOT' && c.chance(0.8) ? [this.stringKey()] : [this.stringKey(), ...c.some(STRING_KEYS, 2)];
        return ['BITOP', op, this.stringKey(), ...sources];
      }
      case 6: case 7: return ['BITFIELD', k, ...this.bitfieldOps(false)];
      case 8: return ['BITFIELD_RO', k, ...this.bitfieldOps(c.chance(0.9))];
      default: return ['GET', k];
    }
  }

  private fields(max: number): string[] {
    const out: string[] = [];
    const n = this.c.int(1, max);
    for (let i = 0; i < n; i++) out.push(this.c.pick(FIELDS));
    return out;
  }

  private hashCommand(): Command {
    const c = this.c;
    const k = this.hashKey();
    switch (c.int(0, 21)) {
      case 0: case 1: case 2: {
        const pairs: string[] = [];
        const n = c.int(c.chance(0.05) ? 0 : 1, 3);
        for (let i = 0; i < n; i++) pairs.push(c.pick(FIELDS), c.pick(HASH_VALUES));
        if (c.chance(0.04)) pairs.push(c.pick(FIELDS));
        return [c.pick(['HSET', 'HSET', 'HMSET']), k, ...pairs];
      }
      case 3: return ['HSETNX', k, c.pick(FIELDS), c.pick(HASH_VALUES)];
      case 4: return ['HGET', k, c.pick(FIELDS)];
      case 5: return ['HMGET', k, ...this.fields(4)];
      case 6: return ['HDEL', k, ...this.fields(3)];
      case 7: return ['HLEN', k];
      case 8: return ['HSTRLEN', k, c.pick(FIELDS)];
      case 9: return ['HEXISTS', k, c.pick(FIELDS)];
      case 10: return ['HKEYS', k];
      case 11: return ['HVALS', k];
      case 12: case 13: return ['HGETALL', k];
      case 14: case 15: return ['HINCRBY', k, c.pick(FIELDS), c.pick(INTEGERS)];
      case 16: return ['HINCRBYFLOAT', k, c.pick(FIELDS), c.pick(HASH_FLOATS)];
      case 17: {
        // Only forms whose reply is fixed: a count covering the whole (small) hash, zero, or bad.
        const count = c.pick(['20', '100', '0', 'x', '9223372036854775807']);
        const opts = c.chance(0.5) ? ['WITHVALUES'] : [];
        if (c.chance(0.05)) opts.push('BOGUS');
        return ['HRANDFIELD', k, count, ...opts];
      }
      case 18: {
        const opts: string[] = [];
        if (c.chance(0.4)) opts.push('MATCH', c.pick(['f*', '*', 'n?m', 'x*', '[f]1']));
        if (c.chance(0.3)) opts.push('COUNT', c.pick(['1', '10', '0', 'x']));
        return ['HSCAN', k, c.pick(['0', '0', 'x', '-1']), ...opts];
      }
      case 19: return ['OBJECT', 'ENCODING', k];
      case 20: return ['HINCRBY', k, 'num', c.pick(['1', '-3', '9223372036854775807'])];
      default: return ['HGET', k, c.pick(FIELDS)];
    }
  }

  private setKey(): string {
    return this.c.chance(0.1) ? this.c.pick(ALL_KEYS) : this.c.pick(SET_KEYS);
  }

  private setKeys(max: number): string[] {
    const out: string[] = [];
    const n = this.c.int(1, max);
    for (let i = 0; i < n; i++) out.push(this.setKey());
    return out;
  }

  private setCommand(): Command {
    const c = this.c;
    const k = this.setKey();
    switch (c.int(0, 21)) {
      case 0: case 1: case 2: return ['SADD', k, ...c.some(SET_INTEGERS, 4), c.pick(SET_INTEGERS)];
      case 3: return ['SREM', k, ...c.some(SET_PROBES, 3), c.pick(SET_PROBES)];
      case 4: case 5: return ['SMEMBERS', k];
      case 6: return ['SISMEMBER', k, c.pick(SET_PROBES)];
      case 7: return ['SMISMEMBER', k, ...c.some(SET_PROBES, 3), c.pick(SET_PROBES)];
      case 8: return ['SCARD', k];
      // Counts covering any of these sets, zero, or invalid: the answer is forced.
      case 9: return ['SPOP', k, c.pick(['50', '0', '-1', 'x', '9223372036854775807'])];
      case 10: return ['SRANDMEMBER', k, c.pick(['50', '0', 'x', '-9223372036854775808', '9223372036854775807'])];
      case 11: return ['SMOVE', k, this.setKey(), c.pick(SET_PROBES)];
      case 12: return ['SINTER', ...this.setKeys(3)];
      case 13: {
        const keys = this.setKeys(3);
        const numKeys = c.chance(0.9) ? String(keys.length) : c.pick(['0', '-1', 'x', '9']);
        const opts = c.chance(0.5) ? ['LIMIT', c.pick(['0', '1', '2', '-1', 'x'])] : [];
        return ['SINTERCARD', numKeys, ...keys, ...opts];
      }
      case 14: return ['SUNION', ...this.setKeys(3)];
      case 15: return ['SDIFF', ...this.setKeys(3)];
      case 16: return [c.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), this.setKey(), ...this.setKeys(3)];
      case 17: {
        const opts: string[] = [];
        if (c.chance(0.4)) opts.push('MATCH', c.pick(['1*', '*', '-?', '[0-2]*', 'x*']));
        if (c.chance(0.3)) opts.push('COUNT', c.pick(['1', '10', '0', 'x']));
        return ['SSCAN', k, c.pick(['0', '0', '7', 'x', '-1']), ...opts];
      }
      case 18: return ['OBJECT', 'ENCODING', k];
      case 19: case 20: {
        const opts: string[] = [];
        if (c.chance(0.5)) opts.push('ALPHA');
        else opts.push('BY', c.pick(['nosort', 'const', 'ALPHA']));
        if (c.chance(0.4)) opts.push(c.pick(['DESC', 'ASC']));
        if (c.chance(0.4)) opts.push('LIMIT', c.pick(['0', '1', '-1', '3', 'x']), c.pick(['2', '0', '-1', '10']));
        if (c.chance(0.4)) opts.push('GET', c.pick(['#', 's*', 'h*->f1', 'nosuch']));
        if (c.chance(0.1)) opts.push(c.pick(['BOGUS', 'LIMIT']));
        if (c.chance(0.3)) opts.push('STORE', c.pick(SET_KEYS));
        // Not on sorted sets: SORT turns a listpack one into a skiplist, whose ZSCAN order is
        // the server's own.
        return [c.pick(['SORT', 'SORT', 'SORT_RO']), c.pick(SET_KEYS), ...opts];
      }
      default: return ['SCARD', k];
    }
  }

  private keyCommand(): Command {
    const c = this.c;
    const k = this.anyKey();
    switch (c.int(0, 17)) {
      case 0: return [c.pick(['DEL', 'UNLINK']), k, ...c.some(ALL_KEYS, 2)];
      case 1: return ['EXISTS', k, ...c.some(ALL_KEYS, 3)];
      case 2: case 3: return ['TYPE', k];
      case 4: return ['RENAME', k, c.chance(0.2) ? k : this.anyKey()];
      case 5: return ['RENAMENX', k, c.chance(0.2) ? k : this.anyKey()];
      case 6: {
        const opts: string[] = [];
        if (c.chance(0.3)) opts.push('DB', c.pick(['0', '1', '1', '16', 'x', '-1']));
        if (c.chance(0.4)) opts.push('REPLACE');
        if (c.chance(0.03)) opts.push('BOGUS');
        return ['COPY', k, c.chance(0.1) ? k : this.anyKey(), ...opts];
      }
      case 7: return ['MOVE', k, c.pick(['0', '1', '1', '16', 'x'])];
      case 8: return ['SELECT', c.pick(['0', '0', '1', '1', '16', 'x'])];
      case 9: return ['TOUCH', k, ...c.some(ALL_KEYS, 2)];
      case 10: return ['PERSIST', k];
      case 11: return ['OBJECT', 'ENCODING', k];
      case 12: return ['DBSIZE'];
      case 13: return ['KEYS', k];
      case 14: return c.chance(0.1) ? ['FLUSHDB'] : ['EXISTS', k];
      case 15: return c.chance(0.3) ? ['SWAPDB', '0', '1'] : ['TYPE', k];
      case 16: return [c.pick(['DEL', 'TYPE', 'EXISTS', 'TOUCH', 'PERSIST', 'RENAME', 'MOVE'])];
      // No REFCOUNT: it shows Redis's object sharing (a queued MULTI argv holds a reference; a
      // COPY of a shared integer is unshared), which cinnabar derives from the value alone.
      default: return ['OBJECT', c.pick(['ENCODING', 'BOGUS']), k];
    }
  }

  private expireCommand(): Command {
    const c = this.c;
    const k = this.anyKey();
    const cond = c.chance(0.4) ? [c.pick(['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'BAD'])] : [];
    if (cond.length > 0 && c.chance(0.1)) cond.push(c.pick(['NX', 'XX', 'GT', 'LT']));
    switch (c.int(0, 9)) {
      case 0: return ['EXPIRE', k, c.pick([...FAR_SECONDS, '0', '-1', 'x', '9223372036854775807']), ...cond];
      case 1: return ['PEXPIRE', k, c.pick([...FAR_SECONDS.map((s) => s + '000'), '-1', '0', '9223372036854775807']), ...cond];
      case 2: return ['EXPIREAT', k, c.pick([...FAR_UNIX_SECONDS, ...PAST_TIMES]), ...cond];
      case 3: return ['PEXPIREAT', k, c.pick([...FAR_UNIX_MS, ...PAST_TIMES]), ...cond];
      case 4: case 5: case 6: case 7:
        // TTL reads are not queued in MULTI: their arrays are compared exactly.
        return this.inMulti ? ['PERSIST', k] : [c.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), k];
      case 8: return ['PERSIST', k];
      default: return ['EXPIRE', k, c.pick(FAR_SECONDS)];
    }
  }

  private transactionCommand(): Command {
    const c = this.c;
    switch (c.int(0, 7)) {
      case 0: case 1: return ['MULTI'];
      case 2: case 3: return ['EXEC'];
      case 4: return ['DISCARD'];
      case 5: return ['WATCH', this.anyKey(), ...c.some(ALL_KEYS, 2)];
      case 6: return ['UNWATCH'];
      default: return [c.pick(['NOSUCHCMD', 'GET', 'HGET', 'SET'])];
    }
  }
}

const TTL_TOLERANCE: Record<string, bigint> = { TTL: 1n, EXPIRETIME: 1n, PTTL: 1000n, PEXPIRETIME: 1000n };

/** Equal replies, or for TTL-like reads two non-negative integers within the tolerance. */
function repliesMatch(cmd: Command, ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const tolerance = TTL_TOLERANCE[cmd[0]];
  if (tolerance === undefined) return false;
  const a = /^:(\d+)\r\n$/.exec(ours);
  const b = /^:(\d+)\r\n$/.exec(theirs);
  if (a === null || b === null) return false;
  // BigInt: an expiry near INT64_MAX ms is past the exact range of doubles.
  const difference = BigInt(a[1]) - BigInt(b[1]);
  return difference <= tolerance && difference >= -tolerance;
}

interface Mismatch {
  index: number;
  command: Command;
  ours: string;
  theirs: string;
}

/** Runs the commands on a fresh pair; the first mismatch, or null when every reply agreed. */
async function replay(pair: Pair, commands: Command[]): Promise<Mismatch | null> {
  await pair.ours.call('FLUSHALL');
  await pair.theirs.call('FLUSHALL');
  for (let i = 0; i < commands.length; i++) {
    pair.ours.send(...commands[i]);
    pair.theirs.send(...commands[i]);
    if (TRACE !== undefined) appendFileSync(TRACE, `> ${show(commands[i])}\n`);
    const [ours, theirs] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
    if (TRACE !== undefined) appendFileSync(TRACE, `  ${JSON.stringify(ours)}${ours === theirs ? '' : ` theirs ${JSON.stringify(theirs)}`}\n`);
    if (!repliesMatch(commands[i], ours, theirs)) return { index: i, command: commands[i], ours, theirs };
  }
  return null;
}

/** Greedy chunk removal: the shortest prefix-closed sequence that still shows a mismatch. */
async function minimize(connect: () => Promise<Pair>, commands: Command[]): Promise<Command[]> {
  let current = commands;
  const fails = async (candidate: Command[]): Promise<boolean> => {
    const pair = await connect();
    try {
      return (await replay(pair, candidate)) !== null;
    } finally {
      pair.ours.close();
      pair.theirs.close();
    }
  };
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < current.length - 1;) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (candidate.length > 0 && await fails(candidate)) current = candidate;
      else start += chunk;
    }
  }
  return current;
}

function show(cmd: Command): string {
  return cmd.map((a) => JSON.stringify(a)).join(' ');
}

describeDifferential('fuzzed command sequences', (servers) => {
  const seeds = SEED_LIST ?? Array.from({ length: SEEDS }, (_, i) => SEED_START + i);
  for (const seed of seeds) {
    for (const resp of [2, 3] as const) {
      it(`seed ${seed}, ${COMMANDS} commands, RESP${resp}`, async () => {
        const commands = new Generator(new Chooser(seed)).sequence(COMMANDS);
        const pair = await servers.connect(resp);
        const mismatch = await replay(pair, commands);
        pair.ours.close();
        pair.theirs.close();
        if (mismatch !== null && MINIMIZE) {
          const upTo = commands.slice(0, mismatch.index + 1);
          const small = await minimize(() => servers.connect(resp), upTo);
          const check = await servers.connect(resp);
          const last = await replay(check, small);
          check.ours.close();
          check.theirs.close();
          const detail = last === null ? 'no longer fails' : `ours ${JSON.stringify(last.ours)} theirs ${JSON.stringify(last.theirs)}`;
          console.log(`seed ${seed} RESP${resp} minimized (${detail}):\n${small.map(show).join('\n')}`);
        }
        const where = mismatch === null ? '' : `seed ${seed} step ${mismatch.index}: ${show(mismatch.command)}`;
        expect(mismatch?.ours, where).toBe(mismatch?.theirs);
      }, 120_000);
    }
  }
});

// Differential fuzzing: seeded random command sequences over a small key space go to cinnabar
// and to redis-server 7.0.15, and every reply must be byte for byte identical (RESP2 and RESP3),
// and so must the keyspace events both publish (every class, "new" and "keymiss" included) and
// the commands both propagate (cinnabar's propagator against redis-server's replication
// stream read as a replica), compared every FUZZ_EVENT_STEPS commands.
//
// The committed run is small and bounded. Longer local runs:
//   FUZZ_SEEDS=100 FUZZ_COMMANDS=2000 FUZZ_SEED_START=1000 npx vitest run test/compat/fuzz.test.ts
// FUZZ_MINIMIZE=1 shrinks each failing sequence to a short reproduction and prints it;
// FUZZ_SEED_LIST=3,17 replays given seeds; FUZZ_TRACE=file logs every command and reply;
// FUZZ_EVENT_STEPS=1 compares events and propagation after every command (default: every 20).
//
// Families (one generator module each in test/compat/fuzz/): strings, bitmaps, hashes, lists
// (the blocking commands with tiny timeouts or where they are served at once), streams
// (explicit IDs, consumer groups, XPENDING/XCLAIM/XAUTOCLAIM, XINFO), sets, sorted sets
// (score formatting edges), geo, SORT, HyperLogLog, keys, expiries, transactions. Each type
// has its own keys, and a tenth of the picks take any key (WRONGTYPE and cross-type inputs).
// DUMP payloads are restored across the two servers for every type with an RDB codec. Every
// sequence starts by setting small encoding thresholds on both servers (CONFIG SET), so
// OBJECT ENCODING transitions happen within a sequence.
//
// Only deterministic replies are generated: no random HRANDFIELD/SRANDMEMBER/SPOP/ZRANDMEMBER
// forms, no SCAN/KEYS over many keys, no short expiries, no '*' stream IDs, no lex ranges over
// several scores of a skiplist; hashes stay small (listpack, so their order is insertion
// order). Replies carrying the clock (TTLs, stream idle and delivery times) and hash-table
// orders are compared as test/compat/fuzz/compare.ts describes.

import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { CODECS } from '../../src/store/rdb/codecs.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { referenceAvailable, type Pair } from '../helpers/differential.js';
import { decodeCommands, ReplicaLink } from '../helpers/propagation.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';
import {
  ALL_KEYS, Chooser, GEO_KEYS, HASH_KEYS, LIST_KEYS, SET_KEYS, STREAM_KEYS, STRING_KEYS, ZSET_KEYS, type Command, type FuzzContext,
} from './fuzz/chooser.js';
import {
  eventsUnordered, lexRangeKey, ORDERED_WHEN_COMPACT, propagatedMatch, repliesMatch, sortedReply, sortRefusedByErrno, unordered,
  windowed,
} from './fuzz/compare.js';
import { geoCommand } from './fuzz/geo.js';
import { listCommand } from './fuzz/lists.js';
import { setCommand } from './fuzz/sets.js';
import { sortCommand } from './fuzz/sort.js';
import { StreamCommands } from './fuzz/streams.js';
import { ZsetCommands } from './fuzz/zsets.js';
import { PROPAGATE_REPL } from '../../src/engine/propagation.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 10);
const COMMANDS = Number(process.env.FUZZ_COMMANDS ?? 500);
const SEED_START = Number(process.env.FUZZ_SEED_START ?? 1);
// Comma-separated seeds to replay instead of the range (e.g. the failing ones of a long run).
const SEED_LIST = process.env.FUZZ_SEED_LIST?.split(',').map(Number);
const MINIMIZE = process.env.FUZZ_MINIMIZE === '1';
// The fuzzer's own step (not a Redis command): DUMP a key on both servers and RESTORE each
// payload on the other one (see dumpRestore).
const DUMP_RESTORE = '~DUMP-RESTORE';
// How many commands run between two comparisons of the keyspace events.
const EVENT_CHECK_STEPS = Number(process.env.FUZZ_EVENT_STEPS ?? 20);
// The types whose values cinnabar can DUMP: those with an RDB codec, so each codec joins the
// round trips as it lands.
const CODEC_TYPES = new Set<string>(Object.keys(CODECS));
// A file every command and both replies are appended to (debugging a hang or a mismatch).
const TRACE = process.env.FUZZ_TRACE;

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

// The CONFIG SET/DEBUG steps every sequence starts with (Generator.thresholds).
const THRESHOLD_STEPS = 9;

const POOLS = [STRING_KEYS, HASH_KEYS, LIST_KEYS, STREAM_KEYS, SET_KEYS, ZSET_KEYS, GEO_KEYS];

// Commands whose reply is random or unordered without their trailing arguments: never
// shortened by the wrong-arity drop (HRANDFIELD/SRANDMEMBER/SPOP/ZRANDMEMBER without a count,
// a SCAN page of the default COUNT over a hash table), nor the fuzzer's own steps.
const KEEP_ARITY = new Set(['HRANDFIELD', 'SRANDMEMBER', 'SPOP', 'ZRANDMEMBER', 'SSCAN', 'ZSCAN', DUMP_RESTORE]);

/** Generates one seeded command sequence; tracks MULTI state so TTL reads stay comparable. */
class Generator implements FuzzContext {
  inMulti = false;
  private readonly streams: StreamCommands;
  private readonly zsets: ZsetCommands;
  constructor(readonly c: Chooser) {
    this.streams = new StreamCommands(this);
    this.zsets = new ZsetCommands(this);
  }

  key(pool: readonly string[]): string {
    return this.c.chance(0.1) ? this.c.pick(ALL_KEYS) : this.c.pick(pool);
  }

  sequence(length: number): Command[] {
    const out: Command[] = this.thresholds();
    while (out.length < length) out.push(this.command());
    if (this.inMulti) out.push(['DISCARD']);
    return out;
  }

  /**
   * Small encoding thresholds for this sequence, on both servers: values convert (listpack to
   * quicklist, intset to hashtable, listpack to skiplist, several stream nodes) within a few
   * commands. The hash limits stay at their defaults (hash replies rely on listpack order).
   */
  private thresholds(): Command[] {
    const c = this.c;
    const steps: Command[] = [
      ['CONFIG', 'SET', 'list-max-listpack-size', c.pick(['4', '4', '1', '3', '-1', '-2'])],
      ['CONFIG', 'SET', 'list-compress-depth', c.pick(['0', '0', '1', '2'])],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', c.pick(['0', '0', '0', '100b', '4kb'])],
      ['CONFIG', 'SET', 'set-max-intset-entries', c.pick(['4', '4', '2', '512'])],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', c.pick(['4', '4', '1', '128'])],
      ['CONFIG', 'SET', 'zset-max-listpack-value', c.pick(['64', '64', '8'])],
      ['CONFIG', 'SET', 'stream-node-max-entries', c.pick(['4', '4', '1', '100'])],
      ['CONFIG', 'SET', 'stream-node-max-bytes', c.pick(['4096', '4096', '0', '150'])],
      // Every keyspace event, new-key and key-miss ones too, for the subscriber replay() compares.
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm'],
    ];
    if (steps.length !== THRESHOLD_STEPS) throw new Error('THRESHOLD_STEPS is out of date');
    return steps;
  }

  private command(): Command {
    const c = this.c;
    const roll = c.float();
    let cmd: Command;
    if (roll < 0.11) cmd = this.stringCommand();
    else if (roll < 0.15) cmd = this.bitmapCommand();
    else if (roll < 0.23) cmd = this.hashCommand();
    else if (roll < 0.36) cmd = listCommand(this);
    else if (roll < 0.5) cmd = this.streams.command();
    else if (roll < 0.62) cmd = setCommand(this);
    else if (roll < 0.74) cmd = this.zsets.command();
    else if (roll < 0.77) cmd = geoCommand(this);
    else if (roll < 0.79) cmd = sortCommand(this);
    else if (roll < 0.88) cmd = this.keyCommand();
    else if (roll < 0.91) cmd = this.expireCommand();
    else if (roll < 0.93) cmd = this.hyperloglogCommand();
    else if (roll < 0.985 || this.inMulti) cmd = this.transactionCommand();
    else {
      const pool = this.c.pick(POOLS);
      cmd = [DUMP_RESTORE, this.key(pool), this.key(pool)];
    }
    // Wrong arity: drop trailing arguments now and then.
    if (c.chance(0.03) && cmd.length > 1 && !KEEP_ARITY.has(cmd[0])) cmd = cmd.slice(0, c.int(1, cmd.length - 1));
    this.track(cmd);
    return cmd;
  }

  private track(cmd: Command): void {
    const name = cmd[0].toUpperCase();
    if (name === 'MULTI' && cmd.length === 1) this.inMulti = true;
    else if ((name === 'EXEC' || name === 'DISCARD') && cmd.length === 1) this.inMulti = false;
  }

  private stringKey(): string {
    return this.key(STRING_KEYS);
  }

  private hashKey(): string {
    return this.key(HASH_KEYS);
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

  private keyCommand(): Command {
    const c = this.c;
    // Both keys mostly from one type's pool: moving values across pools at random would leave
    // most pool keys holding another type, and most family commands would only see WRONGTYPE.
    const pool = c.pick(POOLS);
    const k = this.key(pool);
    const other = (): string => this.key(pool);
    switch (c.int(0, 17)) {
      case 0: return [c.pick(['DEL', 'UNLINK']), k, ...c.some(ALL_KEYS, 2)];
      case 1: return ['EXISTS', k, ...c.some(ALL_KEYS, 3)];
      case 2: case 3: return ['TYPE', k];
      case 4: return ['RENAME', k, c.chance(0.2) ? k : other()];
      case 5: return ['RENAMENX', k, c.chance(0.2) ? k : other()];
      case 6: {
        const opts: string[] = [];
        if (c.chance(0.3)) opts.push('DB', c.pick(['0', '1', '1', '16', 'x', '-1']));
        if (c.chance(0.4)) opts.push('REPLACE');
        if (c.chance(0.03)) opts.push('BOGUS');
        return ['COPY', k, c.chance(0.1) ? k : other(), ...opts];
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

interface Mismatch {
  index: number;
  command: Command;
  ours: string;
  theirs: string;
}

async function both(pair: Pair, cmd: Command): Promise<[string, string]> {
  pair.ours.send(...cmd);
  pair.theirs.send(...cmd);
  if (TRACE !== undefined) appendFileSync(TRACE, `> ${show(cmd)}\n`);
  const [ours, theirs] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
  if (TRACE !== undefined) appendFileSync(TRACE, `  ${JSON.stringify(ours)}${ours === theirs ? '' : ` theirs ${JSON.stringify(theirs)}`}\n`);
  return [ours, theirs];
}

/** The bytes of a bulk reply, or null for anything else (nil, an error, +QUEUED). */
function bulkBytes(reply: string): string | null {
  const m = /^\$(\d+)\r\n/.exec(reply);
  return m === null ? null : reply.slice(m[0].length, m[0].length + Number(m[1]));
}

/**
 * One command; a description of the difference, or null when the replies agree. An unordered
 * reply agrees when it does sorted, unless redis-server holds the key in a compact (ordered)
 * encoding, which is then compared exactly.
 */
async function step(pair: Pair, cmd: Command): Promise<[string, string] | null> {
  if (cmd[0] === DUMP_RESTORE) return dumpRestore(pair, cmd[1], cmd[2]);
  const lexKey = lexRangeKey(cmd);
  if (lexKey !== null && await mixedScoreSkiplist(pair.theirs, lexKey)) {
    if (TRACE !== undefined) appendFileSync(TRACE, `> ${show(cmd)}\n  skipped: lex range over a skiplist of several scores\n`);
    return null;
  }
  const [ours, theirs] = await both(pair, cmd);
  // (Probes go to redis-server on this connection, to read its current db: never while it
  // queues a transaction.)
  const queued = theirs === '+QUEUED\r\n';
  if (!queued && eventsUnordered(cmd) && windowed(cmd)) {
    // A window over a dict's order looks GET patterns up for different members (even where
    // the replies agree, all nil): those keymiss events are not compared.
    const encoding = await pair.theirs.call('OBJECT', 'ENCODING', cmd[1]);
    if (encoding.includes('hashtable') || encoding.includes('skiplist')) pendingEventsVoid = true;
  }
  if (ours !== theirs && sortRefusedByErrno(cmd, ours, theirs)) {
    // redis-server refused a valid sort (see fuzz/sort.ts): it looked no pattern up, so this
    // command's keyspace events (compared on their own, see eventsUnordered) are dropped.
    pendingEventsVoid ||= eventsUnordered(cmd);
    return null;
  }
  if (repliesMatch(cmd, ours, theirs)) return null;
  if (!unordered(cmd)) return [ours, theirs];
  const compact = ORDERED_WHEN_COMPACT.has(cmd[0].toUpperCase()) ? await pair.theirs.call('OBJECT', 'ENCODING', cmd[1]) : '';
  const dictOrder = compact === '' || compact.includes('hashtable') || compact.includes('skiplist');
  if (!dictOrder) return [ours, theirs];
  // SORT ... LIMIT over a dict's order picks different members: nothing to compare.
  if (windowed(cmd) && (cmd[0].toUpperCase() === 'SORT' || cmd[0].toUpperCase() === 'SORT_RO')) return null;
  return sortedReply(cmd, ours) === sortedReply(cmd, theirs) ? null : [ours, theirs];
}

/** A skiplist-encoded sorted set whose lowest and highest scores differ (see lexRangeKey). */
async function mixedScoreSkiplist(conn: Pair['theirs'], key: string): Promise<boolean> {
  if (!(await conn.call('OBJECT', 'ENCODING', key)).includes('skiplist')) return false;
  // The score is the reply's last line (RESP2 bulk, RESP3 double); members hold no CRLF.
  const scoreOf = (reply: string): string | undefined => reply.split('\r\n').at(-2);
  const lowest = await conn.call('ZRANGE', key, '0', '0', 'WITHSCORES');
  const highest = await conn.call('ZRANGE', key, '-1', '-1', 'WITHSCORES');
  return scoreOf(lowest) !== scoreOf(highest);
}

/**
 * Whether a value's DUMP payload must be byte for byte redis-server's. Not for a hash table
 * (its dict order), nor a stream with consumer groups (PEL delivery and consumer seen times),
 * nor a list of several quicklist nodes: Redis's node boundaries follow the list's history
 * (pops and deletes leave nodes part empty, inserts split them), while cinnabar packs the
 * elements into nodes afresh when it serializes (store/types/list.ts), the same elements in
 * different nodes.
 */
async function layoutIsFixed(theirs: Pair['theirs'], type: string, key: string): Promise<boolean> {
  if ((await theirs.call('OBJECT', 'ENCODING', key)).includes('hashtable')) return false;
  if (type === 'stream') return (await theirs.call('XINFO', 'GROUPS', key)) === '*0\r\n';
  if (type === 'list') return /ql_nodes:1 /.test(await theirs.call('DEBUG', 'OBJECT', key));
  return true;
}

/**
 * DUMP src on both servers, each payload RESTOREd as dst on the other server, then the two
 * dst values compared by DEBUG DIGEST-VALUE. The payloads themselves must be identical where
 * the layout is deterministic: not a hash table's order, nor a stream with consumer groups
 * (their PELs and consumers carry delivery and seen times). Skipped (after comparing TYPE)
 * for types without an RDB codec in cinnabar yet.
 */
async function dumpRestore(pair: Pair, src: string, dst: string): Promise<[string, string] | null> {
  const type = await both(pair, ['TYPE', src]);
  if (type[0] !== type[1]) return type;
  const name = /^\+(\w+)\r\n$/.exec(type[1])?.[1];
  if (name === undefined || !CODEC_TYPES.has(name)) return null;
  const dumps = await both(pair, ['DUMP', src]);
  const [ourPayload, theirPayload] = dumps.map(bulkBytes);
  if (ourPayload === null || theirPayload === null) return dumps[0] === dumps[1] ? null : dumps;
  if (dumps[0] !== dumps[1] && await layoutIsFixed(pair.theirs, name, src)) return dumps;
  pair.ours.send('RESTORE', dst, '0', theirPayload, 'REPLACE');
  pair.theirs.send('RESTORE', dst, '0', ourPayload, 'REPLACE');
  const restored = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
  if (restored[0] !== restored[1]) return restored;
  const digests = await both(pair, ['DEBUG', 'DIGEST-VALUE', dst]);
  return digests[0] === digests[1] ? null : digests;
}

/** Reads a subscriber's pending messages up to the reply to a PING sent now. */
async function drainEvents(conn: Pair['ours']): Promise<string[]> {
  conn.send('PING');
  const out: string[] = [];
  for (;;) {
    const reply = await conn.readReply();
    // RESP2 answers a subscriber's PING with ["pong", ""], RESP3 with +PONG.
    if (/^(\*2\r\n\$4\r\npong\r\n\$0\r\n\r\n|\+PONG\r\n)$/.test(reply)) return out;
    out.push(reply);
  }
}

// Set by step() when the events of the command it ran cannot be compared.
let pendingEventsVoid = false;

/**
 * The keyspace events both servers published since the last check, or where they part;
 * `unordered` compares them as a multiset (see eventsUnordered).
 */
async function eventsDiffer(events: Pair, unordered = false): Promise<[string, string] | null> {
  const [ours, theirs] = await Promise.all([drainEvents(events.ours), drainEvents(events.theirs)]);
  if (pendingEventsVoid) {
    pendingEventsVoid = false;
    return null;
  }
  if (unordered) {
    ours.sort();
    theirs.sort();
  }
  if (TRACE !== undefined) appendFileSync(TRACE, `  events: ${JSON.stringify(theirs)}${ours.join() === theirs.join() ? '' : ` ours ${JSON.stringify(ours)}`}\n`);
  let same = 0;
  while (same < ours.length && same < theirs.length && ours[same] === theirs[same]) same++;
  if (same === ours.length && same === theirs.length) return null;
  return [ours.slice(same, same + 3).join(''), theirs.slice(same, same + 3).join('')];
}

/** The two servers of the run, and what each hands to replication. */
interface FuzzServers {
  connect(resp: 2 | 3): Promise<Pair>;
  /** The commands propagated since the last call: cinnabar's, then redis-server's replica feed. */
  propagated(untilMarker: string): Promise<[string[][], string[][]]>;
}

/**
 * The commands both servers propagated since the last check (a marker write on db 15 flushes
 * redis-server's replication stream up to it), or where they part.
 */
async function propagationDiffers(servers: FuzzServers, marker: Pair, label: string): Promise<[string, string] | null> {
  const [ours, theirs] = await servers.propagated(await setMarker(marker, label));
  if (TRACE !== undefined) appendFileSync(TRACE, `  propagated: ${JSON.stringify(theirs)}${propagatedMatch(ours, theirs) ? '' : ` ours ${JSON.stringify(ours)}`}\n`);
  if (propagatedMatch(ours, theirs)) return null;
  let same = 0;
  while (same < ours.length && same < theirs.length && propagatedMatch([ours[same]], [theirs[same]])) same++;
  const show = (argvs: string[][]): string => argvs.slice(same, same + 3).map((a) => a.join(' ')).join(' | ');
  return [show(ours), show(theirs)];
}

/**
 * Runs the commands on fresh connections; the first mismatch, or null when every reply agreed.
 * A subscriber on each server receives every keyspace event (the thresholds enable them all),
 * and the two streams are compared every EVENT_CHECK_STEPS commands and at the end, and so
 * are the commands the two servers propagate to replicas.
 */
async function replay(servers: FuzzServers, resp: 2 | 3, commands: Command[]): Promise<Mismatch | null> {
  const pair = await servers.connect(resp);
  const events = await servers.connect(resp);
  const marker = await servers.connect(2);
  let markers = 0;
  try {
    await Promise.all([marker.ours.call('SELECT', '15'), marker.theirs.call('SELECT', '15')]);
    await pair.ours.call('FLUSHALL');
    await pair.theirs.call('FLUSHALL');
    // Whatever earlier runs propagated is dropped up to here.
    await servers.propagated(await setMarker(marker, `start ${++markers}`));
    await Promise.all([events.ours.call('PSUBSCRIBE', '__key*__:*'), events.theirs.call('PSUBSCRIBE', '__key*__:*')]);
    let checked = 0;
    const windowCheck = async (i: number, unorderedEvents: boolean): Promise<Mismatch | null> => {
      const window = ['(keyspace events and propagation of steps', String(checked), 'to', String(i) + ')'];
      const eventDifference = await eventsDiffer(events, unorderedEvents);
      if (eventDifference !== null) return { index: i, command: window, ours: eventDifference[0], theirs: eventDifference[1] };
      const propagationDifference = await propagationDiffers(servers, marker, `after ${i} (${++markers})`);
      if (propagationDifference !== null) return { index: i, command: window, ours: propagationDifference[0], theirs: propagationDifference[1] };
      checked = i + 1;
      return null;
    };
    for (let i = 0; i < commands.length; i++) {
      const unorderedEvents = eventsUnordered(commands[i]);
      if (unorderedEvents && checked < i) {
        // The events so far in order, then this command's own as a multiset.
        const before = await windowCheck(i - 1, false);
        if (before !== null) return before;
      }
      const difference = await step(pair, commands[i]);
      if (difference !== null) return { index: i, command: commands[i], ours: difference[0], theirs: difference[1] };
      if (unorderedEvents || i + 1 - checked >= EVENT_CHECK_STEPS || i === commands.length - 1) {
        const mismatch = await windowCheck(i, unorderedEvents);
        if (mismatch !== null) return mismatch;
      }
    }
    return null;
  } finally {
    for (const c of [pair.ours, pair.theirs, events.ours, events.theirs, marker.ours, marker.theirs]) c.close();
  }
}

async function setMarker(marker: Pair, value: string): Promise<string> {
  await Promise.all([marker.ours.call('SET', 'fuzz-marker', value), marker.theirs.call('SET', 'fuzz-marker', value)]);
  return value;
}

/**
 * Greedy chunk removal: the shortest prefix-closed sequence that still shows a mismatch. The
 * thresholds at the start stay (the servers keep their configuration between replays).
 */
async function minimize(servers: FuzzServers, resp: 2 | 3, commands: Command[]): Promise<Command[]> {
  let current = commands;
  const fails = async (candidate: Command[]): Promise<boolean> => (await replay(servers, resp, candidate)) !== null;
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = THRESHOLD_STEPS; start < current.length - 1;) {
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

/** The marker SET closing a batch of propagated commands (what setMarker wrote). */
function isMarker(argv: string[], value: string): boolean {
  return argv.length === 3 && argv[0].toUpperCase() === 'SET' && argv[1] === 'fuzz-marker' && argv[2] === value;
}

(referenceAvailable ? describe : describe.skip)('fuzzed command sequences (differential against redis-server)', () => {
  let ours: RunningServerInternal;
  let theirs: ReferenceServer;
  let replica: ReplicaLink;
  const oursPropagated: Buffer[] = [];
  const open: RawConnection[] = [];
  let theirsPending: string[][] = [];

  beforeAll(async () => {
    [ours, theirs] = await Promise.all([startCinnabar({ 'enable-debug-command': 'yes' }), startReferenceServer()]);
    ours.server.propagator.subscribe((unit) => oursPropagated.push(unit.owned()), PROPAGATE_REPL);
    replica = await ReplicaLink.open(theirs.port);
  });
  afterAll(async () => {
    replica?.close();
    for (const c of open) c.close();
    await Promise.all([ours?.close(), theirs?.stop()]);
  });

  const servers: FuzzServers = {
    connect: async (resp) => {
      const pair = { ours: await RawConnection.connect(ours.port), theirs: await RawConnection.connect(theirs.port) };
      open.push(pair.ours, pair.theirs);
      if (resp === 3) await Promise.all([pair.ours.call('HELLO', '3'), pair.theirs.call('HELLO', '3')]);
      return pair;
    },
    propagated: async (untilMarker) => {
      // Both lists end with the marker write, which is left out.
      let end = -1;
      await waitFor(() => {
        theirsPending = theirsPending.concat(replica.commands());
        end = theirsPending.findIndex((argv) => isMarker(argv, untilMarker));
        return end >= 0;
      }, 5000, 'the marker on the replication link');
      // redis-server pings its replicas now and then (repl-ping-replica-period, "ping").
      const theirsBatch = theirsPending.slice(0, end).filter((argv) => argv[0].toUpperCase() !== 'PING');
      theirsPending = theirsPending.slice(end + 1);
      const oursAll = decodeCommands(Buffer.concat(oursPropagated.splice(0)).toString('latin1'))
        .filter((argv) => argv[0] !== 'SELECT' && argv[0] !== 'PING');
      const oursEnd = oursAll.findIndex((argv) => isMarker(argv, untilMarker));
      return [oursAll.slice(0, oursEnd < 0 ? oursAll.length : oursEnd), theirsBatch];
    },
  };

  const seeds = SEED_LIST ?? Array.from({ length: SEEDS }, (_, i) => SEED_START + i);
  for (const seed of seeds) {
    for (const resp of [2, 3] as const) {
      it(`seed ${seed}, ${COMMANDS} commands, RESP${resp}`, async () => {
        const commands = new Generator(new Chooser(seed)).sequence(COMMANDS);
        const mismatch = await replay(servers, resp, commands);
        if (mismatch !== null && MINIMIZE) {
          const upTo = commands.slice(0, mismatch.index + 1);
          const small = await minimize(servers, resp, upTo);
          const last = await replay(servers, resp, small);
          const detail = last === null ? 'no longer fails' : `ours ${JSON.stringify(last.ours)} theirs ${JSON.stringify(last.theirs)}`;
          console.log(`seed ${seed} RESP${resp} minimized (${detail}):\n${small.map(show).join('\n')}`);
        }
        const where = mismatch === null ? '' : `seed ${seed} step ${mismatch.index}: ${show(mismatch.command)}`;
        expect(mismatch?.ours, where).toBe(mismatch?.theirs);
      }, 120_000);
    }
  }
});

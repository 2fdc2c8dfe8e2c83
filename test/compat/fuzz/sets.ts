// Set commands for the differential fuzzer. Replies listing a hash table's members come in its
// dict order, which differs between servers (Redis seeds its hash function per process), so
// compare.ts compares them sorted, and they are not queued in MULTI (EXEC's reply would mix
// them with the others). SPOP and SRANDMEMBER only with counts whose reply is the whole set
// (the member pool is smaller than 100) or none: their other forms are random picks.

import { SET_KEYS, type Command, type FuzzContext } from './chooser.js';

// Integers (intset: 16/32/64-bit), integer-like text that is not canonical (never in an
// intset), short strings, one long member, and a NUL inside one whose C-string prefix no other
// member shares (SORT ALPHA compares with strcoll, which stops at a NUL: two members equal to
// it would tie, and ties keep a hash table's order).
export const SET_MEMBERS = [
  '1', '2', '3', '0', '-5', '100', '40000', '-2147483649', '9223372036854775807', '-9223372036854775808',
  '9223372036854775808', '01', '+1', '-0', ' 1', 'a', 'b', 'c', 'd', '', 'm'.repeat(70), 'z\x00\xff',
];
const SMALL_MEMBERS = SET_MEMBERS.slice(0, 8);
const PATTERNS = ['*', '1*', '?', '[ab]', '-*', 'm*', '*0*'];

function member(ctx: FuzzContext): string {
  return ctx.c.chance(0.6) ? ctx.c.pick(SMALL_MEMBERS) : ctx.c.pick(SET_MEMBERS);
}

function members(ctx: FuzzContext, min: number, max: number): string[] {
  const n = ctx.c.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(member(ctx));
  return out;
}

function keys(ctx: FuzzContext, min: number, max: number): string[] {
  const n = ctx.c.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(ctx.key(SET_KEYS));
  return out;
}

export function setCommand(ctx: FuzzContext): Command {
  const c = ctx.c;
  const k = ctx.key(SET_KEYS);
  // Unordered reads are replaced by a count inside MULTI.
  const read = (cmd: Command): Command => (ctx.inMulti ? ['SCARD', k] : cmd);
  switch (c.int(0, 27)) {
    case 0: case 1: case 2: case 3: return ['SADD', k, ...members(ctx, 1, 5)];
    case 4: case 5: return ['SREM', k, ...members(ctx, 1, 3)];
    case 6: return ['SCARD', k];
    case 7: return ['SISMEMBER', k, member(ctx)];
    case 8: return ['SMISMEMBER', k, ...members(ctx, 1, 4)];
    case 9: case 10: return read(['SMEMBERS', k]);
    case 11: return read([c.pick(['SINTER', 'SUNION', 'SDIFF']), k, ...keys(ctx, 0, 2)]);
    case 12: case 13: return [c.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), ctx.key(SET_KEYS), k, ...keys(ctx, 0, 2)];
    case 14: {
      const ks = [k, ...keys(ctx, 0, 2)];
      const numkeys = c.chance(0.94) ? String(ks.length) : c.pick(['0', '-1', 'x', String(ks.length + 1)]);
      const limit = c.chance(0.4) ? ['LIMIT', c.pick(['0', '1', '2', '5', '-1', 'x'])] : [];
      return ['SINTERCARD', numkeys, ...ks, ...limit];
    }
    case 15: case 16: return ['SMOVE', k, ctx.key(SET_KEYS), member(ctx)];
    case 17: return read(['SPOP', k, c.pick(['100', '100', '0', '-1', 'x'])]);
    case 18: return read(['SRANDMEMBER', k, c.pick(['100', '0', '-9223372036854775808', 'x'])]);
    case 19: {
      const opts: string[] = [];
      if (c.chance(0.4)) opts.push('MATCH', c.pick(PATTERNS));
      opts.push('COUNT', c.chance(0.95) ? '100' : c.pick(['0', 'x']));
      // Cursor 0 or an invalid one: any other cursor starts a hash table's scan at a bucket
      // whose members depend on the table's seed.
      return read(['SSCAN', k, c.chance(0.95) ? '0' : c.pick(['x', '1.5', '']), ...opts]);
    }
    case 20: case 21: return ['OBJECT', 'ENCODING', k];
    case 22: return ['SADD', k, ...c.several(['1', '2', '3', '4', '5', '6', '-1', '7'], 1, 4)];
    case 23: return ['SISMEMBER', k, c.pick(['1', '01', 'a', '9223372036854775808'])];
    case 24: return ['SCARD', k];
    case 25: return read(['SMEMBERS', k]);
    default: return ['SREM', k, c.pick(SMALL_MEMBERS)];
  }
}

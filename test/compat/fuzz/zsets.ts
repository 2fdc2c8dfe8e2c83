// Sorted-set commands for the differential fuzzer: every reply is ordered (by score, then
// member) except ZSCAN of a skiplist-encoded set (its dict order; compare.ts sorts it, and it
// is not queued in MULTI) and ZRANDMEMBER, generated only with counts covering the whole set
// (the member pool is smaller than 100) or none. Scores cover Redis's formatting edges. Lex
// ranges over several scores are left out where Redis's answer is random (see lexRangeKey).

import { blockTimeout, SET_KEYS, ZSET_KEYS, type Command, type FuzzContext } from './chooser.js';
import { lexRangeKey } from './compare.js';

// The NUL sits after a prefix no other member has: SORT ... ALPHA compares with strcoll, which
// stops at a NUL, and ties keep the order SORT read the members in, a sorted set's dict order.
const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', '', '1', 'longer-member', 'm'.repeat(70), 'z\x00\xff'];
const SMALL_MEMBERS = MEMBERS.slice(0, 6);
// Formatting edges: %.17g of tiny, huge and inexact values, signed zero, integers past 2^53.
const SCORES = [
  '0', '1', '-1', '2', '3', '1.5', '-2.5', '10', '0.1', '-0', '1e308', '-1e308', 'inf', '-inf', '+inf', '1e-300',
  '5e-324', '1.7976931348623157e308', '123456789012345678', '3.0000000000000004', '1e15', '0.30000000000000004',
];
const BAD_SCORES = ['nan', 'x', '', '1e400', '0x10', '1 ', '--1'];
const SCORE_BOUNDS = ['-inf', '+inf', 'inf', '0', '1', '(1', '2', '(2', '-1', '1.5', '(0', '1e308', '(inf', '(-inf', '(5e-324'];
const BAD_SCORE_BOUNDS = ['x', '(', 'nan', '(nan', '[1', '', ' 1', '1e400'];
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[c', '(c', '[', '(', '[d', '[m', '(longer', '[\x00'];
const BAD_LEX_BOUNDS = ['a', 'x', '*', '1', ''];
const RANKS = ['0', '1', '2', '-1', '-2', '3', '5', '-100', '100', '9223372036854775807', '-9223372036854775808'];
const WEIGHTS = ['1', '2', '0', '-1', '0.5', 'inf', '-inf', '1e308'];

export class ZsetCommands {
  constructor(private readonly ctx: FuzzContext) {}

  private member(): string {
    const c = this.ctx.c;
    return c.chance(0.7) ? c.pick(SMALL_MEMBERS) : c.pick(MEMBERS);
  }

  private score(): string {
    const c = this.ctx.c;
    if (c.chance(0.04)) return c.pick(BAD_SCORES);
    return c.chance(0.6) ? c.pick(SCORES.slice(0, 8)) : c.pick(SCORES);
  }

  private scoreBound(): string {
    const c = this.ctx.c;
    return c.chance(0.04) ? c.pick(BAD_SCORE_BOUNDS) : c.pick(SCORE_BOUNDS);
  }

  private lexBound(): string {
    const c = this.ctx.c;
    return c.chance(0.04) ? c.pick(BAD_LEX_BOUNDS) : c.pick(LEX_BOUNDS);
  }

  private rank(): string {
    const c = this.ctx.c;
    return c.chance(0.03) ? c.pick(['x', '1.5', '']) : c.pick(RANKS);
  }

  private limit(): string[] {
    const c = this.ctx.c;
    if (!c.chance(0.3)) return [];
    return ['LIMIT', c.pick(['0', '1', '2', '-1', '10']), c.pick(['1', '2', '0', '-1', '-5', '100', 'x'])];
  }

  /** Source keys of ZUNION/ZINTER/ZDIFF: sorted sets, and sets now and then (score 1). */
  private sources(): string[] {
    const c = this.ctx.c;
    const n = c.int(1, 3);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(c.chance(0.15) ? c.pick(SET_KEYS) : this.ctx.key(ZSET_KEYS));
    return out;
  }

  private numkeys(keys: string[]): string {
    const c = this.ctx.c;
    return c.chance(0.95) ? String(keys.length) : c.pick(['0', '-1', 'x', String(keys.length + 1)]);
  }

  /** WEIGHTS and AGGREGATE (not for ZDIFF) and WITHSCORES (not for the STORE forms). */
  private setOpOptions(keys: string[], weighted: boolean, withScores: boolean): string[] {
    const c = this.ctx.c;
    const opts: string[] = [];
    if (weighted && c.chance(0.35)) {
      opts.push('WEIGHTS');
      const n = c.chance(0.95) ? keys.length : keys.length + c.pick([-1, 1]);
      for (let i = 0; i < n; i++) opts.push(c.chance(0.95) ? c.pick(WEIGHTS) : c.pick(['x', 'nan']));
    }
    if (weighted && c.chance(0.35)) opts.push('AGGREGATE', c.chance(0.95) ? c.pick(['SUM', 'MIN', 'MAX', 'sum']) : 'AVG');
    if (withScores && c.chance(0.5)) opts.push('WITHSCORES');
    if (c.chance(0.02)) opts.push(c.pick(['WEIGHTS', 'AGGREGATE', 'BOGUS']));
    return opts;
  }

  /** ZRANGE's and ZRANGESTORE's range and options, in one of the three forms. */
  private rangeArgs(): string[] {
    const c = this.ctx.c;
    const form = c.int(0, 2);
    const rev = c.chance(0.3) ? ['REV'] : [];
    if (form === 0) return [this.rank(), this.rank(), ...rev, ...(c.chance(0.05) ? this.limit() : [])];
    if (form === 1) return [this.scoreBound(), this.scoreBound(), 'BYSCORE', ...rev, ...this.limit()];
    return [this.lexBound(), this.lexBound(), 'BYLEX', ...rev, ...this.limit()];
  }

  command(): Command {
    const cmd = this.build();
    // A lex range is skipped when it would read a skiplist of several scores (compare.ts), a
    // check made before it runs: in MULTI it would run later, on whatever the queue left.
    return this.ctx.inMulti && lexRangeKey(cmd) !== null ? ['ZCARD', cmd[1]] : cmd;
  }

  private build(): Command {
    const ctx = this.ctx;
    const c = ctx.c;
    const k = ctx.key(ZSET_KEYS);
    const withScores = (): string[] => (c.chance(0.5) ? ['WITHSCORES'] : []);
    switch (c.int(0, 44)) {
      case 0: case 1: case 2: case 3: case 4: {
        const flags: string[] = [];
        if (c.chance(0.2)) flags.push(c.pick(['NX', 'XX']));
        if (c.chance(0.2)) flags.push(c.pick(['GT', 'LT']));
        if (c.chance(0.2)) flags.push('CH');
        const incr = c.chance(0.15);
        if (incr) flags.push('INCR');
        if (c.chance(0.03)) flags.push(c.pick(['NX', 'XX', 'GT', 'LT', 'INCR']));
        const n = incr && c.chance(0.9) ? 1 : c.int(1, 4);
        const pairs: string[] = [];
        for (let i = 0; i < n; i++) pairs.push(this.score(), this.member());
        if (c.chance(0.03)) pairs.push(this.score());
        return ['ZADD', k, ...flags, ...pairs];
      }
      case 5: case 6: return ['ZINCRBY', k, this.score(), this.member()];
      case 7: return ['ZSCORE', k, this.member()];
      case 8: return ['ZMSCORE', k, ...c.several(MEMBERS, 1, 3)];
      case 9: return ['ZCARD', k];
      case 10: return ['ZCOUNT', k, this.scoreBound(), this.scoreBound()];
      case 11: return ['ZLEXCOUNT', k, this.lexBound(), this.lexBound()];
      case 12: return [c.pick(['ZRANK', 'ZREVRANK']), k, this.member()];
      case 13: case 14: case 15: return ['ZRANGE', k, ...this.rangeArgs(), ...withScores()];
      case 16: return [c.pick(['ZRANGEBYSCORE', 'ZREVRANGEBYSCORE']), k, this.scoreBound(), this.scoreBound(), ...withScores(), ...this.limit()];
      case 17: return [c.pick(['ZRANGEBYLEX', 'ZREVRANGEBYLEX']), k, this.lexBound(), this.lexBound(), ...this.limit()];
      case 18: return ['ZREVRANGE', k, this.rank(), this.rank(), ...withScores()];
      case 19: case 20: return ['ZRANGESTORE', ctx.key(ZSET_KEYS), k, ...this.rangeArgs()];
      case 21: return ['ZREM', k, ...c.several(MEMBERS, 1, 3)];
      case 22: return ['ZREMRANGEBYRANK', k, this.rank(), this.rank()];
      case 23: return ['ZREMRANGEBYSCORE', k, this.scoreBound(), this.scoreBound()];
      case 24: return ['ZREMRANGEBYLEX', k, this.lexBound(), this.lexBound()];
      case 25: case 26: {
        const keys = this.sources();
        const op = c.pick(['ZUNION', 'ZINTER', 'ZDIFF']);
        return [op, this.numkeys(keys), ...keys, ...this.setOpOptions(keys, op !== 'ZDIFF', true)];
      }
      case 27: case 28: {
        const keys = this.sources();
        const op = c.pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
        return [op, ctx.key(ZSET_KEYS), this.numkeys(keys), ...keys, ...this.setOpOptions(keys, op !== 'ZDIFFSTORE', false)];
      }
      case 29: {
        const keys = this.sources();
        const limit = c.chance(0.4) ? ['LIMIT', c.pick(['0', '1', '2', '-1', 'x'])] : [];
        return ['ZINTERCARD', this.numkeys(keys), ...keys, ...limit];
      }
      case 30: case 31: {
        const count = c.chance(0.5) ? [] : [c.pick(['0', '1', '2', '3', '10', '-1', 'x'])];
        return [c.pick(['ZPOPMIN', 'ZPOPMAX']), k, ...count];
      }
      case 32: return [c.pick(['BZPOPMIN', 'BZPOPMAX']), k, ...c.some(ZSET_KEYS, 2), blockTimeout(ctx)];
      case 33: case 34: {
        const keys = [k, ...c.some(ZSET_KEYS, 2)];
        const count = c.chance(0.5) ? ['COUNT', c.pick(['1', '2', '5', '0', '-1', 'x'])] : [];
        const where = c.chance(0.97) ? c.pick(['MIN', 'MAX', 'min']) : 'LEFT';
        const head = c.chance(0.3) ? ['BZMPOP', blockTimeout(ctx)] : ['ZMPOP'];
        return [...head, this.numkeys(keys), ...keys, where, ...count];
      }
      case 35: return ['ZRANDMEMBER', k, c.pick(['100', '0', '-9223372036854775808', 'x']), ...withScores()];
      case 36: {
        if (ctx.inMulti) return ['ZCARD', k];
        const opts = c.chance(0.3) ? ['MATCH', c.pick(['*', 'a*', '?', '[ab]', 'm*'])] : [];
        return ['ZSCAN', k, '0', ...opts, 'COUNT', '100'];
      }
      case 37: case 38: return ['OBJECT', 'ENCODING', k];
      case 39: {
        // Options in any order and number, repeated or clashing: the parser's own checks.
        const opts = c.some(['BYSCORE', 'BYLEX', 'REV', 'WITHSCORES', 'LIMIT', c.pick(RANKS), c.pick(RANKS)], 4);
        const bounds = opts.includes('BYLEX') ? LEX_BOUNDS : opts.includes('BYSCORE') ? SCORE_BOUNDS : RANKS;
        const store = c.chance(0.3) ? ['ZRANGESTORE', ctx.key(ZSET_KEYS)] : ['ZRANGE'];
        return [...store, k, c.pick(bounds), c.pick(bounds), ...opts];
      }
      case 40: return ['ZINCRBY', k, c.pick(['inf', '-inf', '1e308', '-1e308', '1.7976931348623157e308']), this.member()];
      case 41: return ['ZADD', k, c.pick(['INCR', 'GT', 'LT', 'NX']), c.pick(['inf', '-inf', '1e308', '5e-324']), this.member()];
      case 42: return ['ZSCORE', k, c.pick(SMALL_MEMBERS)];
      default: return ['ZRANGE', k, '-inf', '+inf', 'BYSCORE', ...withScores()];
    }
  }
}

// Stream commands for the differential fuzzer. IDs are always explicit (or ms-* with the
// sequence filled in), never '*', so every reply is deterministic. Replies that carry the clock
// (idle times, delivery and seen times) are masked by compare.ts, and those commands are not
// queued in MULTI, where the masks would have to reach into EXEC's reply.

import { blockTimeout, STREAM_KEYS, type Command, type FuzzContext } from './chooser.js';

const FIELDS = ['f', 'g', 'name', '', '1', '-5', 'x'.repeat(70)];
const VALUES = ['v', '1', '0', '-1', '12345678901', '', 'hello world', '9223372036854775808', '1.5', 'y'.repeat(100)];
const GROUPS = ['g1', 'g1', 'g2'];
const CONSUMERS = ['alice', 'bob', 'carol'];

// Idle thresholds far from any gap between two commands of a run: hours, or 0.
const MIN_IDLE = ['0', '0', '0', '3600000', '-1', 'x'];

export class StreamCommands {
  // The top millisecond of generated IDs moves on so most XADDs succeed; now and then an
  // older, equal or bad ID is picked on purpose.
  private ms = 1;

  constructor(private readonly ctx: FuzzContext) {}

  private id(): string {
    const c = this.ctx.c;
    const roll = c.float();
    if (roll < 0.4) return `${c.int(0, this.ms + 2)}-${c.int(0, 3)}`;
    if (roll < 0.55) return String(c.int(0, this.ms + 2));
    if (roll < 0.62) return c.pick(['0-0', '0', '0-1', '18446744073709551615-18446744073709551615', '18446744073709551615', 'x', '1-x', '-1', '1-']);
    return `${c.int(Math.max(0, this.ms - 3), this.ms)}-${c.int(0, 5)}`;
  }

  /** A range bound: an ID, a partial ID, exclusive, or one of the specials. */
  private bound(low: boolean): string {
    const c = this.ctx.c;
    const roll = c.float();
    if (roll < 0.35) return low ? '-' : '+';
    if (roll < 0.45) return '(' + this.id();
    if (roll < 0.5) return c.pick(['-', '+', '(-', '(+', '($', 'x', '(18446744073709551615-18446744073709551615', '(0-0']);
    return this.id();
  }

  private newId(): string {
    const c = this.ctx.c;
    const roll = c.float();
    if (roll < 0.06) return this.id();
    this.ms += c.int(0, 2);
    if (roll < 0.3) return `${this.ms}-*`;
    if (roll < 0.4) return String(this.ms);
    return `${this.ms}-${c.int(0, 9)}`;
  }

  private pairs(): string[] {
    const c = this.ctx.c;
    const n = c.int(1, 3);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(c.pick(FIELDS), c.pick(VALUES));
    if (c.chance(0.02)) out.push(c.pick(FIELDS));
    return out;
  }

  private trim(forXtrim: boolean): string[] {
    const c = this.ctx.c;
    if (!forXtrim && c.chance(0.75)) return [];
    const strategy = c.chance(0.95) ? c.pick(['MAXLEN', 'MINID', 'maxlen']) : c.pick(['BOGUS', 'LIMIT']);
    const out = [strategy];
    const approx = c.chance(0.4);
    if (approx) out.push('~');
    else if (c.chance(0.3)) out.push('=');
    out.push(strategy.toUpperCase() === 'MINID' ? this.id() : c.pick(['0', '1', '2', '3', '5', '10', '100', '-1', 'x']));
    if (c.chance(0.25)) out.push('LIMIT', c.pick(['0', '1', '2', '10', '100', '-1', 'x']));
    if (c.chance(0.03)) out.push(c.pick(['MINID', 'MAXLEN', 'bogus']));
    return out;
  }

  private count(): string[] {
    const c = this.ctx.c;
    if (!c.chance(0.4)) return [];
    return ['COUNT', c.chance(0.9) ? c.pick(['0', '1', '2', '3', '10']) : c.pick(['-1', 'x'])];
  }

  private readIds(keys: string[]): string[] {
    const c = this.ctx.c;
    return keys.map(() => c.pick(['0', '0-0', '$', this.id(), this.id(), '+']));
  }

  command(): Command {
    const ctx = this.ctx;
    const c = ctx.c;
    const k = ctx.key(STREAM_KEYS);
    const group = c.chance(0.95) ? c.pick(GROUPS) : 'nogroup';
    const consumer = c.pick(CONSUMERS);
    switch (c.int(0, 36)) {
      case 0: case 1: case 2: case 3: case 4: {
        const opts = c.chance(0.08) ? ['NOMKSTREAM'] : [];
        return ['XADD', k, ...opts, ...this.trim(false), this.newId(), ...this.pairs()];
      }
      case 5: case 6: return ['XRANGE', k, this.bound(true), this.bound(false), ...this.count()];
      case 7: return ['XREVRANGE', k, this.bound(false), this.bound(true), ...this.count()];
      case 8: return ['XLEN', k];
      case 9: return ['XDEL', k, ...c.several([this.id(), this.id(), this.id()], 1, 3)];
      case 10: return ['XTRIM', k, ...this.trim(true)];
      case 11: {
        const keys = [k, ...c.some(STREAM_KEYS, 1)];
        const block = c.chance(0.05) ? ['BLOCK', ctx.inMulti ? c.pick(['0', '10']) : c.pick(['10', '-1', 'x'])] : [];
        return ['XREAD', ...this.count(), ...block, 'STREAMS', ...keys, ...this.readIds(keys)];
      }
      case 12: case 13: case 35: case 36: {
        const opts: string[] = [];
        if (c.chance(0.5)) opts.push('MKSTREAM');
        if (c.chance(0.2)) opts.push('ENTRIESREAD', c.pick(['0', '1', '3', '-1', '-2', 'x']));
        return ['XGROUP', 'CREATE', k, group, c.pick(['0', '$', '$', this.id()]), ...opts];
      }
      case 14: {
        const opts = c.chance(0.3) ? ['ENTRIESREAD', c.pick(['0', '2', '-1', '-3'])] : [];
        return ['XGROUP', 'SETID', k, group, c.pick(['0', '$', this.id()]), ...opts];
      }
      case 15: return c.chance(0.15) ? ['XGROUP', 'DESTROY', k, group] : ['XGROUP', 'CREATECONSUMER', k, group, consumer];
      case 16: return ['XGROUP', 'DELCONSUMER', k, group, consumer];
      case 17: case 18: case 19: {
        const opts = this.count();
        if (c.chance(0.2)) opts.push('NOACK');
        // BLOCK with '>' on a stream with nothing new waits out the timeout.
        if (c.chance(0.05)) opts.push('BLOCK', ctx.inMulti ? c.pick(['0', '10']) : c.pick(['10', '-1']));
        const keys = c.chance(0.85) ? [k] : [k, ctx.key(STREAM_KEYS)];
        const ids = keys.map(() => c.pick(['>', '>', '>', '0', '0-0', this.id(), '$']));
        return ['XREADGROUP', 'GROUP', group, consumer, ...opts, 'STREAMS', ...keys, ...ids];
      }
      case 20: case 21: return ['XACK', k, group, ...c.several([this.id(), this.id(), this.id()], 1, 3)];
      case 22: return ['XPENDING', k, group];
      case 23: {
        if (ctx.inMulti) return ['XPENDING', k, group];
        const idle = c.chance(0.3) ? ['IDLE', c.pick(MIN_IDLE)] : [];
        const tail = c.chance(0.3) ? [consumer] : [];
        return ['XPENDING', k, group, ...idle, this.bound(true), this.bound(false), c.pick(['1', '2', '10', '0', '-1', 'x']), ...tail];
      }
      case 24: case 25: {
        const opts: string[] = [];
        if (c.chance(0.2)) opts.push('IDLE', c.pick(['0', '7200000', '-5']));
        if (c.chance(0.1)) opts.push('TIME', c.pick(['1000', '4102444800000']));
        if (c.chance(0.2)) opts.push('RETRYCOUNT', c.pick(['0', '3', '-1', 'x']));
        if (c.chance(0.2)) opts.push('FORCE');
        if (c.chance(0.3)) opts.push('JUSTID');
        if (c.chance(0.1)) opts.push('LASTID', this.id());
        if (c.chance(0.02)) opts.push('BOGUS');
        return ['XCLAIM', k, group, consumer, c.pick(MIN_IDLE), ...c.several([this.id(), this.id(), '0-1', '1-0'], 1, 3), ...opts];
      }
      case 26: {
        const opts: string[] = [];
        if (c.chance(0.4)) opts.push('COUNT', c.pick(['1', '2', '10', '0', '-1', 'x']));
        if (c.chance(0.3)) opts.push('JUSTID');
        return ['XAUTOCLAIM', k, group, consumer, c.pick(MIN_IDLE), c.pick(['0', '0-0', '-', this.id()]), ...opts];
      }
      case 27: return ['XINFO', 'STREAM', k];
      case 28: {
        if (ctx.inMulti) return ['XINFO', 'STREAM', k];
        return ['XINFO', 'STREAM', k, 'FULL', ...(c.chance(0.4) ? ['COUNT', c.pick(['0', '1', '2', '-1', 'x'])] : [])];
      }
      case 29: return ['XINFO', 'GROUPS', k];
      case 30: return ctx.inMulti ? ['XINFO', 'GROUPS', k] : ['XINFO', 'CONSUMERS', k, group];
      case 31: {
        const opts: string[] = [];
        if (c.chance(0.3)) opts.push('ENTRIESADDED', c.pick(['0', '5', '100', '-1']));
        if (c.chance(0.3)) opts.push('MAXDELETEDID', this.id());
        return ['XSETID', k, c.pick([this.id(), `${this.ms}-9`, `${this.ms + 1}-0`]), ...opts];
      }
      case 32: return ['OBJECT', 'ENCODING', k];
      case 33: return ['XRANGE', k, '-', '+'];
      default: return ['XREADGROUP', 'GROUP', group, consumer, 'STREAMS', k, '>'];
    }
  }
}

// List commands for the differential fuzzer: every list command, the blocking ones only with a
// tiny timeout or where they are served at once (see blockTimeout).

import { blockTimeout, LIST_KEYS, type Command, type FuzzContext } from './chooser.js';

// Listpack integer widths (7-bit, 13-bit, 16, 24, 32, 64), strings around the 6/12-bit
// length encodings, and elements big enough to fill nodes or become plain nodes.
export const LIST_ELEMENTS = [
  'a', 'b', 'c', 'd', '', '1', '-7', '127', '128', '-4096', '4095', '32767', '-32769', '8388607', '2147483648',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '01', '1.5', ' 2', 'x'.repeat(63),
  'x'.repeat(64), 'x'.repeat(70), 'q'.repeat(4095), 'y'.repeat(5000), '\x00\r\n\xff',
];
const SMALL_ELEMENTS = LIST_ELEMENTS.slice(0, 10);
const LIST_INDEXES = ['0', '1', '2', '-1', '-2', '3', '5', '-5', '10', '-100', '100', '9223372036854775807', '-9223372036854775808', 'x', '1.0', ''];
const ENDS = ['LEFT', 'RIGHT', 'left', 'Right', 'UP'];

function element(ctx: FuzzContext): string {
  const c = ctx.c;
  // Big elements are rare: they make every later LRANGE reply long.
  return c.chance(0.93) ? c.pick(SMALL_ELEMENTS) : c.pick(LIST_ELEMENTS);
}

function elements(ctx: FuzzContext, min: number, max: number): string[] {
  const n = ctx.c.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(element(ctx));
  return out;
}

function end(ctx: FuzzContext): string {
  return ctx.c.chance(0.97) ? ctx.c.pick(ENDS.slice(0, 2)) : ctx.c.pick(ENDS);
}

/** numkeys and keys of LMPOP/BLMPOP, now and then with a wrong count. */
function mpopKeys(ctx: FuzzContext): string[] {
  const c = ctx.c;
  const keys = [ctx.key(LIST_KEYS), ...c.some(LIST_KEYS, 2)];
  if (c.chance(0.06)) return [c.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807']), ...keys];
  return [String(keys.length), ...keys];
}

function mpopTail(ctx: FuzzContext): string[] {
  const c = ctx.c;
  const tail = [end(ctx)];
  if (c.chance(0.5)) tail.push(c.pick(['COUNT', 'count']), c.pick(['1', '2', '3', '10', '0', '-1', 'x']));
  if (c.chance(0.03)) tail.push(c.pick(['COUNT', 'BOGUS']));
  return tail;
}

export function listCommand(ctx: FuzzContext): Command {
  const c = ctx.c;
  const k = ctx.key(LIST_KEYS);
  switch (c.int(0, 29)) {
    case 0: case 1: case 2: return [c.pick(['LPUSH', 'RPUSH']), k, ...elements(ctx, 1, 5)];
    case 3: return [c.pick(['LPUSHX', 'RPUSHX']), k, ...elements(ctx, 1, 3)];
    case 4: return [c.pick(['LPOP', 'RPOP']), k];
    case 5: return [c.pick(['LPOP', 'RPOP']), k, c.pick(['0', '1', '2', '3', '10', '-1', 'x', '9223372036854775807'])];
    case 6: return ['LINDEX', k, c.pick(LIST_INDEXES)];
    case 7: return ['LSET', k, c.pick(LIST_INDEXES), element(ctx)];
    case 8: return ['LINSERT', k, c.pick(['BEFORE', 'AFTER', 'before', 'BEFORE', 'AFTER', 'MIDDLE']), element(ctx), element(ctx)];
    case 9: case 10: case 11: return ['LRANGE', k, c.pick(LIST_INDEXES), c.pick(LIST_INDEXES)];
    case 12: return ['LTRIM', k, c.pick(LIST_INDEXES), c.pick(LIST_INDEXES)];
    case 13: return ['LREM', k, c.pick(['0', '1', '2', '-1', '-2', '9223372036854775807', 'x']), element(ctx)];
    case 14: case 15: {
      const opts: string[] = [];
      if (c.chance(0.4)) opts.push('RANK', c.pick(['1', '2', '-1', '-2', '0', '-9223372036854775808', '9223372036854775807', 'x']));
      if (c.chance(0.4)) opts.push('COUNT', c.pick(['0', '1', '2', '5', '-1', 'x']));
      if (c.chance(0.3)) opts.push('MAXLEN', c.pick(['0', '1', '2', '4', '-1', 'x']));
      if (c.chance(0.03)) opts.push(c.pick(['RANK', 'BOGUS']));
      return ['LPOS', k, element(ctx), ...opts];
    }
    case 16: return ['LMOVE', k, ctx.key(LIST_KEYS), end(ctx), end(ctx)];
    case 17: return ['RPOPLPUSH', k, ctx.key(LIST_KEYS)];
    case 18: return ['LMPOP', ...mpopKeys(ctx), ...mpopTail(ctx)];
    case 19: case 20: return ['LLEN', k];
    case 21: return [c.pick(['BLPOP', 'BRPOP']), k, ...c.some(LIST_KEYS, 2), blockTimeout(ctx)];
    case 22: return ['BLMOVE', k, ctx.key(LIST_KEYS), end(ctx), end(ctx), blockTimeout(ctx)];
    case 23: return ['BRPOPLPUSH', k, ctx.key(LIST_KEYS), blockTimeout(ctx)];
    case 24: return ['BLMPOP', blockTimeout(ctx), ...mpopKeys(ctx), ...mpopTail(ctx)];
    case 25: return ['OBJECT', 'ENCODING', k];
    case 26: return ['LRANGE', k, '0', '-1'];
    case 27: return ['LINSERT', k, c.pick(['BEFORE', 'AFTER']), c.pick(SMALL_ELEMENTS), c.pick(SMALL_ELEMENTS)];
    default: return [c.pick(['RPUSH', 'LPUSH']), k, ...elements(ctx, 1, 2)];
  }
}

// What blocking commands (BLPOP & co, BZPOPMIN & co, XREAD/XREADGROUP BLOCK) see of the
// blocking framework: the KeyWaiter a family implements once, the BlockingApi it blocks
// through (ctx.server.blocking), and Redis's timeout argument parsing. The framework itself,
// with the full description of its rules, is engine/blocking.ts.

import type { ClientState, CommandContext } from './context.js';
import type { Db } from '../store/db.js';
import { parseInt64, parseLongDouble } from '../util/numbers.js';

/**
 * How a blocked client gets served: one implementation per blocking family. The framework
 * calls it with the blocked client as `ctx` (its db, its reply, its command), after the command
 * that made one of its keys ready has ended, inside a propagation unit of its own.
 */
export interface KeyWaiter {
  /**
   * `key` (one of the client's keys) was signalled ready: serve the client from it now if the
   * key holds what it waits for. Returns true when the client got its final reply (the data,
   * or an error such as BLMOVE's WRONGTYPE destination); the framework then unblocks it. Returns
   * false, having replied nothing, to keep it waiting. The waiter propagates what it did with
   * ctx.alsoPropagate (the non-blocking form: BLPOP -> LPOP key) and fires its own keyspace
   * events; ctx.markDirty only where Redis counts the change.
   */
  serve(ctx: CommandContext, key: string): boolean;
  /** The deadline passed, or CLIENT UNBLOCK TIMEOUT: writes the timeout reply. */
  timedOut(ctx: CommandContext): void;
}

/** The framework as commands reach it (ctx.server.blocking). */
export interface BlockingApi {
  /**
   * Whether the running command may block its client. Not inside MULTI/EXEC or a script (Redis's
   * CLIENT_DENY_BLOCKING): there a blocking command answers as if it had timed out at once.
   */
  canBlock(client: ClientState): boolean;
  /**
   * Blocks the running command's client on `keys` of its current db until a waiter serves it,
   * `deadlineMs` (wall clock; 0 = never) passes, CLIENT UNBLOCK or a disconnect. The command
   * writes no reply; its client reads no further commands meanwhile. Duplicate keys count once.
   */
  block(ctx: CommandContext, keys: readonly string[], deadlineMs: number, waiter: KeyWaiter): void;
  /**
   * Redis's signalKeyAsReady for changes that do not go through signalModifiedKey (XGROUP
   * DESTROY): every signalModifiedKey already signals the key. Costs one comparison when nobody
   * blocks.
   */
  signalKeyAsReady(db: Db, key: string): void;
  /** CLIENT UNBLOCK: false when the client is not blocked on keys. */
  unblockClient(client: ClientState, withError: boolean): boolean;
}

const ERR_TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const ERR_TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';
const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const TWO_POW_63 = 2n ** 63n;
const LD_MANT_BITS = 64;

/**
 * Redis's getTimeoutFromObjectOrReply: a timeout in seconds (a long double: "0.1", "1e3",
 * "0x10", "inf") or milliseconds (an integer), as the absolute wall-clock deadline in ms, 0 for
 * "forever"; null after replying with Redis's error. Seconds become ms as ceill(t * 1000) in
 * x87 long double converted to long long, so anything past 2^63 ms (inf included) comes out as
 * LLONG_MIN and is "negative", while a tiny negative rounds up to 0, which blocks forever.
 */
export function timeoutArg(ctx: CommandContext, text: string, unit: 'seconds' | 'milliseconds'): number | null {
  let timeoutMs: bigint;
  if (unit === 'milliseconds') {
    const v = parseInt64(text);
    if (v === null) {
      ctx.reply.error(ERR_TIMEOUT_NOT_INTEGER);
      return null;
    }
    timeoutMs = BigInt(v);
  } else {
    const quick = parseInt64(text);
    if (quick !== null) {
      timeoutMs = BigInt(quick) * 1000n;
      if (timeoutMs >= TWO_POW_63) timeoutMs = -TWO_POW_63;
    } else {
      const seconds = parseLongDouble(text);
      if (seconds === null) {
        ctx.reply.error(ERR_TIMEOUT_NOT_FLOAT);
        return null;
      }
      timeoutMs = seconds.inf ? -TWO_POW_63 : ceilMilliseconds(seconds.neg, seconds.mant, seconds.exp);
    }
  }
  if (timeoutMs < 0n) {
    ctx.reply.error(ERR_TIMEOUT_NEGATIVE);
    return null;
  }
  if (timeoutMs === 0n) return 0;
  // Redis adds the current time in int64; a sum past 2^63 wraps into a deadline never reached.
  return Date.now() + Number(timeoutMs);
}

/** (long long) ceill(x * 1000.0) for x = ±mant * 2^exp, with the product rounded to 64 bits. */
function ceilMilliseconds(neg: boolean, mant: bigint, exp: number): bigint {
  let product = mant * 1000n;
  let e = exp;
  const bits = product.toString(2).length;
  if (product !== 0n && bits > LD_MANT_BITS) {
    const drop = BigInt(bits - LD_MANT_BITS);
    let kept = product >> drop;
    const rest = product - (kept << drop);
    const half = 1n << (drop - 1n);
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
    product = kept;
    e += Number(drop);
  }
  let whole: bigint;
  if (e >= 0) {
    // Far beyond 2^63 the exact value does not matter: it converts to LLONG_MIN.
    if (e > 80) return -TWO_POW_63;
    whole = product << BigInt(e);
  } else if (-e > 80) {
    // |x| < 1: the ceiling is 1 for a positive fraction, (-)0 for a negative one.
    return product === 0n || neg ? 0n : 1n;
  } else {
    const shift = BigInt(-e);
    whole = product >> shift;
    // Ceiling: a positive fraction rounds up, a negative one toward zero.
    if (!neg && (whole << shift) !== product) whole += 1n;
  }
  const signed = neg ? -whole : whole;
  return signed >= TWO_POW_63 || signed < -TWO_POW_63 ? -TWO_POW_63 : signed;
}

// The count argument of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER (t_set.c / t_hash.c / t_zset.c):
// a C long in [-LONG_MAX, LONG_MAX], and for the pair-replying commands (WITHVALUES,
// WITHSCORES) one whose doubled reply length cannot overflow.

import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { INT64_MIN, parseInt64 } from '../util/numbers.js';

const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_VALUE_OUT_OF_RANGE = 'ERR value is out of range';
const HALF_LONG_MAX = 4611686018427387903n;

/**
 * The count as a number (beyond 2^53 it loses precision, but no such reply could be produced
 * anyway); null after the error reply.
 */
export function randomCountArg(ctx: CommandContext, text: string): number | null {
  const parsed = parseInt64(text);
  if (parsed === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  // Only INT64_MIN itself is out of a C long's symmetric range.
  if (typeof parsed === 'bigint' && parsed === INT64_MIN) {
    ctx.reply.error(ERR_COUNT_RANGE);
    return null;
  }
  return Number(parsed);
}

/**
 * HRANDFIELD key count [WITHVALUES] / ZRANDMEMBER key count [WITHSCORES]: the count, and whether
 * `keyword` was given; null after the error reply.
 */
export function randomCountWithPairsArgs(ctx: CommandContext, argv: readonly string[], keyword: string): { count: number; pairs: boolean } | null {
  const count = randomCountArg(ctx, argv[2]);
  if (count === null) return null;
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], keyword))) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  const pairs = argv.length === 4;
  // Pairs double the reply length, which must not overflow.
  if (pairs && (BigInt(argv[2]) < -HALF_LONG_MAX || BigInt(argv[2]) > HALF_LONG_MAX)) {
    ctx.reply.error(ERR_VALUE_OUT_OF_RANGE);
    return null;
  }
  return { count, pairs };
}

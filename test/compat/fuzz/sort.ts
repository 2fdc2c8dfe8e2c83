// SORT and SORT_RO for the differential fuzzer, over lists, sets and sorted sets, with BY and
// GET patterns that reach the string and hash pools (element '1' -> key 's1', hash 'h1').
// BY nosort of a hashtable set replies in dict order: compare.ts compares such replies
// sorted, and they get no LIMIT (a window over a random order) and are not queued in MULTI.
//
// A numeric sort that reads its weights as text (list elements, BY patterns that find a value)
// fails in redis-server whenever errno still holds ERANGE from an earlier command (sort.c tests
// errno after strtod without clearing it; a subnormal score parsed by ZADD leaves it set), so
// Redis may refuse a sort that is valid. compare.ts accepts that error from redis-server
// alone, and numeric sorts neither STORE (the two servers' data would part) nor go in MULTI.

import { LIST_KEYS, SET_KEYS, ZSET_KEYS, type Command, type FuzzContext } from './chooser.js';

const BY = ['s*', 'h*->f1', 'h*->num', 'nosuch*', 'nosort', 's*->f1', '*', 'l*'];
const GET = ['#', 's*', 'h*->f1', 'h*->num', 'nosuch*', 'h*->', '*->f1'];

export function sortCommand(ctx: FuzzContext): Command {
  const c = ctx.c;
  const pool = c.pick([LIST_KEYS, SET_KEYS, ZSET_KEYS]);
  const k = ctx.key(pool);
  const ro = c.chance(0.2);
  const args: string[] = [ro ? 'SORT_RO' : 'SORT', k];
  const alpha = ctx.inMulti || c.chance(0.5);
  let by: string | null = null;
  // In MULTI only the ALPHA sort of the elements themselves: EXEC's reply is compared exactly.
  if (!ctx.inMulti && c.chance(0.4)) {
    by = c.pick(BY);
    args.push('BY', by);
  }
  // STORE only where the stored order is fixed: an ALPHA sort of the elements themselves, or
  // BY nosort (which Redis turns into one for a set when storing). Weighted ALPHA sorts leave
  // ties in the order SORT read the value, a set's or a sorted set's being its dict's.
  const storable = (alpha && by === null) || by === 'nosort';
  // No LIMIT with BY nosort (a window over a dict's order). A window over ALPHA weights keeps
  // its ties in pqsort's order, from the order SORT read the value in: fixed for a list or an
  // intset, compared only as far as compare.ts can for a dict.
  if (by !== 'nosort' && c.chance(0.3)) args.push('LIMIT', c.pick(['0', '1', '2', '-1']), c.pick(['1', '2', '5', '0', '-1', 'x']));
  const gets = c.chance(0.35) ? c.int(1, 3) : 0;
  for (let i = 0; i < gets; i++) args.push('GET', c.pick(GET));
  if (c.chance(0.3)) args.push(c.pick(['ASC', 'DESC', 'desc']));
  if (alpha) args.push('ALPHA');
  if (!ro && storable && c.chance(0.25)) args.push('STORE', ctx.key(LIST_KEYS));
  if (c.chance(0.02)) args.push(c.pick(['BOGUS', 'LIMIT', 'GET', 'STORE']));
  return args;
}

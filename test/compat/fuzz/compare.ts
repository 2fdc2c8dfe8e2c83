// How the fuzzer compares two replies to one command. Byte for byte, except where Redis itself
// is not deterministic: the clock (TTLs, idle and delivery times) and hash-table iteration
// order (a hashtable-encoded set's members, SSCAN/ZSCAN of a dict: Redis seeds its hash
// function at random per process, so two redis-servers disagree too).

import { replyEnd } from '../../helpers/resp.js';
import type { Command } from './chooser.js';

const TTL_TOLERANCE: Record<string, bigint> = { TTL: 1n, EXPIRETIME: 1n, PTTL: 1000n, PEXPIRETIME: 1000n };

/** Two TTL-like replies: both non-negative integers within the tolerance. */
function ttlClose(tolerance: bigint, ours: string, theirs: string): boolean {
  const a = /^:(\d+)\r\n$/.exec(ours);
  const b = /^:(\d+)\r\n$/.exec(theirs);
  if (a === null || b === null) return false;
  // BigInt: an expiry near INT64_MAX ms is past the exact range of doubles.
  const difference = BigInt(a[1]) - BigInt(b[1]);
  return difference <= tolerance && difference >= -tolerance;
}

/** The elements of an aggregate reply as raw RESP text, with its header; null if not one. */
function splitAggregate(reply: string): { header: string; items: string[] } | null {
  if (!/^[*~%]/.test(reply)) return null;
  const buf = Buffer.from(reply, 'latin1');
  const headerEnd = buf.indexOf('\r\n') + 2;
  const header = reply.slice(0, headerEnd);
  const count = Number(reply.slice(1, headerEnd - 2));
  if (count < 0) return { header, items: [] };
  const items: string[] = [];
  let pos = headerEnd;
  while (pos < buf.length) {
    const next = replyEnd(buf, pos);
    items.push(reply.slice(pos, next));
    pos = next;
  }
  return { header, items };
}

/** An unordered reply in a canonical order: its elements sorted (SCAN: the page's elements). */
export function sortedReply(cmd: Command, reply: string): string {
  const top = splitAggregate(reply);
  if (top === null) return reply;
  const name = cmd[0].toUpperCase();
  if (name === 'SSCAN' || name === 'ZSCAN' || name === 'HSCAN') {
    if (top.items.length !== 2) return reply;
    return top.header + top.items[0] + sortedReply(['SMEMBERS'], top.items[1]);
  }
  return top.header + [...top.items].sort().join('');
}

// Replies whose order is a hash table's when the value is hashtable-encoded.
const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SPOP', 'SRANDMEMBER', 'SSCAN', 'ZSCAN']);
// Of those, the single-key reads: in order (and so compared exactly) while the value is
// compact (intset, listpack), which the caller checks with OBJECT ENCODING.
export const ORDERED_WHEN_COMPACT = new Set(['SMEMBERS', 'SRANDMEMBER', 'SSCAN', 'ZSCAN', 'SORT', 'SORT_RO']);

/** SORT leaving ties (or everything) in the order it read the value: a set's and (unless BY
 * nosort) a sorted set's are their dicts'. */
function sortKeepsValueOrder(cmd: Command): boolean {
  let by: string | null = null;
  let alpha = false;
  for (let i = 2; i < cmd.length; i++) {
    const word = cmd[i].toUpperCase();
    if (word === 'BY' && i + 1 < cmd.length) by = cmd[++i];
    else if (word === 'ALPHA') alpha = true;
    else if (word === 'GET' || word === 'STORE') i++;
    else if (word === 'LIMIT') i += 2;
  }
  if (by === null) return false;
  // BY nosort sorts nothing; an ALPHA sort by weights finds every missing or equal weight equal
  // (sortCompare answers 0, a numeric sort then compares the elements themselves).
  return by.toLowerCase() === 'nosort' || alpha;
}

export function unordered(cmd: Command): boolean {
  const name = cmd[0].toUpperCase();
  if (name === 'SORT' || name === 'SORT_RO') return sortKeepsValueOrder(cmd);
  return UNORDERED.has(name);
}

/**
 * A command whose keyspace events come in a value's own order: SORT looks the BY and GET
 * patterns up per element (keymiss events) in the order it holds them, a set's being its
 * dict's. Their events are compared as a multiset.
 */
export function eventsUnordered(cmd: Command): boolean {
  const name = cmd[0].toUpperCase();
  if (name !== 'SORT' && name !== 'SORT_RO') return false;
  for (let i = 2; i + 1 < cmd.length; i++) {
    const word = cmd[i].toUpperCase();
    if ((word === 'BY' || word === 'GET') && cmd[i + 1].includes('*')) return true;
  }
  return false;
}

/** A window (LIMIT) over a reply in a value's own order: for a hash table, random members. */
export function windowed(cmd: Command): boolean {
  return cmd.some((a) => a.toUpperCase() === 'LIMIT');
}

const LEX_READS = new Set(['ZRANGEBYLEX', 'ZREVRANGEBYLEX', 'ZLEXCOUNT', 'ZREMRANGEBYLEX']);

/**
 * The sorted set a lex-range command reads, or null. On a skiplist whose scores differ, such a
 * range (unspecified by Redis: lex ranges assume equal scores) depends on where the search
 * descends, which follows each node's random level: the caller skips those commands.
 */
export function lexRangeKey(cmd: Command): string | null {
  const name = cmd[0].toUpperCase();
  if (LEX_READS.has(name)) return cmd[1] ?? null;
  const bylex = cmd.some((a) => a.toUpperCase() === 'BYLEX');
  if (bylex && name === 'ZRANGE') return cmd[1] ?? null;
  if (bylex && name === 'ZRANGESTORE') return cmd[2] ?? null;
  return null;
}

// XPENDING's extended form: [id, consumer, idle ms, deliveries] per entry.
const PENDING_IDLE = /(\*4\r\n\$\d+\r\n[^\r\n]*\r\n\$\d+\r\n[^\r\n]*\r\n):\d+\r\n/g;
// XINFO CONSUMERS: each consumer's idle ms.
const CONSUMER_IDLE = /(\$4\r\nidle\r\n):\d+\r\n/g;
// XINFO STREAM FULL: seen-time and delivery times are unix ms (13 digits in this century).
const UNIX_MS = /:\d{13}\r\n/g;

/** The reply with the clock's readings masked, for the stream commands that show them. */
export function maskClock(cmd: Command, reply: string): string {
  const name = cmd[0].toUpperCase();
  if (name === 'XPENDING') return reply.replace(PENDING_IDLE, '$1:<idle>\r\n');
  if (name !== 'XINFO' || cmd.length < 3) return reply;
  const sub = cmd[1].toUpperCase();
  if (sub === 'CONSUMERS') return reply.replace(CONSUMER_IDLE, '$1:<idle>\r\n');
  if (sub === 'STREAM') return reply.replace(UNIX_MS, ':<unix ms>\r\n');
  return reply;
}

const SORT_CONVERSION = "-ERR One or more scores can't be converted into double\r\n";

/** redis-server's stale errno (see fuzz/sort.ts) can only add this error to a valid sort. */
export function sortRefusedByErrno(cmd: Command, ours: string, theirs: string): boolean {
  const name = cmd[0].toUpperCase();
  return (name === 'SORT' || name === 'SORT_RO') && theirs === SORT_CONVERSION && !ours.startsWith('-');
}

/** Equal replies, allowing for the clock; the caller handles unordered replies. */
export function repliesMatch(cmd: Command, ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const name = cmd[0].toUpperCase();
  const tolerance = TTL_TOLERANCE[name];
  if (tolerance !== undefined) return ttlClose(tolerance, ours, theirs);
  return maskClock(cmd, ours) === maskClock(cmd, theirs);
}

/**
 * One propagated argument pair agrees: equal, or readings of the clock (absolute unix ms a
 * relative expiry became, XCLAIM's TIME) a few seconds apart, or RESTORE payloads (each server
 * restored the other's DUMP, equal in content, not always in layout).
 */
function propagatedArgMatch(argv: string[], i: number, a: string, b: string): boolean {
  if (a === b) return true;
  if (argv[0].toUpperCase() === 'RESTORE' && i === 3) return true;
  if (!/^\d{12,19}$/.test(a) || !/^\d{12,19}$/.test(b)) return false;
  const difference = BigInt(a) - BigInt(b);
  return difference <= CLOCK_TOLERANCE_MS && difference >= -CLOCK_TOLERANCE_MS;
}

const CLOCK_TOLERANCE_MS = 5000n;

/** Two servers' propagated commands agree, argument by argument. */
export function propagatedMatch(ours: string[][], theirs: string[][]): boolean {
  if (ours.length !== theirs.length) return false;
  for (let c = 0; c < ours.length; c++) {
    const a = ours[c];
    const b = theirs[c];
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!propagatedArgMatch(b, i, a[i], b[i])) return false;
  }
  return true;
}

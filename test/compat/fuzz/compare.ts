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
export const ORDERED_WHEN_COMPACT = new Set(['SMEMBERS', 'SRANDMEMBER', 'SSCAN', 'ZSCAN']);

export function unordered(cmd: Command): boolean {
  return UNORDERED.has(cmd[0].toUpperCase());
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

/** Equal replies, allowing for the clock; the caller handles unordered replies. */
export function repliesMatch(cmd: Command, ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const name = cmd[0].toUpperCase();
  const tolerance = TTL_TOLERANCE[name];
  if (tolerance !== undefined) return ttlClose(tolerance, ours, theirs);
  return maskClock(cmd, ours) === maskClock(cmd, theirs);
}

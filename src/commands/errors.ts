// Redis's shared error replies (server.c createSharedObjects) and argument parsing helpers that
// reply with them. A helper that fails has already written the error; callers just return.

import type { ReplyWriter } from '../protocol/writer.js';
import { parseInt64 } from '../util/numbers.js';

export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_NO_SUCH_KEY = 'ERR no such key';
export const ERR_DB_INDEX = 'ERR DB index is out of range';
export const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_OUT_OF_RANGE = 'ERR index out of range';

/**
 * Redis's addReplyErrorArity text, for argument counts the arity check cannot catch (odd
 * field/value lists, PING's upper bound). `fullName` is "hset" or "client|kill".
 */
export function errWrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

/** An int64 argument; replies ERR_NOT_INTEGER (or `error`) and returns null when invalid. */
export function intArg(reply: ReplyWriter, text: string, error = ERR_NOT_INTEGER): number | bigint | null {
  const v = parseInt64(text);
  if (v === null) reply.error(error);
  return v;
}

/** An integer argument that must fit a JS number exactly (counts, indexes, offsets). */
export function safeIntArg(reply: ReplyWriter, text: string, error = ERR_NOT_INTEGER): number | null {
  const v = parseInt64(text);
  if (v === null) {
    reply.error(error);
    return null;
  }
  // Beyond 2^53 precision is lost but ordering is kept, which is all range-like arguments need.
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Case-insensitive comparison against an upper-case keyword, without allocating. */
export function isKeyword(arg: string, upperKeyword: string): boolean {
  if (arg.length !== upperKeyword.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== upperKeyword.charCodeAt(i)) return false;
  }
  return true;
}

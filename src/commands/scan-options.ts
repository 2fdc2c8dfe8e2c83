// What SCAN, HSCAN, SSCAN and ZSCAN share: the cursor argument and the COUNT / MATCH / TYPE
// options, parsed as db.c's parseScanCursorOrReply and scanGenericCommand do, and the reply of a
// per-key scan.

import type { CommandContext } from './context.js';
import { ERR_SYNTAX, isKeyword, safeIntArg } from './errors.js';
import { parseScanCursor } from '../store/cursors.js';
import { globMatch } from '../util/glob.js';

const ERR_INVALID_CURSOR = 'ERR invalid cursor';
/** Redis's default COUNT: how many slots (not results) one call walks. */
const DEFAULT_SCAN_COUNT = 10;

export interface ScanOptions {
  /** How many entries one call walks (COUNT). */
  count: number;
  /** null when every name matches (no MATCH, or MATCH *). */
  pattern: string | null;
  /** Lower-case type name to keep (SCAN's TYPE), or null. */
  type: string | null;
}

/** The cursor argument in canonical decimal form; null after replying "invalid cursor". */
export function scanCursorArg(ctx: CommandContext, text: string): string | null {
  const cursor = parseScanCursor(text);
  if (cursor === null) ctx.reply.error(ERR_INVALID_CURSOR);
  return cursor;
}

/**
 * The options from argv[from...] as name/value pairs; TYPE only where `allowType` (Redis takes
 * it for the keyspace SCAN alone, the per-key scans call it a syntax error). Null after an
 * error reply.
 */
export function parseScanOptions(ctx: CommandContext, argv: readonly string[], from: number, allowType: boolean): ScanOptions | null {
  const options: ScanOptions = { count: DEFAULT_SCAN_COUNT, pattern: null, type: null };
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i];
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(opt, 'COUNT')) {
      const count = countArg(ctx, argv[i + 1]);
      if (count === null) return null;
      options.count = count;
    } else if (hasValue && isKeyword(opt, 'MATCH')) {
      const pattern = argv[i + 1];
      // "*" matches everything: the same as no pattern, and cheaper.
      options.pattern = pattern === '*' ? null : pattern;
    } else if (hasValue && allowType && isKeyword(opt, 'TYPE')) {
      options.type = argv[i + 1].toLowerCase();
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return options;
}

/** COUNT's value: an integer (else "not an integer") of at least 1 (else a syntax error). */
function countArg(ctx: CommandContext, text: string): number | null {
  const count = safeIntArg(ctx.reply, text);
  if (count === null) return null;
  if (count < 1) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  return count;
}

/**
 * HSCAN/SSCAN/ZSCAN (db.c's scanGenericCommand for one key): cursor, then the key (`lookup`
 * replies WRONGTYPE with null), an empty scan of a missing key, the options, then `collect`
 * pushes what the cursor's step finds and `matches` keeps (pairs for hashes and sorted sets)
 * and returns the next cursor.
 */
export function keyScan<T>(
  ctx: CommandContext,
  argv: readonly string[],
  lookup: (ctx: CommandContext, key: string) => T | null | undefined,
  collect: (value: T, cursor: string, count: number, matches: (name: string) => boolean, found: string[]) => string,
): void {
  const cursor = scanCursorArg(ctx, argv[2]);
  if (cursor === null) return;
  const value = lookup(ctx, argv[1]);
  if (value === null) return;
  const r = ctx.reply;
  if (value === undefined) {
    r.arrayLength(2);
    r.bulk('0');
    r.arrayLength(0);
    return;
  }
  const options = parseScanOptions(ctx, argv, 3, false);
  if (options === null) return;
  const pattern = options.pattern;
  const matches = pattern === null ? matchAll : (name: string): boolean => globMatch(pattern, name);
  const found: string[] = [];
  const next = collect(value, cursor, options.count, matches, found);
  r.arrayLength(2);
  r.bulk(next);
  r.bulkArray(found);
}

function matchAll(): boolean {
  return true;
}

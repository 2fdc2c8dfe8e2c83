// A script's return value written as the caller's reply (Redis's luaReplyToRedisReply): strings
// are bulk strings, numbers integers (truncated), true 1 and false a null in RESP2 (booleans in
// RESP3 when the script chose redis.setresp(3)), tables {err=...}, {ok=...}, {double=...},
// {big_number=...}, {verbatim_string=...}, {map=...}, {set=...} or an array read from t[1] up to
// the first nil; anything else (nil, functions, userdata) a null.

import type { ReplyWriter } from '../protocol/writer.js';
import { LuaTable, type LuaValue, numberToString } from './lua/value.js';

/**
 * Nesting at which Redis's Lua stack check fails while it converts a reply: a value that deep
 * answers "ERR reached lua stack limit" in its place (a self-referencing table ends that way).
 */
export const MAX_REPLY_NESTING = 7995;

/** What an error table carries (Redis's errorInfo). */
export interface ScriptErrorInfo {
  message: string;
  source: string | null;
  line: string | null;
  ignoreStats: boolean;
}

/** Redis's luaExtractErrorInformation over an error table. */
export function errorInfoOf(table: LuaTable): ScriptErrorInfo {
  const err = table.getString('err');
  const source = table.getString('source');
  const line = table.getString('line');
  const ignore = table.getString('ignore_error_stats_update');
  return {
    message: luaStringOf(err) ?? '',
    source: luaStringOf(source),
    line: luaStringOf(line),
    ignoreStats: ignore === true,
  };
}

/** lua_isstring + lua_tostring: strings and numbers ("%.14g"). */
function luaStringOf(value: LuaValue): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  return null;
}


/** C's (long long) cast of a double, as the integer reply of a Lua number. */
function truncateToInt64(value: number): number | bigint {
  if (Number.isNaN(value)) return -9223372036854775808n;
  const truncated = Math.trunc(value);
  if (Number.isSafeInteger(truncated)) return truncated;
  if (truncated >= 9223372036854775807 || truncated < -9223372036854775808) return -9223372036854775808n;
  return BigInt(truncated);
}

function replaceLineBreaks(text: string): string {
  return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 ? text.replace(/[\r\n]/g, ' ') : text;
}

/**
 * Writes `value` to `out`. `scriptResp` is the protocol the script chose with redis.setresp()
 * (it decides how booleans come back in RESP2 mode); `out.resp` is the caller's. Nested tables
 * are walked with an explicit stack: a reply may nest thousands deep. Returns how many error
 * replies it wrote that the error statistics leave out (see writeErrorText).
 */
export function writeLuaReply(out: ReplyWriter, value: LuaValue, scriptResp: 2 | 3): number {
  // Most scripts return one string or number: no walk needed.
  if (typeof value === 'string') {
    out.bulk(value);
    return 0;
  }
  if (typeof value === 'number') {
    out.integer(truncateToInt64(value));
    return 0;
  }
  let uncountedErrors = 0;
  const values: LuaValue[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const next = values.pop();
    const depth = depths.pop() as number;
    if (depth >= MAX_REPLY_NESTING) {
      out.error('ERR reached lua stack limit');
      continue;
    }
    switch (typeof next) {
      case 'string':
        out.bulk(next);
        continue;
      case 'number':
        out.integer(truncateToInt64(next));
        continue;
      case 'boolean':
        if (scriptResp === 3) out.boolean(next);
        else if (next) out.integer(1);
        else out.nullBulk();
        continue;
      default:
        break;
    }
    if (next instanceof LuaTable) {
      if (writeTable(out, next, scriptResp, depth + 1, values, depths)) uncountedErrors++;
    } else {
      out.nullBulk();
    }
  }
  return uncountedErrors;
}

/**
 * Writes a table's own reply (or its aggregate header) and pushes its elements, last first, for
 * writeLuaReply to write at `childDepth`. True when it wrote an error the statistics leave out.
 */
function writeTable(out: ReplyWriter, table: LuaTable, scriptResp: 2 | 3, childDepth: number, values: LuaValue[], depths: number[]): boolean {
  const err = table.getString('err');
  if (typeof err === 'string' || typeof err === 'number') {
    const info = errorInfoOf(table);
    return writeErrorText(out, info.message, info.ignoreStats);
  }
  const ok = table.getString('ok');
  if (typeof ok === 'string' || typeof ok === 'number') {
    out.simple(replaceLineBreaks(luaStringOf(ok) as string));
    return false;
  }
  const double = table.getString('double');
  if (typeof double === 'number') {
    out.double(double);
    return false;
  }
  const bigNumber = table.getString('big_number');
  if (typeof bigNumber === 'string' || typeof bigNumber === 'number') {
    out.bigNumber(replaceLineBreaks(luaStringOf(bigNumber) as string));
    return false;
  }
  const verbatim = table.getString('verbatim_string');
  if (verbatim instanceof LuaTable) {
    const format = verbatim.getString('format');
    const text = verbatim.getString('string');
    if ((typeof format === 'string' || typeof format === 'number') && (typeof text === 'string' || typeof text === 'number')) {
      out.verbatim(luaStringOf(text) as string, (luaStringOf(format) as string).slice(0, 3).padEnd(3, '\0'));
      return false;
    }
  }
  const map = table.getString('map');
  if (map instanceof LuaTable) {
    const entries = entriesOf(map);
    out.mapLength(entries.length / 2);
    for (let i = entries.length - 1; i >= 0; i--) {
      values.push(entries[i]);
      depths.push(childDepth);
    }
    return false;
  }
  const set = table.getString('set');
  if (set instanceof LuaTable) {
    const entries = entriesOf(set);
    out.setLength(entries.length / 2);
    for (let i = entries.length - 2; i >= 0; i -= 2) {
      values.push(entries[i]);
      depths.push(childDepth);
    }
    return false;
  }
  let length = 0;
  while (table.get(length + 1) !== undefined) length++;
  out.arrayLength(length);
  for (let i = length; i >= 1; i--) {
    values.push(table.get(i));
    depths.push(childDepth);
  }
  return false;
}

/**
 * Writes an error reply of "CODE message" text as it is (Redis's "-%s": no ERR added). True when
 * the statistics leave it out (a called command's error, counted when that command replied it):
 * the caller then charges its own command as failed, as Redis's afterErrorReply does.
 */
export function writeErrorText(out: ReplyWriter, message: string, ignoreStats: boolean): boolean {
  const text = trimTrailingLineBreaks(message);
  if (ignoreStats) out.errorWithoutStats(text);
  else out.error(text);
  return ignoreStats;
}

function trimTrailingLineBreaks(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 10)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Keys and values alternating, in lua_next order: the array part, then the other keys. */
function entriesOf(table: LuaTable): LuaValue[] {
  const entries: LuaValue[] = [];
  table.forEach((key, value) => {
    entries.push(key, value);
  });
  return entries;
}

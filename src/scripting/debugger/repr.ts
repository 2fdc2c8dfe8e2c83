// How the script debugger shows values, as Redis's Lua debugger does (eval.c 7.0): strings
// quoted with sdscatrepr's escapes, numbers as "%g", tables as "{a; b}" when they look like an
// array and "{[k]=v; ...}" otherwise, and command replies turned from RESP into one line.

import { LuaFunction, LuaTable, LuaThread, LuaUserdata, formatG, type LuaValue } from '../lua/value.js';

/** LDB_MAX_VALUES_DEPTH: LUA_MINSTACK / 2 levels of nested tables, then a marker. */
const MAX_VALUE_DEPTH = 10;

const ESCAPES: Record<number, string> = { 0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x07: '\\a', 0x08: '\\b' };

/** sdscatrepr: the bytes (one per char code) in double quotes, escaped. */
export function quoteRepr(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes.charCodeAt(i);
    const escape = ESCAPES[code];
    if (escape !== undefined) out += escape;
    else if (code >= 0x20 && code <= 0x7e) out += bytes[i];
    else out += `\\x${(code & 0xff).toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

/** ldbCatStackValue: one line for a Lua value; `address` names a function's, table's... object. */
export function luaValueRepr(value: LuaValue, address: (object: object) => string, level = 0): string {
  if (level === MAX_VALUE_DEPTH) return '<max recursion level reached! Nested table?>';
  switch (typeof value) {
    case 'string':
      return quoteRepr(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return formatG(value, 6);
    case 'undefined':
      return 'nil';
  }
  if (value instanceof LuaTable) return tableRepr(value, address, level + 1);
  const kind = value instanceof LuaFunction ? 'function' : value instanceof LuaUserdata ? 'userdata' : value instanceof LuaThread ? 'thread' : null;
  if (kind === null) return '"<unknown-lua-type>"';
  return `"${kind}@${address(value)}"`;
}

/** Both forms are built while walking next()'s order; the array one wins if the keys were 1, 2, 3... */
function tableRepr(table: LuaTable, address: (object: object) => string, level: number): string {
  const asArray: string[] = [];
  const asMap: string[] = [];
  let isArray = true;
  let expected = 1;
  table.forEach((key, value) => {
    if (isArray && key !== expected) isArray = false;
    const shown = luaValueRepr(value, address, level);
    asArray.push(shown);
    asMap.push(`[${luaValueRepr(key, address, level)}]=${shown}`);
    expected++;
  });
  return `{${(isArray ? asArray : asMap).join('; ')}}`;
}

/**
 * ldbRedisProtocolToHuman: a RESP2 or RESP3 reply (one char per byte) as one line: integers and
 * doubles as their digits, bulk and simple strings and errors quoted, arrays in [], sets in ~(),
 * maps in {k => v}. Returns the text and where the reply ended.
 */
export function replyToHuman(reply: string, start = 0): { text: string; end: number } {
  const lineEnd = reply.indexOf('\r', start + 1);
  const header = reply.slice(start + 1, lineEnd < 0 ? reply.length : lineEnd);
  const next = lineEnd < 0 ? reply.length : lineEnd + 2;
  switch (reply[start]) {
    case ':':
      return { text: header, end: next };
    case '$': {
      const length = Number(header);
      if (length === -1) return { text: 'NULL', end: next };
      return { text: quoteRepr(reply.slice(next, next + length)), end: next + length + 2 };
    }
    case '+':
    case '-':
      return { text: quoteRepr(reply.slice(start, lineEnd < 0 ? reply.length : lineEnd)), end: next };
    case '*': {
      const count = Number(header);
      if (count === -1) return { text: 'NULL', end: next };
      return aggregate(reply, next, count, '[', ']', false);
    }
    case '~':
      return aggregate(reply, next, Number(header), '~(', ')', false);
    case '%':
      return aggregate(reply, next, Number(header), '{', '}', true);
    case '_':
      return { text: '(null)', end: next };
    case '#':
      return { text: header === 't' ? '#true' : '#false', end: next };
    case ',':
      return { text: `(double) ${header}`, end: next };
    default:
      // Redis's converter shows nothing for a type it does not know (big numbers, verbatim
      // strings) and does not move past it.
      return { text: '', end: start };
  }
}

function aggregate(reply: string, at: number, count: number, open: string, close: string, pairs: boolean): { text: string; end: number } {
  let text = open;
  let pos = at;
  for (let i = 0; i < count; i++) {
    const first = replyToHuman(reply, pos);
    text += first.text;
    pos = first.end;
    if (pairs) {
      const second = replyToHuman(reply, pos);
      text += ` => ${second.text}`;
      pos = second.end;
    }
    if (i !== count - 1) text += ',';
  }
  return { text: text + close, end: pos };
}

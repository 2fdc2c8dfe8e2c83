// Lua 5.1's string library (lstrlib.c), with its argument rules: numbers are accepted where
// strings are expected ("%.14g"), positions are C longs and counts C ints (see args.ts), negative
// positions count from the end.

import {
  type LuaRuntime,
  type LuaValue,
  EMPTY,
  LuaFunction,
  LuaTable,
  NativeFunction,
  numberToString,
  truthy,
  typeName,
} from '../value.js';
import {
  argError,
  checkFunction,
  checkInt,
  checkInteger,
  checkNumber,
  checkString,
  optInt,
  optInteger,
  toCLong,
} from './args.js';
import { checkStringLength } from './string-limit.js';
import { acquireMatcher, compilePattern, isDigitCode, type Matcher, releaseMatcher } from './lpattern.js';
import {
  FLAG_HASH,
  FLAG_MINUS,
  FLAG_PLUS,
  FLAG_SPACE,
  FLAG_ZERO,
  formatChar,
  formatFloat,
  formatSigned,
  formatString,
  formatUnsigned,
  toCUnsignedLong,
} from './printf.js';

/** LUAI_MAXCSTACK: how many values a C function may push (string.byte's results). */
const MAX_C_STACK = 8000;

/** posrelat(): a relative position, negative meaning back from the end; never below 0. */
function relativePosition(position: number, length: number): number {
  if (position < 0) position += length + 1;
  return position >= 0 ? position : 0;
}

function len(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  return [checkString(rt, args, 0, 'len').length];
}

function sub(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'sub');
  const length = s.length;
  let start = relativePosition(checkInteger(rt, args, 1, 'sub'), length);
  let end = relativePosition(optInteger(rt, args, 2, 'sub', -1), length);
  if (start < 1) start = 1;
  if (end > length) end = length;
  return [start <= end ? s.slice(start - 1, end) : ''];
}

function reverse(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'reverse');
  if (s.length > 64) return [Buffer.from(s, 'latin1').reverse().toString('latin1')];
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return [out];
}

// toupper/tolower in the "C" locale change ASCII letters only; JS's case mapping would also
// change latin1 letters (and turn some into two characters or non-latin1 ones).
const NON_ASCII = /[\x80-\xff]/;
const ASCII_UPPER_RUN = /[A-Z]+/g;
const ASCII_LOWER_RUN = /[a-z]+/g;
const toLowerRun = (run: string): string => run.toLowerCase();
const toUpperRun = (run: string): string => run.toUpperCase();

function lower(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'lower');
  return [NON_ASCII.test(s) ? s.replace(ASCII_UPPER_RUN, toLowerRun) : s.toLowerCase()];
}

function upper(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'upper');
  return [NON_ASCII.test(s) ? s.replace(ASCII_LOWER_RUN, toUpperRun) : s.toUpperCase()];
}

function rep(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'rep');
  const count = checkInt(rt, args, 1, 'rep');
  if (count <= 0 || s.length === 0) return [''];
  checkStringLength(rt, s.length * count);
  return [s.repeat(count)];
}

function byte(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'byte');
  const length = s.length;
  let first = relativePosition(optInteger(rt, args, 1, 'byte', 1), length);
  let last = relativePosition(optInteger(rt, args, 2, 'byte', first), length);
  if (first <= 0) first = 1;
  if (last > length) last = length;
  if (first > last) return EMPTY;
  const count = last - first + 1;
  if (count + args.length > MAX_C_STACK) rt.error('stack overflow (string slice too long)');
  const out: LuaValue[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = s.charCodeAt(first - 1 + i);
  return out;
}

function char(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const code = checkInt(rt, args, i, 'char');
    if ((code & 255) !== code) argError(rt, i, 'char', 'invalid value');
    out += String.fromCharCode(code);
  }
  return [out];
}

function dump(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  checkFunction(rt, args, 0, 'dump');
  // Our functions have no Lua 5.1 bytecode form (and Redis refuses to load bytecode anyway).
  return rt.error('unable to dump given function');
}

// ---------------------------------------------------------------------------------------------
// find, match, gmatch, gsub

function findAux(rt: LuaRuntime, args: LuaValue[], find: boolean): LuaValue[] {
  const fname = find ? 'find' : 'match';
  const s = checkString(rt, args, 0, fname);
  const p = checkString(rt, args, 1, fname);
  const length = s.length;
  let init = relativePosition(optInteger(rt, args, 2, fname, 1), length) - 1;
  if (init < 0) init = 0;
  else if (init > length) init = length;
  if (find && (truthy(args[3]) || compilePattern(p).plain)) {
    const at = s.indexOf(p, init);
    return at < 0 ? [undefined] : [at + 1, at + p.length];
  }
  const pattern = compilePattern(p);
  const anchor = pattern.code(0) === 94; // '^'
  const patternStart = anchor ? 1 : 0;
  const matcher = acquireMatcher(rt, s, pattern);
  try {
    let start = init;
    for (;;) {
      if (!anchor) {
        start = matcher.nextCandidate(start, patternStart);
        if (start < 0) break;
      }
      matcher.level = 0;
      const end = matcher.match(start, patternStart);
      if (end >= 0) {
        if (find) {
          const out: LuaValue[] = [start + 1, end];
          matcher.pushCaptures(out, start, end, false);
          return out;
        }
        const out: LuaValue[] = [];
        matcher.pushCaptures(out, start, end, true);
        return out;
      }
      if (anchor || start++ >= length) break;
    }
  } finally {
    releaseMatcher(matcher);
  }
  return [undefined];
}

function strFind(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  return findAux(rt, args, true);
}

function strMatch(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  return findAux(rt, args, false);
}

function gmatch(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const s = checkString(rt, args, 0, 'gmatch');
  const p = checkString(rt, args, 1, 'gmatch');
  const pattern = compilePattern(p);
  // gmatch does not anchor: a leading '^' is an ordinary character here, as in 5.1.
  let position = 0;
  const iterator = new NativeFunction('gmatch_aux', (callRt: LuaRuntime): LuaValue[] => {
    const matcher = acquireMatcher(callRt, s, pattern);
    try {
      const end = s.length;
      for (let start = position; start <= end; start++) {
        start = matcher.nextCandidate(start, 0);
        if (start < 0) break;
        matcher.level = 0;
        const matchEnd = matcher.match(start, 0);
        if (matchEnd >= 0) {
          position = matchEnd === start ? matchEnd + 1 : matchEnd;
          const out: LuaValue[] = [];
          matcher.pushCaptures(out, start, matchEnd, true);
          return out;
        }
      }
      return EMPTY;
    } finally {
      releaseMatcher(matcher);
    }
  });
  return [iterator];
}

/** add_s(): a replacement string with %0-%9 and %x escapes, for the match s..e. */
function expandReplacement(matcher: Matcher, replacement: string, s: number, e: number): string {
  let out = '';
  let from = 0;
  const length = replacement.length;
  for (;;) {
    const escape = replacement.indexOf('%', from);
    if (escape < 0) break;
    out += replacement.slice(from, escape);
    // Past the end the C code reads the string's terminating zero byte and copies it.
    const next = escape + 1 < length ? replacement.charCodeAt(escape + 1) : 0;
    if (!isDigitCode(next)) out += String.fromCharCode(next);
    else if (next === 48) out += matcher.src.slice(s, e);
    else {
      const value = matcher.capture(next - 49, s, e);
      out += typeof value === 'number' ? numberToString(value) : (value as string);
    }
    from = escape + 2;
  }
  return from === 0 ? replacement : from < length ? out + replacement.slice(from) : out;
}

function gsub(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const src = checkString(rt, args, 0, 'gsub');
  const p = checkString(rt, args, 1, 'gsub');
  const replacement = args[2];
  const maxReplacements = optInt(rt, args, 3, 'gsub', src.length + 1);
  const isText = typeof replacement === 'string' || typeof replacement === 'number';
  if (!isText && !(replacement instanceof LuaFunction) && !(replacement instanceof LuaTable)) {
    argError(rt, 2, 'gsub', 'string/function/table expected');
  }
  const replacementText = typeof replacement === 'number' ? numberToString(replacement) : typeof replacement === 'string' ? replacement : '';
  const simpleText = isText && replacementText.indexOf('%') < 0;
  const pattern = compilePattern(p);
  const anchor = pattern.code(0) === 94; // '^'
  const patternStart = anchor ? 1 : 0;
  const end = src.length;
  const matcher = acquireMatcher(rt, src, pattern);
  let out = '';
  // Characters from copyFrom up to s are kept from the source but not yet appended to out.
  let copyFrom = 0;
  let s = 0;
  let count = 0;
  try {
    while (count < maxReplacements) {
      if (!anchor) {
        // Positions where no match can start are kept as they are.
        const candidate = matcher.nextCandidate(s, patternStart);
        if (candidate < 0) {
          s = end;
          break;
        }
        s = candidate;
      }
      matcher.level = 0;
      const e = matcher.match(s, patternStart);
      if (e >= 0) {
        count++;
        let piece: string;
        if (simpleText) piece = replacementText;
        else if (isText) piece = expandReplacement(matcher, replacementText, s, e);
        else piece = replacementValue(rt, matcher, replacement, s, e);
        checkStringLength(rt, out.length + (s - copyFrom) + piece.length);
        out += src.slice(copyFrom, s) + piece;
        copyFrom = s;
        if (e > s) {
          s = e;
          copyFrom = e;
        } else if (s < end) s++;
        else break;
      } else if (s < end) s++;
      else break;
      if (anchor) break;
    }
  } finally {
    releaseMatcher(matcher);
  }
  checkStringLength(rt, out.length + end - copyFrom);
  out += src.slice(copyFrom);
  return [out, count];
}

/** add_value() for a function or table replacement. */
function replacementValue(rt: LuaRuntime, matcher: Matcher, replacement: LuaValue, s: number, e: number): string {
  let value: LuaValue;
  if (replacement instanceof LuaTable) value = rt.index(replacement, matcher.capture(0, s, e));
  else {
    const captures: LuaValue[] = [];
    matcher.pushCaptures(captures, s, e, true);
    value = rt.call(replacement, captures)[0];
  }
  if (!truthy(value)) return matcher.src.slice(s, e);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  return rt.error(`invalid replacement value (a ${typeName(value)})`);
}

// ---------------------------------------------------------------------------------------------
// format

/** sizeof(FLAGS) in lstrlib.c: five flag characters plus the terminator. */
const MAX_FLAG_CHARS = 6;

function addQuoted(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string;
    if (c === 34) escaped = '\\"';
    else if (c === 92) escaped = '\\\\';
    else if (c === 10) escaped = '\\\n';
    else if (c === 13) escaped = '\\r';
    else if (c === 0) escaped = '\\000';
    else continue;
    out += s.slice(from, i) + escaped;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

function format(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const fmt = checkString(rt, args, 0, 'format');
  const length = fmt.length;
  let out = '';
  let arg = 0;
  let literalFrom = 0;
  let i = 0;
  while (i < length) {
    if (fmt.charCodeAt(i) !== 37) {
      i++;
      continue;
    }
    out += fmt.slice(literalFrom, i);
    i++;
    if (i < length && fmt.charCodeAt(i) === 37) {
      out += '%';
      literalFrom = ++i;
      continue;
    }
    if (++arg >= args.length) argError(rt, arg, 'format', 'no value');
    // scanformat(): flags, at most two width digits, '.', at most two precision digits. The
    // C code sees a zero byte (or the end) as the end of the format string.
    const flagsStart = i;
    let flags = 0;
    for (; i < length; i++) {
      const c = fmt.charCodeAt(i);
      if (c === 45) flags |= FLAG_MINUS;
      else if (c === 43) flags |= FLAG_PLUS;
      else if (c === 32) flags |= FLAG_SPACE;
      else if (c === 35) flags |= FLAG_HASH;
      else if (c === 48) flags |= FLAG_ZERO;
      else break;
    }
    if (i - flagsStart >= MAX_FLAG_CHARS) rt.error('invalid format (repeated flags)');
    let width = 0;
    if (isDigitCode(fmt.charCodeAt(i))) width = fmt.charCodeAt(i++) - 48;
    if (isDigitCode(fmt.charCodeAt(i))) width = width * 10 + fmt.charCodeAt(i++) - 48;
    let precision = -1;
    if (fmt.charCodeAt(i) === 46) {
      i++;
      precision = 0;
      if (isDigitCode(fmt.charCodeAt(i))) precision = fmt.charCodeAt(i++) - 48;
      if (isDigitCode(fmt.charCodeAt(i))) precision = precision * 10 + fmt.charCodeAt(i++) - 48;
    }
    if (isDigitCode(fmt.charCodeAt(i))) rt.error('invalid format (width or precision too long)');
    const conversion = i < length ? fmt[i] : '\0';
    i++;
    literalFrom = i;
    let piece: string;
    switch (conversion) {
      case 'c':
        piece = cString(formatChar(checkNumber(rt, args, arg, 'format'), flags, width));
        break;
      case 'd':
      case 'i':
        piece = formatSigned(toCLong(checkNumber(rt, args, arg, 'format')), flags, width, precision);
        break;
      case 'o':
      case 'u':
      case 'x':
      case 'X':
        piece = formatUnsigned(toCUnsignedLong(checkNumber(rt, args, arg, 'format')), conversion, flags, width, precision);
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G':
        piece = formatFloat(checkNumber(rt, args, arg, 'format'), conversion, flags, width, precision);
        break;
      case 'q':
        piece = addQuoted(checkString(rt, args, arg, 'format'));
        break;
      case 's': {
        const s = checkString(rt, args, arg, 'format');
        // Without a precision a string of 100 bytes or more is kept whole (width ignored,
        // zero bytes kept); otherwise sprintf sees a C string.
        if (precision < 0 && s.length >= 100) piece = s;
        else piece = formatString(cString(s), flags, width, precision);
        break;
      }
      default:
        // luaO_pushfstring's %c of a zero byte adds nothing.
        return rt.error(`invalid option '%${conversion === '\0' ? '' : conversion}' to 'format'`);
    }
    checkStringLength(rt, out.length + piece.length);
    out += piece;
  }
  return [literalFrom === 0 ? fmt : out + fmt.slice(literalFrom)];
}

/** What a C string function sees of a Lua string: up to its first zero byte. */
function cString(s: string): string {
  const zero = s.indexOf('\0');
  return zero < 0 ? s : s.slice(0, zero);
}

// ---------------------------------------------------------------------------------------------

/** The string library; the core makes it the strings' metatable's __index (stringMetatable). */
export function openString(_rt: LuaRuntime): LuaTable {
  // luaL_register presizes the table for lstrlib's 15 entries and sets them in its order, which
  // decides pairs(string)'s order.
  const lib = new LuaTable(0, 15);
  const register = (name: string, impl: (rt: LuaRuntime, args: LuaValue[]) => LuaValue[]): NativeFunction => {
    const fn = new NativeFunction(name, impl);
    lib.set(name, fn);
    return fn;
  };
  register('byte', byte);
  register('char', char);
  register('dump', dump);
  register('find', strFind);
  register('format', format);
  // LUA_COMPAT_GFIND, on in Redis's build: gfind is gmatch itself.
  const gmatchFn = new NativeFunction('gmatch', gmatch);
  lib.set('gfind', gmatchFn);
  lib.set('gmatch', gmatchFn);
  register('gsub', gsub);
  register('len', len);
  register('lower', lower);
  register('match', strMatch);
  register('rep', rep);
  register('reverse', reverse);
  register('sub', sub);
  register('upper', upper);
  return lib;
}

/** The metatable all strings share: { __index = string library }. */
export function stringMetatable(stringLib: LuaTable): LuaTable {
  const metatable = new LuaTable();
  metatable.set('__index', stringLib);
  return metatable;
}

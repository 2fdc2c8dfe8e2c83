// Lua CJSON 2.1.0 as Redis ships it (the global `cjson`): JSON encoding and decoding of Lua values.
//
// encode: strings escape '"', '\', '/', 0x7f and control characters (\b \t \n \f \r or \u00XX);
// other bytes pass through. Numbers print with "%.14g" (encode_number_precision). A table whose
// keys are all positive integers is an array up to its largest key (holes become null) unless that
// is excessively sparse (largest key > ratio * count and > safe: an error by default); any other
// table, the empty one included, is an object whose number keys become strings. cjson.null and
// nil encode as null. Nesting is bounded by encode_max_depth (and the Lua stack).
// decode: strict JSON plus what C's strtod accepts for numbers (by default: hex, inf, nan, '+',
// leading zeros); \u escapes become UTF-8 (surrogate pairs joined); null becomes cjson.null. The
// text is read as a C string: a zero byte ends it. Nesting is bounded by decode_max_depth.
// Object members are visited in table traversal order.

import {
  type LuaRuntime,
  type LuaValue,
  LuaTable,
  LuaUserdata,
  NativeFunction,
  formatG,
  numberToString,
  typeName,
} from '../value.js';
import { argError, checkNumber, checkString } from './args.js';
import { toCInt, toInt32Truncating } from './c-numbers.js';
import { StrtodResult, strtod } from './strtod.js';
import { checkStringLength } from './string-limit.js';

/** JSON null: a light userdata holding NULL, one value shared by every cjson table. */
export const CJSON_NULL = new LuaUserdata('(nil)');

/** LUAI_MAXCSTACK: the most stack slots a C function may use; deep nesting runs out of them. */
const LUA_STACK_LIMIT_SLOTS = 8000;
const INT_MAX = 2147483647;

const INVALID_NUMBER_OPTIONS = ['off', 'on', 'null'] as const;
const BOOLEAN_OPTIONS = ['off', 'on'] as const;

/** One cjson table's settings (cjson.new() makes a table with its own). */
interface CjsonConfig {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0: refuse NaN and Inf, 1: write them (inf, -inf, nan), 2: write null. */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: number;
  /** Only reported back: a kept buffer changes nothing visible. */
  encodeKeepBuffer: number;
  encodeNumberPrecision: number;
}

function defaultConfig(): CjsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: 1,
    encodeKeepBuffer: 1,
    encodeNumberPrecision: 14,
  };
}

// ===== encoding =====

/** The escape of each ASCII byte that needs one (undefined: written as is). */
const ESCAPES: (string | undefined)[] = [];
for (let c = 0; c < 32; c++) ESCAPES[c] = `\\u${c.toString(16).padStart(4, '0')}`;
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[47] = '\\/';
ESCAPES[92] = '\\\\';
ESCAPES[127] = '\\u007f';
const NEEDS_ESCAPE = /[\x00-\x1f"/\\\x7f]/;

function quote(rt: LuaRuntime, text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let result = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) continue;
    const escape = ESCAPES[c];
    if (escape === undefined) continue;
    // Escapes grow a string up to sixfold, past what a string can hold for a huge one.
    checkStringLength(rt, result.length + (i - start) + escape.length);
    result += text.slice(start, i) + escape;
    start = i + 1;
  }
  return result + text.slice(start) + '"';
}

/** A table being written: its array length, or -1 while it is written as an object. */
class OpenTable {
  /** Next array index (arrays), or next traversal slot (objects: LuaTable.slotValue). */
  position = 0;
  first = true;

  constructor(
    readonly table: LuaTable,
    readonly arrayLength: number,
    readonly slots: number,
  ) {}
}

class JsonEncoder {
  out = '';
  /** The value of the member nextMember() has just written the key of. */
  private memberValue: LuaValue = undefined;

  constructor(
    readonly rt: LuaRuntime,
    readonly cfg: CjsonConfig,
  ) {}

  private fail(value: LuaValue, reason: string): never {
    return this.rt.error(`Cannot serialise ${typeName(value)}: ${reason}`);
  }

  /** Appends to the output; shared subtables or sparse arrays can make it outgrow any string. */
  private write(text: string): void {
    checkStringLength(this.rt, this.out.length + text.length);
    this.out += text;
  }

  number(n: number): string {
    if (n - n !== 0) {
      // NaN or an infinity
      if (this.cfg.encodeInvalidNumbers === 0) this.fail(n, 'must not be NaN or Inf');
      if (this.cfg.encodeInvalidNumbers === 2) return 'null';
      if (n !== n) return 'nan';
    }
    const precision = this.cfg.encodeNumberPrecision;
    return precision === 14 ? numberToString(n) : formatG(n, precision);
  }

  /** Writes a value that is not a table. */
  private scalar(value: Exclude<LuaValue, LuaTable>): void {
    switch (typeof value) {
      case 'string':
        this.write(quote(this.rt, value));
        return;
      case 'number':
        this.write(this.number(value));
        return;
      case 'boolean':
        this.write(value ? 'true' : 'false');
        return;
      case 'undefined':
        this.write('null');
        return;
      default:
        if (value === CJSON_NULL) this.write('null');
        else this.fail(value, 'type not supported');
    }
  }

  /**
   * The array length of `t` as lua-cjson judges it, or -1 for an object. Its largest key is held
   * in a C int: keys from 2^31 on store INT_MIN there, which makes the table an object.
   */
  private arrayLength(t: LuaTable): number {
    let max = 0;
    let items = 0;
    const count = t.slotCount;
    for (let slot = 0; slot < count; slot++) {
      if (t.slotValue(slot) === undefined) continue;
      const key = t.slotKey(slot);
      if (typeof key !== 'number' || !(key >= 1 && Math.floor(key) === key)) return -1;
      if (key > max) max = toInt32Truncating(key);
      items++;
    }
    const cfg = this.cfg;
    if (cfg.encodeSparseRatio > 0 && max > Math.imul(items, cfg.encodeSparseRatio) && max > cfg.encodeSparseSafe) {
      if (cfg.encodeSparseConvert === 0) this.fail(t, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  /**
   * Opens table `t` at nesting `depth`. `slots` counts the Lua stack slots the C encoder holds
   * there (the argument, then per level the element, or the key and value), which caps nesting
   * even when encode_max_depth is raised.
   */
  private open(t: LuaTable, depth: number, slots: number): OpenTable {
    if (depth > this.cfg.encodeMaxDepth || slots + 3 > LUA_STACK_LIMIT_SLOTS) {
      this.rt.error(`Cannot serialise, excessive nesting (${depth})`);
    }
    const length = this.arrayLength(t);
    const open = new OpenTable(t, length > 0 ? length : -1, slots);
    if (length > 0) {
      open.position = 1;
      this.write('[');
    } else {
      this.write('{');
    }
    return open;
  }

  /** Writes an object's next key (and its colon); returns false when the object has no more. */
  private nextMember(open: OpenTable): boolean {
    const t = open.table;
    const count = t.slotCount;
    while (open.position < count && t.slotValue(open.position) === undefined) open.position++;
    if (open.position >= count) return false;
    const key = t.slotKey(open.position);
    const value = t.slotValue(open.position++);
    if (!open.first) this.write(',');
    open.first = false;
    if (typeof key === 'string') this.write(quote(this.rt, key) + ':');
    else if (typeof key === 'number') this.write(`"${this.number(key)}":`);
    else this.fail(key, 'table key must be a number or string');
    this.memberValue = value;
    return true;
  }

  /**
   * Encodes `value`. Tables are walked with an explicit stack rather than recursion, as nesting may
   * go thousands deep.
   */
  encode(value: LuaValue): void {
    if (!(value instanceof LuaTable)) {
      this.scalar(value);
      return;
    }
    const stack: OpenTable[] = [this.open(value, 1, 1)];
    while (stack.length > 0) {
      const open = stack[stack.length - 1];
      let child: LuaValue;
      let childSlots: number;
      if (open.arrayLength > 0) {
        if (open.position > open.arrayLength) {
          this.write(']');
          stack.pop();
          continue;
        }
        if (open.position > 1) this.write(',');
        child = open.table.get(open.position++);
        childSlots = open.slots + 1;
      } else {
        if (!this.nextMember(open)) {
          this.write('}');
          stack.pop();
          continue;
        }
        child = this.memberValue;
        childSlots = open.slots + 2;
      }
      if (child instanceof LuaTable) stack.push(this.open(child, stack.length + 1, childSlots));
      else this.scalar(child);
    }
  }
}

// ===== decoding =====

const T_OBJ_BEGIN = 0;
const T_OBJ_END = 1;
const T_ARR_BEGIN = 2;
const T_ARR_END = 3;
const T_STRING = 4;
const T_NUMBER = 5;
const T_BOOLEAN = 6;
const T_NULL = 7;
const T_COLON = 8;
const T_COMMA = 9;
const T_END = 10;
const T_ERROR = 12;
/** The token names lua-cjson prints in its errors, by token type. */
const TOKEN_NAMES = [
  'T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON',
  'T_COMMA', 'T_END', 'T_WHITESPACE', 'T_ERROR',
];

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** UTF-8 of a code point (at most 0x10FFFF here) as latin1 characters, one per byte. */
function utf8(codePoint: number): string {
  if (codePoint <= 0x7f) return String.fromCharCode(codePoint);
  if (codePoint <= 0x7ff) return String.fromCharCode(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
  if (codePoint <= 0xffff) {
    return String.fromCharCode(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
  }
  return String.fromCharCode(
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  );
}

class JsonDecoder {
  pos = 0;
  private depth = 0;
  private readonly length: number;
  // The current token.
  private type = T_END;
  private index = 0;
  private text = '';
  private number = 0;
  private boolean = false;
  private error = '';
  private readonly scanned = new StrtodResult();

  constructor(
    readonly rt: LuaRuntime,
    readonly cfg: CjsonConfig,
    readonly json: string,
  ) {
    this.length = json.length;
  }

  /** The byte at `pos`, 0 past the end (the C string's terminator). */
  private at(pos: number): number {
    return pos < this.length ? this.json.charCodeAt(pos) : 0;
  }

  private tokenError(message: string, index: number): void {
    this.type = T_ERROR;
    this.index = index;
    this.error = message;
  }

  /** lua-cjson's json_is_invalid_number: a number strtod takes but JSON does not. */
  private isInvalidNumber(pos: number): boolean {
    let p = pos;
    let c = this.at(p);
    if (c === 43) return true;
    if (c === 45) c = this.at(++p);
    if (c === 48) {
      const next = this.at(p + 1);
      return (next | 0x20) === 120 || (next >= 48 && next <= 57);
    }
    if (c <= 57) return false;
    return this.startsWithIgnoringCase(p, 'inf') || this.startsWithIgnoringCase(p, 'nan');
  }

  private startsWithIgnoringCase(pos: number, word: string): boolean {
    for (let i = 0; i < word.length; i++) {
      const c = this.at(pos + i);
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== word.charCodeAt(i)) return false;
    }
    return true;
  }

  private numberToken(): void {
    strtod(this.json, this.pos, this.scanned);
    if (this.scanned.end === this.pos) {
      this.tokenError('invalid number', this.pos);
      return;
    }
    this.type = T_NUMBER;
    this.number = this.scanned.value;
    this.pos = this.scanned.end;
  }

  /** \uXXXX (or a surrogate pair of them) at `pos`: its UTF-8, or undefined when invalid. */
  private unicodeEscape(pos: number): string | undefined {
    const json = this.json;
    let codePoint = this.hex4(pos + 2);
    if (codePoint < 0) return undefined;
    let escapeLength = 6;
    if ((codePoint & 0xf800) === 0xd800) {
      // A low surrogate first, or a high one not followed by \u and a low one, is refused.
      if (codePoint & 0x400) return undefined;
      if (json.charCodeAt(pos + 6) !== 92 || json.charCodeAt(pos + 7) !== 117) return undefined;
      const low = this.hex4(pos + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return undefined;
      codePoint = (((codePoint & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      escapeLength = 12;
    }
    this.pos = pos + escapeLength;
    return utf8(codePoint);
  }

  private hex4(pos: number): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const digit = hexDigit(this.at(pos + i));
      if (digit < 0) return -1;
      value = (value << 4) | digit;
    }
    return value;
  }

  private stringToken(): void {
    const json = this.json;
    let pos = this.pos + 1;
    let start = pos;
    let value = '';
    for (;;) {
      const c = this.at(pos);
      if (c === 34) break;
      if (c === 0) {
        this.tokenError('unexpected end of string', pos);
        return;
      }
      if (c !== 92) {
        pos++;
        continue;
      }
      value += json.slice(start, pos);
      switch (this.at(pos + 1)) {
        case 34:
          value += '"';
          break;
        case 92:
          value += '\\';
          break;
        case 47:
          value += '/';
          break;
        case 98:
          value += '\b';
          break;
        case 116:
          value += '\t';
          break;
        case 110:
          value += '\n';
          break;
        case 102:
          value += '\f';
          break;
        case 114:
          value += '\r';
          break;
        case 117: {
          const decoded = this.unicodeEscape(pos);
          if (decoded === undefined) {
            this.tokenError('invalid unicode escape code', pos);
            return;
          }
          value += decoded;
          pos = this.pos;
          start = pos;
          continue;
        }
        default:
          this.tokenError('invalid escape code', pos);
          return;
      }
      pos += 2;
      start = pos;
    }
    this.type = T_STRING;
    this.text = value + json.slice(start, pos);
    this.pos = pos + 1;
  }

  /** Reads the next token and returns its type. */
  private next(): number {
    this.readToken();
    return this.type;
  }

  private readToken(): void {
    let c = this.at(this.pos);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.at(++this.pos);
    this.index = this.pos;
    switch (c) {
      case 0:
        this.type = T_END;
        return;
      case 123:
        this.type = T_OBJ_BEGIN;
        this.pos++;
        return;
      case 125:
        this.type = T_OBJ_END;
        this.pos++;
        return;
      case 91:
        this.type = T_ARR_BEGIN;
        this.pos++;
        return;
      case 93:
        this.type = T_ARR_END;
        this.pos++;
        return;
      case 44:
        this.type = T_COMMA;
        this.pos++;
        return;
      case 58:
        this.type = T_COLON;
        this.pos++;
        return;
      case 34:
        this.stringToken();
        return;
      case 45:
      case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: // prettier-ignore
        if (this.cfg.decodeInvalidNumbers === 0 && this.isInvalidNumber(this.pos)) this.tokenError('invalid number', this.pos);
        else this.numberToken();
        return;
      case 116: // t
      case 102: // f
      case 110: // n
      case 105: // i
      case 73: // I
      case 78: // N
      case 43: // +
        break;
      default:
        this.tokenError('invalid token', this.pos);
        return;
    }
    const json = this.json;
    if (json.startsWith('true', this.pos)) {
      this.type = T_BOOLEAN;
      this.boolean = true;
      this.pos += 4;
    } else if (json.startsWith('false', this.pos)) {
      this.type = T_BOOLEAN;
      this.boolean = false;
      this.pos += 5;
    } else if (json.startsWith('null', this.pos)) {
      this.type = T_NULL;
      this.pos += 4;
    } else if (this.cfg.decodeInvalidNumbers !== 0 && this.isInvalidNumber(this.pos)) {
      this.numberToken();
    } else {
      this.tokenError('invalid token', this.pos);
    }
  }

  private unexpected(expected: string): never {
    const found = this.type === T_ERROR ? this.error : TOKEN_NAMES[this.type];
    return this.rt.error(`Expected ${expected} but found ${found} at character ${this.index + 1}`);
  }

  /**
   * One more level of nesting. `slotsNeeded` is what the C decoder asks of the Lua stack on top of
   * the `slots` already in use, so very deep input fails where it fails in Redis.
   */
  private descend(slots: number, slotsNeeded: number): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth || slots + slotsNeeded > LUA_STACK_LIMIT_SLOTS) {
      this.rt.error(`Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  /**
   * Reads "key" ':' after an object's '{' or ',' (the key's token is current) and moves to the
   * member's value.
   */
  private memberKey(): string {
    if (this.type !== T_STRING) this.unexpected('object key string');
    const key = this.text;
    if (this.next() !== T_COLON) this.unexpected('colon');
    this.next();
    return key;
  }

  /**
   * The whole text as one value. Nesting is walked with explicit stacks rather than recursion, as
   * it may go thousands deep. `slots` mirrors the Lua stack slots the C decoder holds: the text,
   * then per open array its table, per open object its table and the pending key.
   */
  decode(): LuaValue {
    const tables: LuaTable[] = [];
    const keys: (string | undefined)[] = [];
    let slots = 1;
    this.next();
    for (;;) {
      // The current token starts a value.
      let value: LuaValue;
      switch (this.type) {
        case T_STRING:
          value = this.text;
          break;
        case T_NUMBER:
          value = this.number;
          break;
        case T_BOOLEAN:
          value = this.boolean;
          break;
        case T_NULL:
          value = CJSON_NULL;
          break;
        case T_OBJ_BEGIN: {
          this.descend(slots, 3);
          const t = new LuaTable();
          if (this.next() === T_OBJ_END) {
            this.depth--;
            value = t;
            break;
          }
          const key = this.memberKey();
          tables.push(t);
          keys.push(key);
          slots += 2;
          continue;
        }
        case T_ARR_BEGIN: {
          this.descend(slots, 2);
          const t = new LuaTable();
          if (this.next() === T_ARR_END) {
            this.depth--;
            value = t;
            break;
          }
          tables.push(t);
          keys.push(undefined);
          slots += 1;
          continue;
        }
        default:
          return this.unexpected('value');
      }
      // Hand the finished value to the containers it completes, up to one that continues.
      for (;;) {
        const top = tables.length - 1;
        if (top < 0) {
          if (this.next() !== T_END) this.unexpected('the end');
          return value;
        }
        const t = tables[top];
        const key = keys[top];
        const token = this.next();
        if (key === undefined) {
          // Values are never nil (null is cjson.null), so elements fill the array part in order.
          t.arr.push(value);
          if (token === T_COMMA) {
            this.next();
            break;
          }
          if (token !== T_ARR_END) this.unexpected('comma or array end');
          slots -= 1;
        } else {
          t.set(key, value);
          if (token === T_COMMA) {
            this.next();
            keys[top] = this.memberKey();
            break;
          }
          if (token !== T_OBJ_END) this.unexpected('comma or object end');
          slots -= 2;
        }
        this.depth--;
        tables.pop();
        keys.pop();
        value = t;
      }
    }
  }
}

// ===== the module =====

/** json_arg_init: at most `count` arguments. */
function checkArgCount(rt: LuaRuntime, args: LuaValue[], count: number, fname: string): void {
  if (args.length > count) argError(rt, count, fname, 'found too many arguments');
}

/** An integer setting: its new value when given (refused outside [min, max]), else the current. */
function integerOption(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, current: number, min: number, max: number): number {
  if (args[index] === undefined) return current;
  const value = toCInt(checkNumber(rt, args, index, fname));
  // lua-cjson names argument 1 whichever argument it checks.
  if (value < min || value > max) argError(rt, 0, fname, `expected integer between ${min} and ${max}`);
  return value;
}

/** An enumerated setting (a boolean sets option 0 or 1): its new value when given, else the current. */
function enumOption(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, current: number, options: readonly string[]): number {
  const value = args[index];
  if (value === undefined) return current;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const name = checkString(rt, args, index, fname);
  const found = options.indexOf(name);
  if (found < 0) argError(rt, index, fname, `invalid option '${name}'`);
  return found;
}

/** How an enumerated setting is reported: a boolean for off/on, else the option's name. */
function enumResult(setting: number, options: readonly string[]): LuaValue {
  return setting === 0 || setting === 1 ? setting === 1 : options[setting];
}

function createCjson(): LuaTable {
  const cfg = defaultConfig();
  const lib = new LuaTable();
  const define = (name: string, impl: (rt: LuaRuntime, args: LuaValue[]) => LuaValue[]): void => {
    lib.set(name, new NativeFunction(name, impl));
  };

  define('encode', (rt, args) => {
    if (args.length !== 1) argError(rt, 0, 'encode', 'expected 1 argument');
    const encoder = new JsonEncoder(rt, cfg);
    encoder.encode(args[0]);
    return [encoder.out];
  });

  define('decode', (rt, args) => {
    if (args.length !== 1) argError(rt, 0, 'decode', 'expected 1 argument');
    const json = checkString(rt, args, 0, 'decode');
    // Only UTF-8 is supported; a zero in the first two bytes betrays UTF-16 or UTF-32.
    if (json.length >= 2 && (json.charCodeAt(0) === 0 || json.charCodeAt(1) === 0)) {
      rt.error('JSON parser does not support UTF-16 or UTF-32');
    }
    return [new JsonDecoder(rt, cfg, json).decode()];
  });

  define('encode_sparse_array', (rt, args) => {
    const fname = 'encode_sparse_array';
    checkArgCount(rt, args, 3, fname);
    cfg.encodeSparseConvert = enumOption(rt, args, 0, fname, cfg.encodeSparseConvert, BOOLEAN_OPTIONS);
    cfg.encodeSparseRatio = integerOption(rt, args, 1, fname, cfg.encodeSparseRatio, 0, INT_MAX);
    cfg.encodeSparseSafe = integerOption(rt, args, 2, fname, cfg.encodeSparseSafe, 0, INT_MAX);
    return [cfg.encodeSparseConvert === 1, cfg.encodeSparseRatio, cfg.encodeSparseSafe];
  });

  define('encode_max_depth', (rt, args) => {
    checkArgCount(rt, args, 1, 'encode_max_depth');
    cfg.encodeMaxDepth = integerOption(rt, args, 0, 'encode_max_depth', cfg.encodeMaxDepth, 1, INT_MAX);
    return [cfg.encodeMaxDepth];
  });

  define('decode_max_depth', (rt, args) => {
    checkArgCount(rt, args, 1, 'decode_max_depth');
    cfg.decodeMaxDepth = integerOption(rt, args, 0, 'decode_max_depth', cfg.decodeMaxDepth, 1, INT_MAX);
    return [cfg.decodeMaxDepth];
  });

  define('encode_number_precision', (rt, args) => {
    checkArgCount(rt, args, 1, 'encode_number_precision');
    cfg.encodeNumberPrecision = integerOption(rt, args, 0, 'encode_number_precision', cfg.encodeNumberPrecision, 1, 14);
    return [cfg.encodeNumberPrecision];
  });

  define('encode_keep_buffer', (rt, args) => {
    checkArgCount(rt, args, 1, 'encode_keep_buffer');
    cfg.encodeKeepBuffer = enumOption(rt, args, 0, 'encode_keep_buffer', cfg.encodeKeepBuffer, BOOLEAN_OPTIONS);
    return [enumResult(cfg.encodeKeepBuffer, BOOLEAN_OPTIONS)];
  });

  define('encode_invalid_numbers', (rt, args) => {
    checkArgCount(rt, args, 1, 'encode_invalid_numbers');
    cfg.encodeInvalidNumbers = enumOption(rt, args, 0, 'encode_invalid_numbers', cfg.encodeInvalidNumbers, INVALID_NUMBER_OPTIONS);
    return [enumResult(cfg.encodeInvalidNumbers, INVALID_NUMBER_OPTIONS)];
  });

  define('decode_invalid_numbers', (rt, args) => {
    checkArgCount(rt, args, 1, 'decode_invalid_numbers');
    cfg.decodeInvalidNumbers = enumOption(rt, args, 0, 'decode_invalid_numbers', cfg.decodeInvalidNumbers, BOOLEAN_OPTIONS);
    return [enumResult(cfg.decodeInvalidNumbers, BOOLEAN_OPTIONS)];
  });

  define('new', () => [createCjson()]);

  lib.set('null', CJSON_NULL);
  lib.set('_NAME', 'cjson');
  lib.set('_VERSION', '2.1.0');
  return lib;
}

export function openCjson(_rt: LuaRuntime): LuaTable {
  return createCjson();
}

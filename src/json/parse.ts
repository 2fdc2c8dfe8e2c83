// The JSON text parser: latin1 strings of UTF-8 bytes (command arguments as they arrive) into
// the document model, with the integer/float distinction JSON.parse loses. Errors are the texts
// RedisJSON replies with (serde_json's messages with their line and column), and nesting is
// bounded as there (128 levels for documents from clients).

import { JsonFloat, JsonObject, normalizeInteger, type JsonNode } from './model.js';

/** A text RedisJSON would refuse; `message` is the reply's error text. */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** RedisJSON's text for an argument that is not UTF-8. */
export const ERR_NOT_UTF8 = "Couldn't parse as UTF-8 string";

/** serde_json's recursion limit, which RedisJSON keeps for client input. */
const CLIENT_DEPTH_LIMIT = 128;
/** Loading (RDB) lifts the client limit; this bound only keeps the parser's stack safe. */
const LOAD_DEPTH_LIMIT = 10_000;

/**
 * V8 makes a slice of this many chars or more a view that keeps the whole source string alive
 * (SlicedString::kMinLength): a string kept in a document is copied out of the argument instead.
 */
const SLICE_VIEW_MIN_CHARS = 13;
/** Copies are made through this scratch buffer when they fit (no allocation but the string). */
const copyScratch = Buffer.allocUnsafe(64 * 1024);

/** Object keys up to this length are shared between documents (RedisJSON's ijson interns keys too). */
export const INTERN_MAX_KEY_CHARS = 64;
/** The shared keys; emptied when full, so a stream of distinct keys cannot grow it without bound. */
const INTERN_MAX_KEYS = 16_384;
const internedKeys = new Map<string, string>();

/**
 * `piece` as a flat string of its own: a slice of the source text or a concatenation of such
 * slices (a string with escapes) would keep the whole source alive while the document lives.
 */
function ownString(piece: string): string {
  const length = piece.length;
  if (length < SLICE_VIEW_MIN_CHARS) return piece;
  if (length > copyScratch.length) return Buffer.from(piece, 'latin1').latin1Slice(0, length);
  copyScratch.latin1Write(piece, 0);
  return copyScratch.latin1Slice(0, length);
}

/** The shared instance of a short object key. */
export function internKey(key: string): string {
  if (key.length > INTERN_MAX_KEY_CHARS) return key;
  const shared = internedKeys.get(key);
  if (shared !== undefined) return shared;
  if (internedKeys.size >= INTERN_MAX_KEYS) internedKeys.clear();
  internedKeys.set(key, key);
  return key;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/** True when the bytes of `text` are well-formed UTF-8. */
export function isUtf8(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
    else return false;
    if (i + need >= n) return false;
    for (let k = 1; k <= need; k++) {
      const d = text.charCodeAt(i + k);
      if (Number.isNaN(d) || (d & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** A code point as UTF-8 bytes in a latin1 string. */
export function utf8Char(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

class Parser {
  pos = 0;
  depth = 0;

  constructor(readonly text: string, readonly depthLimit: number) {}

  /** serde_json's "<msg> at line L column C", C counting the bytes of the line up to `index`. */
  fail(message: string, index: number): never {
    const text = this.text;
    const end = Math.min(index, text.length);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < end; i++) {
      if (text.charCodeAt(i) === 0x0a) { line++; lineStart = i + 1; }
    }
    throw new JsonSyntaxError(`${message} at line ${line} column ${end - lineStart}`);
  }

  /** An error about the byte at `pos` (serde's peek errors point one past it). */
  failHere(message: string): never {
    if (this.pos < this.text.length && this.text.charCodeAt(this.pos) >= 0x80 && !isUtf8(this.text)) throw new JsonSyntaxError(ERR_NOT_UTF8);
    return this.fail(message, this.pos + 1);
  }

  skipWhitespace(): number {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) this.pos++;
      else return c;
    }
    return -1;
  }

  parseDocument(): JsonNode {
    const c = this.skipWhitespace();
    if (c < 0) this.fail('EOF while parsing a value', this.pos);
    const value = this.parseValue(c);
    if (this.skipWhitespace() >= 0) this.failHere('trailing characters');
    return value;
  }

  parseValue(c: number): JsonNode {
    switch (c) {
      case 0x22: this.pos++; return this.parseString();
      case 0x5b: return this.parseArray();
      case 0x7b: return this.parseObject();
      case 0x6e: return this.parseIdent('null', null);
      case 0x74: return this.parseIdent('true', true);
      case 0x66: return this.parseIdent('false', false);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.failHere('expected value');
    }
  }

  parseIdent<T extends JsonNode>(word: string, value: T): T {
    const text = this.text;
    this.pos++;
    for (let i = 1; i < word.length; i++) {
      if (this.pos >= text.length) this.fail('EOF while parsing a value', this.pos);
      if (text.charCodeAt(this.pos) !== word.charCodeAt(i)) this.failHere('expected ident');
      this.pos++;
    }
    return value;
  }

  enter(): void {
    this.depth++;
    if (this.depth >= this.depthLimit) this.fail('recursion limit exceeded', this.pos + 1);
  }

  parseArray(): JsonNode[] {
    this.enter();
    this.pos++;
    const out: JsonNode[] = [];
    let c = this.skipWhitespace();
    if (c === 0x5d) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      if (c < 0) this.fail('EOF while parsing a list', this.pos);
      out.push(this.parseValue(c));
      c = this.skipWhitespace();
      if (c === 0x2c) {
        this.pos++;
        c = this.skipWhitespace();
        if (c === 0x5d) this.failHere('trailing comma');
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        this.depth--;
        // Without the spare slots pushing left (the document keeps the array).
        return out.slice();
      }
      if (c < 0) this.fail('EOF while parsing a list', this.pos);
      this.failHere('expected `,` or `]`');
    }
  }

  parseObject(): JsonObject {
    this.enter();
    this.pos++;
    const out = new JsonObject();
    let c = this.skipWhitespace();
    if (c === 0x7d) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      if (c < 0) this.fail('EOF while parsing an object', this.pos);
      if (c !== 0x22) this.failHere('key must be a string');
      this.pos++;
      const key = internKey(this.parseString());
      c = this.skipWhitespace();
      if (c < 0) this.fail('EOF while parsing an object', this.pos);
      if (c !== 0x3a) this.failHere('expected `:`');
      this.pos++;
      c = this.skipWhitespace();
      if (c < 0) this.fail('EOF while parsing a value', this.pos);
      out.set(key, this.parseValue(c));
      c = this.skipWhitespace();
      if (c === 0x2c) {
        this.pos++;
        c = this.skipWhitespace();
        if (c === 0x7d) this.failHere('trailing comma');
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        this.depth--;
        out.fitCapacity();
        return out;
      }
      if (c < 0) this.fail('EOF while parsing an object', this.pos);
      this.failHere('expected `,` or `}`');
    }
  }

  /** After the opening quote; returns the string's UTF-8 bytes as latin1. */
  parseString(): string {
    const text = this.text;
    let start = this.pos;
    let out = '';
    for (;;) {
      if (this.pos >= text.length) this.fail('EOF while parsing a string', this.pos);
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out = ownString(out + text.slice(start, this.pos));
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, this.pos);
        this.pos++;
        out += this.parseEscape();
        start = this.pos;
        continue;
      }
      if (c < 0x20) this.failHere('control character (\\u0000-\\u001F) found while parsing a string');
      if (c >= 0x80) this.utf8Sequence();
      else this.pos++;
    }
  }

  /** Steps over one UTF-8 sequence inside a string, refusing malformed ones. */
  utf8Sequence(): void {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
    else throw new JsonSyntaxError(ERR_NOT_UTF8);
    for (let k = 1; k <= need; k++) {
      const d = text.charCodeAt(this.pos + k);
      if (Number.isNaN(d) || (d & 0xc0) !== 0x80) throw new JsonSyntaxError(ERR_NOT_UTF8);
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new JsonSyntaxError(ERR_NOT_UTF8);
    this.pos += need + 1;
  }

  parseEscape(): string {
    const text = this.text;
    if (this.pos >= text.length) this.fail('EOF while parsing a string', this.pos);
    const c = text.charCodeAt(this.pos++);
    switch (c) {
      case 0x22: return '"';
      case 0x5c: return '\\';
      case 0x2f: return '/';
      case 0x62: return '\b';
      case 0x66: return '\f';
      case 0x6e: return '\n';
      case 0x72: return '\r';
      case 0x74: return '\t';
      case 0x75: {
        const n1 = this.hexEscape();
        if (n1 >= 0xdc00 && n1 <= 0xdfff) this.fail('lone leading surrogate in hex escape', this.pos);
        if (n1 < 0xd800 || n1 > 0xdbff) return utf8Char(n1);
        if (this.pos >= text.length) this.fail('EOF while parsing a string', this.pos);
        if (text.charCodeAt(this.pos) !== 0x5c) this.failHere('unexpected end of hex escape');
        this.pos++;
        if (this.pos >= text.length) this.fail('EOF while parsing a string', this.pos);
        if (text.charCodeAt(this.pos) !== 0x75) this.failHere('unexpected end of hex escape');
        this.pos++;
        const n2 = this.hexEscape();
        if (n2 < 0xdc00 || n2 > 0xdfff) this.fail('lone leading surrogate in hex escape', this.pos);
        return utf8Char(0x10000 + ((n1 - 0xd800) << 10) + (n2 - 0xdc00));
      }
      default:
        this.pos--;
        return this.failHere('invalid escape');
    }
  }

  hexEscape(): number {
    const text = this.text;
    let n = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= text.length) this.fail('EOF while parsing a string', this.pos);
      const c = text.charCodeAt(this.pos);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.failHere('invalid escape');
      this.pos++;
      n = n * 16 + d;
    }
    return n;
  }

  isDigitAt(index: number): boolean {
    const c = this.text.charCodeAt(index);
    return c >= 0x30 && c <= 0x39;
  }

  parseNumber(): JsonNode {
    const text = this.text;
    const start = this.pos;
    const negative = text.charCodeAt(this.pos) === 0x2d;
    if (negative) this.pos++;
    if (this.pos >= text.length) this.fail('EOF while parsing a value', this.pos);
    const first = text.charCodeAt(this.pos);
    if (first === 0x30) {
      this.pos++;
      if (this.isDigitAt(this.pos)) this.failHere('invalid number');
    } else if (first >= 0x31 && first <= 0x39) {
      while (this.isDigitAt(this.pos)) this.pos++;
    } else {
      this.failHere('invalid number');
    }
    let isFloat = false;
    if (text.charCodeAt(this.pos) === 0x2e) {
      isFloat = true;
      this.pos++;
      if (this.pos >= text.length) this.fail('EOF while parsing a value', this.pos);
      if (!this.isDigitAt(this.pos)) this.failHere('invalid number');
      while (this.isDigitAt(this.pos)) this.pos++;
    }
    const e = text.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      this.pos++;
      const sign = text.charCodeAt(this.pos);
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      if (this.pos >= text.length) this.fail('EOF while parsing a value', this.pos);
      if (!this.isDigitAt(this.pos)) this.failHere('invalid number');
      while (this.isDigitAt(this.pos)) this.pos++;
    }
    const literal = text.slice(start, this.pos);
    if (!isFloat) {
      // Safe integers take the fast path; others are judged exactly against the i64/u64 ranges.
      if (literal.length < 16) return Number(literal);
      const big = BigInt(literal);
      if (big <= U64_MAX && big >= I64_MIN) return normalizeInteger(big);
    }
    const value = Number(literal);
    if (!Number.isFinite(value)) this.fail('number out of range', this.pos);
    return new JsonFloat(value);
  }
}

/** Parses a client's JSON text (RedisJSON's limits: 128 levels of nesting). */
export function parseJson(text: string): JsonNode {
  return new Parser(text, CLIENT_DEPTH_LIMIT).parseDocument();
}

/** Parses a stored document (RDB): no client nesting limit. */
export function parseStoredJson(text: string): JsonNode {
  return new Parser(text, LOAD_DEPTH_LIMIT).parseDocument();
}

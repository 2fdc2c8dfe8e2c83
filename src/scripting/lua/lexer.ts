// Lua 5.1's lexical analyser (llex.c), token for token: the parser's "near '...'" texts depend on
// exactly what the scanner had buffered when the error was raised, so the scanner keeps llex's
// buffer discipline (the raw text of the last token scanned, escapes already decoded).

import { stringToNumber } from './value.js';

/** Reserved words and multi-character tokens, numbered after the 256 single-byte tokens. */
export const enum Tok {
  And = 257,
  Break,
  Do,
  Else,
  Elseif,
  End,
  False,
  For,
  Function,
  If,
  In,
  Local,
  Nil,
  Not,
  Or,
  Repeat,
  Return,
  Then,
  True,
  Until,
  While,
  Concat,
  Dots,
  Eq,
  Ge,
  Le,
  Ne,
  Number,
  Name,
  String,
  Eos,
}

const FIRST_RESERVED = Tok.And;

const TOKEN_TEXTS = [
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'if', 'in', 'local',
  'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while', '..', '...', '==', '>=',
  '<=', '~=', '<number>', '<name>', '<string>', '<eof>',
];

const RESERVED = new Map<string, number>();
for (let i = 0; i <= Tok.While - FIRST_RESERVED; i++) RESERVED.set(TOKEN_TEXTS[i], FIRST_RESERVED + i);

/** The maximum length of a source name in syntax errors (llex's MAXSRC). */
export const MAX_SOURCE_ID_SYNTAX = 80;
/** LUA_IDSIZE: the same in runtime errors. */
export const MAX_SOURCE_ID_RUNTIME = 60;

/** A syntax error: `message` is the complete positioned text Lua would report. */
export class LuaSyntaxError extends Error {}

/**
 * luaO_chunkid: "=name" shows as name, "@file" as file (its tail when too long), anything else as
 * [string "first line..."]. The C code sees the name as a C string, so it ends at a NUL byte.
 */
export function chunkId(source: string, bufferLength: number): string {
  const nul = source.indexOf('\0');
  if (nul >= 0) source = source.slice(0, nul);
  if (source.startsWith('=')) return source.slice(1, bufferLength);
  if (source.startsWith('@')) {
    const name = source.slice(1);
    const room = bufferLength - ` '...' `.length - 1;
    return name.length > room ? `...${name.slice(name.length - room)}` : name;
  }
  let length = source.search(/[\n\r]/);
  const firstLineEnd = length < 0 ? source.length : length;
  length = firstLineEnd;
  const room = bufferLength - ` [string "..."] `.length - 1;
  if (length > room) length = room;
  if (length < source.length) return `[string "${source.slice(0, length)}..."]`;
  return `[string "${source}"]`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isNewline(c: number): boolean {
  return c === 10 || c === 13;
}

const EOZ = -1;

export interface TokenValue {
  token: number;
  /** The string of a Name or String token. */
  text: string;
  /** The value of a Number token. */
  number: number;
}

export class Lexer {
  private pos = 0;
  private current: number;
  /** llex's Mbuffer: the raw characters of the token being (or last) scanned. */
  private buffer = '';
  linenumber = 1;
  /** The line of the last token consumed (luaX_next's lastline). */
  lastline = 1;
  readonly t: TokenValue = { token: Tok.Eos, text: '', number: 0 };
  readonly lookaheadToken: TokenValue = { token: Tok.Eos, text: '', number: 0 };
  private readonly sourceId: string;

  constructor(
    private readonly input: string,
    source: string,
  ) {
    this.sourceId = chunkId(source, MAX_SOURCE_ID_SYNTAX);
    this.current = input.length > 0 ? input.charCodeAt(0) : EOZ;
  }

  private advance(): void {
    this.pos++;
    this.current = this.pos < this.input.length ? this.input.charCodeAt(this.pos) : EOZ;
  }

  /** The current character, read through a call so control-flow narrowing does not stick. */
  private peek(): number {
    return this.current;
  }

  private saveAndNext(): void {
    this.buffer += String.fromCharCode(this.current);
    this.advance();
  }

  static tokenText(token: number): string {
    if (token < FIRST_RESERVED) {
      return token < 32 || token === 127 ? `char(${token})` : String.fromCharCode(token);
    }
    return TOKEN_TEXTS[token - FIRST_RESERVED];
  }

  private txtToken(token: number): string {
    if (token === Tok.Name || token === Tok.String || token === Tok.Number) return this.buffer;
    return Lexer.tokenText(token);
  }

  /** luaX_lexerror: `token` 0 means no "near" part. */
  lexError(message: string, token: number): never {
    let text = `${this.sourceId}:${this.linenumber}: ${message}`;
    if (token !== 0) text += ` near '${this.txtToken(token)}'`;
    throw new LuaSyntaxError(text);
  }

  syntaxError(message: string): never {
    return this.lexError(message, this.t.token);
  }

  next(): void {
    this.lastline = this.linenumber;
    if (this.lookaheadToken.token !== Tok.Eos) {
      this.t.token = this.lookaheadToken.token;
      this.t.text = this.lookaheadToken.text;
      this.t.number = this.lookaheadToken.number;
      this.lookaheadToken.token = Tok.Eos;
    } else {
      this.t.token = this.scan(this.t);
    }
  }

  lookahead(): void {
    this.lookaheadToken.token = this.scan(this.lookaheadToken);
  }

  private incLinenumber(): void {
    const old = this.current;
    this.advance();
    if (isNewline(this.current) && this.current !== old) this.advance();
    this.linenumber++;
  }

  private checkNext(set: string): boolean {
    if (this.current === EOZ || !set.includes(String.fromCharCode(this.current))) return false;
    this.saveAndNext();
    return true;
  }

  private readNumeral(value: TokenValue): void {
    do {
      this.saveAndNext();
    } while (isDigit(this.current) || this.current === 46);
    if (this.checkNext('Ee')) this.checkNext('+-');
    while (isAlnum(this.current) || this.current === 95) this.saveAndNext();
    const parsed = stringToNumber(this.buffer);
    // str2d accepts surrounding spaces, which cannot occur here; "inf"/"nan" cannot start a numeral.
    if (parsed === undefined) this.lexError('malformed number', Tok.Number);
    value.number = parsed;
  }

  /** skip_sep: the level of a long bracket, or -(level)-1 when it is not one. */
  private skipSep(): number {
    let count = 0;
    const s = this.current;
    this.saveAndNext();
    while (this.current === 61) {
      this.saveAndNext();
      count++;
    }
    return this.current === s ? count : -count - 1;
  }

  private readLongString(value: TokenValue | null, sep: number): void {
    this.saveAndNext();
    if (isNewline(this.current)) this.incLinenumber();
    for (;;) {
      const c = this.current;
      if (c === EOZ) {
        this.lexError(value !== null ? 'unfinished long string' : 'unfinished long comment', Tok.Eos);
      } else if (c === 91) {
        // LUA_COMPAT_LSTR 1: a nested [[ inside a level-0 long string is an error.
        if (this.skipSep() === sep) {
          this.saveAndNext();
          if (sep === 0) this.lexError('nesting of [[...]] is deprecated', 91);
        }
      } else if (c === 93) {
        if (this.skipSep() === sep) {
          this.saveAndNext();
          break;
        }
      } else if (isNewline(c)) {
        this.buffer += '\n';
        this.incLinenumber();
        if (value === null) this.buffer = '';
      } else if (value !== null) {
        this.saveAndNext();
      } else {
        this.advance();
      }
    }
    if (value !== null) value.text = this.buffer.slice(2 + sep, this.buffer.length - (2 + sep));
  }

  private readString(delimiter: number, value: TokenValue): void {
    this.saveAndNext();
    while (this.current !== delimiter) {
      const c = this.current;
      if (c === EOZ) {
        this.lexError('unfinished string', Tok.Eos);
      } else if (isNewline(c)) {
        this.lexError('unfinished string', Tok.String);
      } else if (c === 92) {
        this.advance();
        let decoded: number;
        switch (this.current) {
          case 97: decoded = 7; break;
          case 98: decoded = 8; break;
          case 102: decoded = 12; break;
          case 110: decoded = 10; break;
          case 114: decoded = 13; break;
          case 116: decoded = 9; break;
          case 118: decoded = 11; break;
          case 10:
          case 13:
            this.buffer += '\n';
            this.incLinenumber();
            continue;
          case EOZ:
            continue;
          default: {
            if (!isDigit(this.current)) {
              this.saveAndNext();
            } else {
              let i = 0;
              let code = 0;
              do {
                code = 10 * code + (this.current - 48);
                this.advance();
              } while (++i < 3 && isDigit(this.current));
              if (code > 255) this.lexError('escape sequence too large', Tok.String);
              this.buffer += String.fromCharCode(code);
            }
            continue;
          }
        }
        this.buffer += String.fromCharCode(decoded);
        this.advance();
      } else {
        this.saveAndNext();
      }
    }
    this.saveAndNext();
    value.text = this.buffer.slice(1, this.buffer.length - 1);
  }

  private scan(value: TokenValue): number {
    this.buffer = '';
    for (;;) {
      const c = this.current;
      switch (c) {
        case 10:
        case 13:
          this.incLinenumber();
          continue;
        case 45: {
          this.advance();
          if (this.current !== 45) return 45;
          this.advance();
          if (this.peek() === 91) {
            const sep = this.skipSep();
            this.buffer = '';
            if (sep >= 0) {
              this.readLongString(null, sep);
              this.buffer = '';
              continue;
            }
          }
          while (!isNewline(this.peek()) && this.peek() !== EOZ) this.advance();
          continue;
        }
        case 91: {
          const sep = this.skipSep();
          if (sep >= 0) {
            this.readLongString(value, sep);
            return Tok.String;
          }
          if (sep === -1) return 91;
          return this.lexError('invalid long string delimiter', Tok.String);
        }
        case 61:
          this.advance();
          if (this.current !== 61) return 61;
          this.advance();
          return Tok.Eq;
        case 60:
          this.advance();
          if (this.current !== 61) return 60;
          this.advance();
          return Tok.Le;
        case 62:
          this.advance();
          if (this.current !== 61) return 62;
          this.advance();
          return Tok.Ge;
        case 126:
          this.advance();
          if (this.current !== 61) return 126;
          this.advance();
          return Tok.Ne;
        case 34:
        case 39:
          this.readString(c, value);
          return Tok.String;
        case 46:
          this.saveAndNext();
          if (this.checkNext('.')) {
            if (this.checkNext('.')) return Tok.Dots;
            return Tok.Concat;
          }
          if (!isDigit(this.current)) return 46;
          this.readNumeral(value);
          return Tok.Number;
        case EOZ:
          return Tok.Eos;
        default: {
          if (isSpace(c)) {
            this.advance();
            continue;
          }
          if (isDigit(c)) {
            this.readNumeral(value);
            return Tok.Number;
          }
          if (isAlpha(c) || c === 95) {
            do {
              this.saveAndNext();
            } while (isAlnum(this.current) || this.current === 95);
            const reserved = RESERVED.get(this.buffer);
            if (reserved !== undefined) return reserved;
            value.text = this.buffer;
            return Tok.Name;
          }
          this.advance();
          return c;
        }
      }
    }
  }
}

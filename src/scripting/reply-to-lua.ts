// A command's RESP reply, as the script client's writer holds it, turned into the Lua value
// redis.call() returns (Redis's redisProtocolToLuaType): integers become numbers, bulk strings
// strings, a null bulk or null array false, statuses {ok=...}, errors {err=...}, arrays tables;
// RESP3 adds nil (null), booleans, {double=n}, {big_number=s}, {map={...}}, {set={[m]=true}},
// {verbatim_string={format=..., string=...}}; attributes are skipped.

import { LuaTable, type LuaValue } from './lua/value.js';

/** A Redis error reply as Lua sees it: "CODE message" without the leading '-'. */
export function errorTable(text: string): LuaTable {
  const table = new LuaTable();
  table.set('err', text);
  return table;
}

/**
 * Redis's luaPushErrorBuff: "-CODE msg" keeps its code, a bare message gets "ERR "; trailing
 * CR/LF are trimmed.
 */
export function errorTableFromReply(reply: string): LuaTable {
  let text: string;
  if (reply.charCodeAt(0) === 45) {
    const space = reply.indexOf(' ');
    text = space < 0 ? `ERR ${reply.slice(1)}` : `${reply.slice(1, space)} ${reply.slice(space + 1)}`;
  } else {
    text = `ERR ${reply}`;
  }
  return errorTable(trimLineEnds(text));
}

function trimLineEnds(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 13 || text.charCodeAt(start) === 10)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 10)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function singleField(field: string, value: LuaValue): LuaTable {
  const table = new LuaTable();
  table.set(field, value);
  return table;
}

/** Reads one reply from a latin1 string of RESP; the writer produced it, so it is well formed. */
class ReplyReader {
  at = 0;

  constructor(private readonly text: string) {}

  private line(): string {
    const end = this.text.indexOf('\r\n', this.at);
    const line = this.text.slice(this.at + 1, end);
    this.at = end + 2;
    return line;
  }

  private bulkBody(length: number): string {
    const value = this.text.slice(this.at, this.at + length);
    this.at += length + 2;
    return value;
  }

  read(): LuaValue {
    const type = this.text.charCodeAt(this.at);
    switch (type) {
      case 0x3a: // ':'
        return Number(this.line());
      case 0x24: {
        // '$'
        const length = Number(this.line());
        return length < 0 ? false : this.bulkBody(length);
      }
      case 0x2b: // '+'
        return singleField('ok', this.line());
      case 0x2d: {
        // '-': the line keeps its code; Redis's error table text is "CODE message".
        const line = this.line();
        const table = errorTableFromReply('-' + line);
        // The command already counted this error in the stats; the script's reply of it must not.
        table.set('ignore_error_stats_update', true);
        return table;
      }
      case 0x2a: {
        // '*'
        const count = Number(this.line());
        if (count < 0) return false;
        const table = new LuaTable();
        for (let i = 1; i <= count; i++) table.set(i, this.read());
        return table;
      }
      case 0x25: {
        // '%'
        const count = Number(this.line());
        const map = new LuaTable();
        for (let i = 0; i < count; i++) {
          const key = this.read();
          const value = this.read();
          setIfKey(map, key, value);
        }
        return singleField('map', map);
      }
      case 0x7e: {
        // '~'
        const count = Number(this.line());
        const set = new LuaTable();
        for (let i = 0; i < count; i++) setIfKey(set, this.read(), true);
        return singleField('set', set);
      }
      case 0x5f: // '_'
        this.line();
        return undefined;
      case 0x23: // '#'
        return this.line() === 't';
      case 0x2c: // ','
        return singleField('double', parseRespDouble(this.line()));
      case 0x28: // '('
        return singleField('big_number', this.line());
      case 0x3d: {
        // '=': "fmt:text"
        const length = Number(this.line());
        const body = this.bulkBody(length);
        const verbatim = new LuaTable();
        verbatim.set('string', body.slice(4));
        verbatim.set('format', body.slice(0, 3));
        return singleField('verbatim_string', verbatim);
      }
      case 0x7c: {
        // '|': attributes are not shown to scripts; the reply follows them.
        const count = Number(this.line());
        for (let i = 0; i < count * 2; i++) this.read();
        return this.read();
      }
      case 0x3e: {
        // '>': a push inside a reply cannot happen for the script client; read it as an array.
        const count = Number(this.line());
        const table = new LuaTable();
        for (let i = 1; i <= count; i++) table.set(i, this.read());
        return table;
      }
      default:
        throw new Error(`unexpected reply type byte ${type} at ${this.at}`);
    }
  }

}

/** Lua forbids nil (and NaN) keys; Redis's lua_settable would raise, a reply never has them. */
function setIfKey(table: LuaTable, key: LuaValue, value: LuaValue): void {
  if (key === undefined || (typeof key === 'number' && Number.isNaN(key))) return;
  table.set(key, value);
}

function parseRespDouble(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  if (text === 'nan' || text === '-nan') return NaN;
  return Number(text);
}

/** The Lua value of one RESP reply (latin1 text of the whole reply). */
export function replyToLua(reply: string): LuaValue {
  // The replies most scripts see (integers, bulk strings) without a reader.
  const type = reply.charCodeAt(0);
  if (type === 0x3a) return Number(reply.slice(1, reply.length - 2));
  if (type === 0x24) {
    const lineEnd = reply.indexOf('\r');
    if (lineEnd === reply.length - 2) return false;
    return reply.slice(lineEnd + 2, reply.length - 2);
  }
  return new ReplyReader(reply).read();
}

/** True when the reply is an error (redis.call raises it). */
export function isErrorReply(reply: string): boolean {
  return reply.charCodeAt(0) === 45;
}

import { describe, expect, it } from 'vitest';
import { ReplyWriter } from '../../src/protocol/writer.js';
import { replyToLua } from '../../src/scripting/reply-to-lua.js';
import { LuaTable } from '../../src/scripting/lua/value.js';

// How a script reads back the reply its command wrote: the writer's bytes taken as a number or
// as latin1 text, then turned into Lua values as Redis's redisProtocolToLuaType does.

describe('ReplyWriter read back by scripts', () => {
  it('takes a lone integer reply as a number, and leaves anything else in place', () => {
    const w = new ReplyWriter();
    w.integer(42);
    expect(w.takeSafeInteger()).toBe(42);
    expect(w.lengthBytes).toBe(0);
    w.integer(-7);
    expect(w.takeSafeInteger()).toBe(-7);
    // 16 digits may not be exact in a double accumulated digit by digit: left to the text path.
    w.integer(1234567890123456);
    expect(w.takeSafeInteger()).toBeNull();
    expect(w.takeLatin1()).toBe(':1234567890123456\r\n');
    w.bulk('v');
    expect(w.takeSafeInteger()).toBeNull();
    expect(w.takeLatin1()).toBe('$1\r\nv\r\n');
    expect(w.takeLatin1()).toBe('');
  });

  it('keeps binary bytes through the latin1 text', () => {
    const w = new ReplyWriter();
    w.bulk('\x00\xff\r\n');
    const text = w.takeLatin1();
    expect(replyToLua(text)).toBe('\x00\xff\r\n');
  });

  it('turns replies into Lua values: null bulk false, status {ok}, error {err}, arrays, RESP3 maps', () => {
    expect(replyToLua('$-1\r\n')).toBe(false);
    expect(replyToLua('*-1\r\n')).toBe(false);
    const status = replyToLua('+OK\r\n') as LuaTable;
    expect(status.get('ok')).toBe('OK');
    const error = replyToLua('-WRONGTYPE Operation against a key\r\n') as LuaTable;
    expect(error.get('err')).toBe('WRONGTYPE Operation against a key');
    expect(error.get('ignore_error_stats_update')).toBe(true);
    const array = replyToLua('*3\r\n:1\r\n$1\r\na\r\n*0\r\n') as LuaTable;
    expect([array.get(1), array.get(2), (array.get(3) as LuaTable).length()]).toEqual([1, 'a', 0]);
    const map = (replyToLua('%1\r\n$1\r\nk\r\n,1.5\r\n') as LuaTable).get('map') as LuaTable;
    expect((map.get('k') as LuaTable).get('double')).toBe(1.5);
    expect(replyToLua('_\r\n')).toBeUndefined();
    expect(replyToLua('#t\r\n')).toBe(true);
  });
});

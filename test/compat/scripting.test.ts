import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// EVAL and friends against redis-server: the conversion rules in both directions, the error
// texts (with the script's SHA and line), flags, and the redis.* API, in RESP2 and RESP3.

const ev = (script: string, ...keysAndArgs: string[]): string[] => ['EVAL', script, ...keysAndArgs];

const luaToRedis: Step[] = [
  ev('return 1', '0'), ev('return 1.9', '0'), ev('return -1.9', '0'), ev("return 'x'", '0'),
  ev('return true', '0'), ev('return false', '0'), ev('return nil', '0'), ev('return', '0'),
  ev("return {1,2,3,'ciao',{1,2}}", '0'), ev('return {1,2,nil,4}', '0'), ev('return {}', '0'),
  ev("return {err='My Error'}", '0'), ev("return {ok='fine'}", '0'), ev("return {ok='a\\r\\nb'}", '0'),
  ev("return redis.error_reply('My Error')", '0'), ev("return redis.error_reply('-CODE text')", '0'),
  ev("return redis.status_reply('FINE')", '0'), ev('return redis.error_reply(1)', '0'),
  ev('return {double=3.14}', '0'), ev("return {big_number='1234567890123456789012'}", '0'),
  ev("return {map={a=1}}", '0'), ev("return {set={a=true}}", '0'),
  ev("return {verbatim_string={format='txt', string='hi'}}", '0'),
  ev('return 1e20', '0'), ev('return -1e20', '0'), ev('return 0/0', '0'), ev('return 2^53+1', '0'),
  ev("return {1, {err='nested'}, {ok='st'}, true, false, 'x'}", '0'),
  ev('redis.setresp(3); return true', '0'), ev('redis.setresp(3); return false', '0'),
  ev('redis.setresp(3); return {double=0.5}', '0'), ev('return {true, false}', '0'),
  ev('return {1, 2, 3, nil, 5}', '0'), ev('return string.rep("x", 3)', '0'),
];

const redisToLua: Step[] = [
  ['SET', 'str', 'hello'], ['HSET', 'h', 'a', '1'], ['SADD', 's', 'm'], ['RPUSH', 'l', 'a', 'b'],
  ev("return redis.call('set', KEYS[1], 'y')", '1', 'x'), ev("return redis.call('get', KEYS[1])", '1', 'x'),
  ev("return redis.call('get', 'nokey')", '0'), ev("return type(redis.call('get', 'nokey'))", '0'),
  ev("return redis.call('incr', 'counter')", '0'), ev("return redis.call('lrange', 'l', 0, -1)", '0'),
  ev("return redis.call('hgetall', 'h')", '0'), ev("return redis.call('smembers', 's')", '0'),
  ev("return redis.pcall('incr', 'str')", '0'), ev("return type(redis.pcall('incr', 'str'))", '0'),
  ev("return redis.pcall('incr', 'str')['err']", '0'),
  ev("return redis.call('set', 'x', 'y')['ok']", '0'), ev("return redis.call('ping')", '0'),
  ev("redis.setresp(3); return type(redis.call('get', 'nokey'))", '0'),
  ev("redis.setresp(3); return redis.call('hgetall', 'h')", '0'),
  ev("redis.setresp(3); return redis.call('hgetall', 'h')['map']['a']", '0'),
  ev("redis.setresp(3); return redis.call('smembers', 's')", '0'),
  ev("redis.setresp(3); local r = redis.call('zscore', 'nozset', 'm'); return type(r)", '0'),
  ev("redis.call('zadd', 'z', 1.5, 'm'); redis.setresp(3); return redis.call('zscore', 'z', 'm')", '0'),
  ev("redis.call('zadd', 'z', 1.5, 'm'); redis.setresp(3); return redis.call('zscore', 'z', 'm')['double']", '0'),
  ev("return redis.call('set', 'n', 0.1)", '0'), ['GET', 'n'],
  ev("return redis.call('set', 'n', 12345678901)", '0'), ['GET', 'n'],
  ev("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", '2', 'k1', 'k2', 'a1', 'a2'),
  ev("redis.call('select', 1); redis.call('set', 'indb1', 'v'); return redis.call('get', 'indb1')", '0'),
  ['GET', 'indb1'], ['SELECT', '1'], ['GET', 'indb1'], ['DEL', 'indb1'], ['SELECT', '0'],
  ev("return redis.call('blpop', 'nolist', 0)", '0'), ev("return redis.call('exists', 'str', 'h', 'none')", '0'),
];

const errors: Step[] = [
  ['SET', 'str', 'hello'],
  ev("return redis.call('nosuchcommand')", '0'), ev("return redis.call('get')", '0'),
  ev("return redis.call('incr', 'str')", '0'), ev('return a', '0'), ev('a = 1', '0'),
  ev('return (', '0'), ev('return 1 +', '0'), ev("error('plain')", '0'), ev("error({err='CUSTOM x'})", '0'),
  ev("error('at zero', 0)", '0'), ev('error(1)', '0'), ev('error()', '0'),
  ev("return redis.call('set', {}, 1)", '0'), ev('return redis.call()', '0'), ev('return redis.pcall()', '0'),
  ev("return pcall(function() redis.call('nosuch') end)", '0'),
  ev("local ok, err = pcall(function() redis.call('nosuch') end); return err", '0'),
  ev("return redis.call('multi')", '0'), ev("return redis.call('eval', 'return 1', '0')", '0'),
  ev("return redis.call('subscribe', 'c')", '0'),
  ['EVAL', 'return 1'], ['EVAL', 'return 1', 'x'], ['EVAL', 'return 1', '2', 'a'], ['EVAL', 'return 1', '-1'],
  ['EVALSHA', 'abc', '0'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
  ['EVAL_RO', "return redis.call('set', 'x', 1)", '0'], ['EVALSHA_RO', 'nosha', '0'],
  ev("local t = nil; return t.x", '0'), ev("local t = {}; return t.x.y", '0'), ev('return #nil', '0'),
  ev("return 'a' + 1", '0'), ev('return {} .. "x"', '0'), ev('return 1 < "x"', '0'),
  ev("return redis.setresp(4)", '0'), ev('return redis.setresp()', '0'), ev('return redis.set_repl(99)', '0'),
  ev('return redis.log()', '0'), ev("return redis.log('x', 'y')", '0'), ev("return redis.log(99, 'y')", '0'),
  ev('return redis.sha1hex()', '0'), ev("return math.random(0)", '0'), ev('return math.random(1, 2, 3)', '0'),
  ev("return loadstring('\\27Lua')", '0'), ev("return setmetatable(_G, {})", '0'),
  ev("return redis.call('get', KEYS[1])", '1'),
];

const api: Step[] = [
  ev("return redis.sha1hex('')", '0'), ev("return redis.sha1hex('Pizza & Mandolino')", '0'),
  ev('return redis.REDIS_VERSION', '0'), ev('return redis.REDIS_VERSION_NUM', '0'),
  ev('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}', '0'),
  ev('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}', '0'),
  ev("redis.log(redis.LOG_DEBUG, 'from a test'); return 1", '0'),
  ev('return redis.replicate_commands()', '0'), ev('redis.set_repl(redis.REPL_ALL); return 1', '0'),
  ev('return redis.breakpoint()', '0'), ev('return tostring(1e15)', '0'), ev('return tostring(0.1)', '0'),
  ev('return tostring(1/0)', '0'), ev('return tostring(0/0)', '0'), ev('return tostring(-(0/0))', '0'),
  ev("return string.format('%f %g %.3f', 0/0, -(0/0), 1/0)", '0'), ev('return tostring(math.huge - math.huge)', '0'), ev("return 10/3 .. ''", '0'), ev("return tostring(-0)", '0'),
  ev('return {math.random(100), math.random(5, 10), tostring(math.random())}', '0'),
  ev("math.randomseed(42); return {math.random(1000), math.random(1000)}", '0'),
  ev("return cjson.encode({1, 2, 'x'})", '0'), ev("return cjson.decode('[1,2,{\"a\":3}]')[3].a", '0'),
  ev('return type(cjson.null)', '0'), ev("return cmsgpack.unpack(cmsgpack.pack({1,2,3}))", '0'),
  ev("return struct.pack('>I2', 258)", '0'), ev('return bit.band(0xff, 0x0f)', '0'), ev('return bit.tohex(65535)', '0'),
  ev('return type(print)', '0'), ev('return type(os)', '0'), ev('return type(io)', '0'), ev('return type(debug)', '0'),
  ev('return type(loadfile)', '0'), ev('return type(dofile)', '0'), ev('return _VERSION', '0'),
  ev('return {unpack({1, 2, 3})}', '0'), ev('return table.getn({1, 2})', '0'), ev("return select('#', 1, nil, 3)", '0'),
  ev("return string.format('%5.2f|%d|%s|%q', 3.14159, 42, 'x', 'a\\nb')", '0'),
  ev("return {string.find('hello world', 'o w')}", '0'), ev("return (string.gsub('hello', 'l', 'L'))", '0'),
];

const scriptCommands: Step[] = [
  ['SCRIPT', 'LOAD', 'return 42'], ['EVALSHA', '1fa00e76656cc152ad327c13fe365858fd7be306', '0'],
  ['EVALSHA', '1FA00E76656CC152AD327C13FE365858FD7BE306', '0'],
  ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306', 'ffffffffffffffffffffffffffffffffffffffff'],
  ['SCRIPT', 'LOAD', 'return ('], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306'],
  ['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'FLUSH', 'SYNC'], ['SCRIPT', 'FLUSH', 'X'], ['SCRIPT', 'KILL'],
  ['SCRIPT', 'NOPE'], ['SCRIPT', 'LOAD'], ['SCRIPT', 'EXISTS'],
  ev('#!lua flags=no-writes\nreturn 1', '0'), ev("#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", '0'),
  ev('#!lua flags=bad\nreturn 1', '0'), ev('#!lua\nreturn 1', '0'), ev('#!lua x=1\nreturn 1', '0'),
  ev('#!python\nreturn 1', '0'), ev('#!lua', '0'), ev('#!lua flags=\nreturn 2', '0'),
  ev('#!lua flags=no-writes,allow-oom\nreturn 3', '0'), ev("#!lua\nreturn redis.call('set', 'a', 'b')", '0'),
  ['EVAL_RO', "#!lua flags=no-writes\nreturn redis.call('get', 'a')", '0'], ['EVAL_RO', '#!lua\nreturn 1', '0'],
  ev('#!lua\nreturn x', '0'), ev('#!lua\n\nreturn (', '0'),
  { args: ['MULTI'], replies: 1 }, ev("return redis.call('incr', 'm')", '0'), ev("return redis.call('incr', 'm')", '0'),
  { args: ['EXEC'], replies: 1 },
];

/** Collects a table's keys in pairs() order (numbers and strings), as one string. */
const keysOf = "local function keys(t) local out = {} for k in pairs(t) do out[#out + 1] = tostring(k) end return table.concat(out, ',') end ";

// Tables are laid out as ltable.c lays them out, so traversal order and borders match Redis's Lua.
const tableLayout: Step[] = [
  ev(keysOf + "return keys({a = 1, b = 2, c = 3})", '0'),
  ev(keysOf + "return keys({name = 'x', age = 3, city = 'y', zip = 5, email = 'e', phone = 'p'})", '0'),
  ev(keysOf + "local t = {} for i = 1, 40 do t['key' .. i] = i end return keys(t)", '0'),
  ev(keysOf + "local t = {} for i = 1, 40 do t['key' .. i] = i end for i = 1, 40, 3 do t['key' .. i] = nil end t.extra = 1 return keys(t)", '0'),
  ev(keysOf + "return keys({1, 2, 3, x = 1, y = 2, [10] = 10, [2.5] = 'f', [-1] = 'n', [true] = 't', [false] = 'f'})", '0'),
  ev(keysOf + "local t = {} t[3] = 'c' t[1] = 'a' t[2] = 'b' t[7] = 'g' t[5] = 'e' return keys(t)", '0'),
  ev(keysOf + "local t = {} for i = 100, 1, -1 do t[i * 7] = i end return keys(t)", '0'),
  ev("return #{1, 2, nil, 4}", '0'), ev("return #{1, nil}", '0'), ev("return #{nil, nil, 3}", '0'),
  ev("local t = {1, 2, 3, 4, 5, 6, 7, 8} t[4] = nil return #t", '0'),
  ev("local t = {} t[1] = 1 t[2] = 2 t[4] = 4 return #t", '0'),
  ev("local t = {} for i = 1, 17 do t[i] = i end t[9] = nil return #t", '0'),
  ev("local t = {1, 2, 3} t[5] = 5 return #t", '0'), ev("local t = {n = 1, 1, 2, 3, nil, 5} return #t", '0'),
  ev("local function f() return 1, nil, 3, nil end return #{f()}", '0'),
  ev("local t = {} table.insert(t, 'a') table.insert(t, 'b') t[4] = 'd' table.insert(t, 'c') return t", '0'),
  ev("return #KEYS", '3', 'a', 'b', 'c'), ev("return #ARGV", '0', 'a', 'b', 'c', 'd', 'e'),
  ev("return cjson.encode({name = 'x', age = 3, city = 'y', tags = {'a', 'b'}, nested = {z = 1, y = 2, x = 3}})", '0'),
  ev("return cjson.encode(cjson.decode('{\"b\":1,\"a\":2,\"c\":{\"y\":1,\"x\":2},\"d\":[1,2]}'))", '0'),
  ev("return cmsgpack.pack({z = 1, a = 2, m = 3, [1] = 'one', [7] = 'seven'})", '0'),
  ev("local t = {a = 1, b = 2, c = 3, d = 4} local out = {} local k = next(t) while k do out[#out + 1] = k t[k] = nil k = next(t, k) end return out", '0'),
  ['HSET', 'layout:h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'],
  ev(keysOf + "redis.setresp(3) return keys(redis.call('hgetall', 'layout:h')['map'])", '0'),
  ev("return {map = {one = 1, two = 2, three = 3, four = 4}}", '0'),
  ev("return {set = {red = true, green = true, blue = true}}", '0'),
  ev(keysOf + "return keys(redis)", '0'), ev(keysOf + "return keys(string)", '0'), ev(keysOf + "return keys(table)", '0'),
  ev('return type(getfenv)', '0'), ev('return type(setfenv)', '0'), ev('return type(newproxy)', '0'),
];

describeDifferential('scripting (EVAL, SCRIPT)', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`Lua values become Redis replies as on redis-server, RESP${resp}`, async () => {
      await servers.run(luaToRedis, resp);
    });
    it(`Redis replies become Lua values as on redis-server, RESP${resp}`, async () => {
      await servers.run(redisToLua, resp);
    });
    it(`errors match, with the script's SHA and line, RESP${resp}`, async () => {
      await servers.run(errors, resp);
    });
    it(`the redis.* API and the libraries match, RESP${resp}`, async () => {
      await servers.run(api, resp);
    });
    it(`tables traverse and measure as Redis's Lua lays them out, RESP${resp}`, async () => {
      await servers.run(tableLayout, resp);
    });
    it(`SCRIPT, shebang flags and scripts in transactions match, RESP${resp}`, async () => {
      await servers.run(scriptCommands, resp);
    });
  }
});

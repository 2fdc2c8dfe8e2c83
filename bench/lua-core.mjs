// Micro benchmark of the Lua core (not a test): run after `npm run build` with
//   node bench/lua-core.mjs
// (a) a cached chunk making one native call, started and run to completion 1M times;
// (b) a numeric loop and a table-filling loop inside one chunk.
import { LuaState } from '../dist/scripting/lua/state.js';
import { openBase } from '../dist/scripting/lua/lib/base.js';
import { LuaTable, NativeFunction } from '../dist/scripting/lua/value.js';

const S = new LuaState();
openBase(S);
let counter = 0;
const redis = new LuaTable();
redis.set('call', new NativeFunction('call', (rt, args) => [++counter]));
S.globals.set('redis', redis);
const keys = new LuaTable();
keys.set(1, 'key');
S.globals.set('KEYS', keys);

function run(fn) {
  const task = S.start(fn, []);
  let r;
  while ((r = task.resume()) === null);
  return r;
}

function time(label, count, body) {
  body(Math.min(count, 10000));
  const start = process.hrtime.bigint();
  body(count);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${label}: ${(ns / 1e6).toFixed(1)} ms total, ${(ns / count).toFixed(1)} ns per iteration`);
}

const oneCall = S.load("return redis.call('incr', KEYS[1])", '@user_script');
time('(a) one-native-call chunk', 1_000_000, (n) => {
  for (let i = 0; i < n; i++) run(oneCall);
});

const loop = S.load('local s = 0 for i = 1, 10000000 do s = s + i % 7 end return s', '@user_script');
time('(b1) numeric loop, 10M iterations', 10_000_000, () => run(loop));

const fill = S.load('local t = {} for i = 1, 1000000 do t[i] = i * 2 end local h = {} for i = 1, 200000 do h["k" .. i] = i end return #t', '@user_script');
time('(b2) table fill, 1M array + 200k hash', 1_200_000, () => run(fill));

const fib = S.load('local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(27)', '@user_script');
time('(c) fib(27), Lua-to-Lua calls', 317_811 * 2, () => run(fib));

// The string, table and math libraries inside the interpreter: Lua chunks using them (method
// calls on strings, Lua callbacks from gsub/gmatch/sort, argument counting with nils, error
// positions) give what Lua 5.1 gives. Each chunk returns one string; with a Lua 5.1 installed the
// same chunks run there too ("@user_script" as chunk name, as Redis loads scripts).
import { describe, expect, it } from 'vitest';
import { openBase } from '../../../src/scripting/lua/lib/base.js';
import { openMath, reseedRandom } from '../../../src/scripting/lua/lib/math.js';
import { openString, stringMetatable } from '../../../src/scripting/lua/lib/string.js';
import { openTable } from '../../../src/scripting/lua/lib/table.js';
import { LuaState } from '../../../src/scripting/lua/state.js';
import { LuaError } from '../../../src/scripting/lua/value.js';
import { hasLua51, luaLiteral, runLua51 } from './fake-runtime.js';

function newState(): LuaState {
  const S = new LuaState();
  openBase(S);
  const string = openString(S);
  S.globals.set('string', string);
  S.setStringMetatable(stringMetatable(string));
  S.globals.set('table', openTable(S));
  S.globals.set('math', openMath(S));
  return S;
}

function runChunk(source: string): string {
  const S = newState();
  try {
    const task = S.start(S.load(source, '@user_script'), []);
    for (;;) {
      const results = task.resume();
      if (results !== null) return `R${String(results[0])}`;
    }
  } catch (error) {
    if (error instanceof LuaError) return `E${error.message}`;
    throw error;
  }
}

/** [chunk, expected result ("R" + value or "E" + error message)]. */
const chunks: [string, string][] = [
  ['return ("x"):rep(3) .. ("abc"):upper() .. #("hello"):sub(2)', 'RxxxABC4'],
  ['local s = "k1=v1, k2=v2" local out = {} for k, v in s:gmatch("(%w+)=(%w+)") do out[#out + 1] = v .. k end return table.concat(out, ";")', 'Rv1k1;v2k2'],
  ['return (string.gsub("hello world", "%w+", function(w) return w:upper() end))', 'RHELLO WORLD'],
  ['return (string.gsub("$a $b $c", "%$(%w)", {a = 1, b = false}))', 'R1 $b $c'],
  ['return (string.gsub("$a $b", "%$(%w)", {a = 1, b = true}))', 'Euser_script:1: invalid replacement value (a boolean)'],
  ['return select("#", string.gsub("abc", "", "-"))', 'R2'],
  ['local t = {5, 2, 8, 1} table.sort(t, function(a, b) return a > b end) return table.concat(t, ",")', 'R8,5,2,1'],
  ['local t = {"b", "a", "c"} table.sort(t) return table.concat(t)', 'Rabc'],
  ['local t = {1, 2} table.insert(t, nil) return #t .. "," .. tostring(t[3])', 'R2,nil'],
  ['local t = {"a"} table.insert(t, 1, nil) return tostring(t[1]) .. tostring(t[2])', 'Rnila'],
  ['return select("#", table.remove({}))', 'R0'],
  ['return select("#", string.byte("abc", 1, -1))', 'R3'],
  ['return string.format("%5.2f|%-5d|%q|%s", 3.14159, 42, "a\\nb", 1e15)', 'R 3.14|42   |"a\\\nb"|1e+15'],
  ['return string.format("%d %s", 3)', "Euser_script:1: bad argument #3 to 'format' (no value)"],
  ['return ("x"):rep()', "Euser_script:1: bad argument #1 to 'rep' (number expected, got no value)"],
  ['local f = string.rep return f()', "Euser_script:1: bad argument #1 to 'f' (string expected, got no value)"],
  ['return string.find("abc", "[a")', "Euser_script:1: malformed pattern (missing ']')"],
  ['local ok, e = pcall(string.rep) return e', "Rbad argument #1 to '?' (string expected, got no value)"],
  ['return table.concat({1, {}, 3})', "Euser_script:1: invalid value (table) at index 2 in table for 'concat'"],
  ['table.sort({3, "x", 1}) return 1', 'Eattempt to compare string with number'],
  ['table.sort({1, 2, 3}, function(a, b) return true end) return 1', 'R1'],
  ['table.sort({5, 3, 9, 1, 7, 2, 8, 6, 4, 0}, function(a, b) return true end) return 1', 'Euser_script:1: invalid order function for sorting'],
  ['local n = 0 table.sort({4, 3, 2, 1, 5, 6, 7, 8}, function(a, b) n = n + 1 return a < b end) return n', 'R19'],
  ['return math.max(3, 7, "9") + math.min(2, -1)', 'R8'],
  ['return tostring(math.floor(-3.5)) .. tostring(math.fmod(7, 3)) .. tostring(select(2, math.modf(2.5)))', 'R-410.5'],
  ['return math.random(0)', "Euser_script:1: bad argument #1 to 'random' (interval is empty)"],
  ['return math.mod == math.fmod and string.gfind == string.gmatch', 'Rtrue'],
  ['local words = {} for w in ("The quick  brown"):gmatch("%a+") do table.insert(words, w:lower()) end return table.concat(words, "-")', 'Rthe-quick-brown'],
  ['return (("a,b,,c"):gsub(",", ";", 2))', 'Ra;b;,c'],
  ['return string.format("%s", setmetatable({}, {__tostring = function() return "obj" end}))', "Euser_script:1: bad argument #2 to 'format' (string expected, got table)"],
  ['return (string.gsub("abc", "b", function() return {} end))', 'Euser_script:1: invalid replacement value (a table)'],
  ['return tostring(string.find("a+b", "+", 1, true))', 'R2'],
];

describe('string, table and math in the interpreter', () => {
  it('run Lua chunks as Lua 5.1 does', () => {
    reseedRandom(0x1234abcd);
    for (const [source, expected] of chunks) expect(runChunk(source), source).toBe(expected);
  });

  it.skipIf(!hasLua51)('the expectations are what Lua 5.1 gives', () => {
    let program = '';
    for (const [source] of chunks) {
      program += `do local f = assert(loadstring(${luaLiteral(source)}, "@user_script"))
  local ok, r = pcall(f) print((ok and "R" or "E") .. (string.gsub(tostring(r), "\\n", "\\\\n"))) end\n`;
    }
    const lines = runLua51(program);
    chunks.forEach(([source, expected], i) => expect(lines[i], source).toBe(expected.replace(/\n/g, '\\n')));
  });
});

// Table-driven library tests: each case is a call with its expected results (or error). The same
// table is checked against our natives always, and against a real Lua 5.1 when one is installed,
// so every expectation is one Lua 5.1 itself gives.

import { expect } from 'vitest';
import { type LuaValue, LuaError, LuaTable, NativeFunction } from '../../../src/scripting/lua/value.js';
import { type FakeRuntime, POSITION, luaLiteral, luaNumber, runLua51 } from './fake-runtime.js';

export interface Case {
  /** Function name in the library. */
  fn: string;
  args: LuaValue[];
  /** Expected results; exactly these (count included). */
  out?: LuaValue[];
  /** Expected error message, without position. */
  error?: string;
}

function describeValue(value: LuaValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

export function caseName(c: Case): string {
  return `${c.fn}(${c.args.map(describeValue).join(', ')})`;
}

/** Runs every case against the library table `lib`. */
export function checkCases(rt: FakeRuntime, lib: LuaTable, cases: readonly Case[]): void {
  for (const c of cases) {
    const f = lib.get(c.fn);
    if (!(f instanceof NativeFunction)) throw new Error(`no function ${c.fn}`);
    if (c.error !== undefined) {
      let message: string | undefined;
      try {
        f.impl(rt, c.args);
      } catch (error) {
        if (!(error instanceof LuaError)) throw error;
        message = String(error.value);
      }
      expect(message === undefined ? undefined : message.replace(POSITION, ''), caseName(c)).toBe(c.error);
    } else {
      expect(f.impl(rt, c.args), caseName(c)).toEqual(c.out);
    }
  }
}

function luaArg(value: LuaValue): string {
  if (value === undefined) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return luaNumber(value);
  if (typeof value === 'string') return luaLiteral(value);
  throw new Error('only primitive arguments in differential cases');
}

const SERIALIZER = `
local function hex(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end
local function ser(ok, ...)
  if not ok then return "E" .. string.gsub((...), "^[^:]*:%d+: ", "") end
  local o = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v == nil then o[i] = "nil"
    elseif type(v) == "number" then o[i] = "n" .. string.format("%.17g", v)
    elseif type(v) == "boolean" then o[i] = "b" .. tostring(v)
    elseif type(v) == "string" then o[i] = "s" .. hex(v)
    else o[i] = "t" .. type(v) end
  end
  return "R" .. table.concat(o, ",")
end
`;

function parseLuaValue(text: string): LuaValue {
  if (text === 'nil') return undefined;
  const tag = text[0];
  const body = text.slice(1);
  if (tag === 's') return Buffer.from(body, 'hex').toString('latin1');
  if (tag === 'b') return body === 'true';
  if (tag === 'n') {
    if (body.endsWith('nan')) return NaN;
    if (body.endsWith('inf')) return body.startsWith('-') ? -Infinity : Infinity;
    return Number(body);
  }
  throw new Error(`unexpected value ${text}`);
}

/** Runs the cases through lua5.1 (library `libName`) and checks it agrees with each expectation. */
export function checkCasesWithLua51(libName: string, cases: readonly Case[]): void {
  let source = SERIALIZER;
  for (const c of cases) {
    source += `print(ser(pcall(function() return ${libName}.${c.fn}(${c.args.map(luaArg).join(', ')}) end)))\n`;
  }
  const lines = runLua51(source);
  cases.forEach((c, i) => {
    const line = lines[i];
    if (c.error !== undefined) {
      expect(line, caseName(c)).toBe(`E${c.error}`);
      return;
    }
    expect(line.startsWith('R'), `${caseName(c)}: ${line}`).toBe(true);
    const body = line.slice(1);
    const values = body === '' ? [] : body.split(',').map(parseLuaValue);
    expect(values, caseName(c)).toEqual(c.out);
  });
}

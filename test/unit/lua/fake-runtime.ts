// A minimal LuaRuntime for testing native libraries without the interpreter: calls run a
// NativeFunction's impl directly, errors throw LuaError with the message (prefixed "script:1: "
// when raised with a position, as rt.error's level >= 1 asks), metatables are the tables' own
// plus one shared string metatable, index follows __index chains.

import { execFileSync } from 'node:child_process';
import {
  type LuaRuntime,
  type LuaValue,
  LuaError,
  LuaFunction,
  LuaTable,
  NativeFunction,
  numberToString,
  typeName,
} from '../../../src/scripting/lua/value.js';

export const POSITION = 'script:1: ';

export class FakeRuntime implements LuaRuntime {
  readonly globals = new LuaTable();
  stringMetatable: LuaTable | null = null;
  /** Every call made through call(), for tests that check what a library called. */
  calls = 0;

  call(fn: LuaValue, args: LuaValue[]): LuaValue[] {
    this.calls++;
    if (fn instanceof NativeFunction) return fn.impl(this, args);
    const handler = this.getMetatable(fn)?.get('__call');
    if (handler !== undefined) return this.call(handler, [fn, ...args]);
    return this.error(`attempt to call a ${typeName(fn)} value`);
  }

  error(message: string, level = 1): never {
    throw new LuaError(level > 0 ? POSITION + message : message);
  }

  raise(value: LuaValue): never {
    throw new LuaError(value);
  }

  tostring(value: LuaValue): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return numberToString(value);
    if (value === undefined) return 'nil';
    if (typeof value === 'boolean') return String(value);
    return `${typeName(value)}: 0x0`;
  }

  getMetatable(value: LuaValue): LuaTable | null {
    if (value instanceof LuaTable) return value.metatable;
    if (typeof value === 'string') return this.stringMetatable;
    return null;
  }

  index(object: LuaValue, key: LuaValue): LuaValue {
    for (let depth = 0; depth < 100; depth++) {
      if (object instanceof LuaTable) {
        const raw = object.get(key);
        if (raw !== undefined) return raw;
      }
      const handler = this.getMetatable(object)?.get('__index');
      if (handler === undefined) {
        if (object instanceof LuaTable) return undefined;
        return this.error(`attempt to index a ${typeName(object)} value`);
      }
      if (handler instanceof LuaFunction) return this.call(handler, [object, key])[0];
      object = handler;
    }
    return this.error("loop in gettable");
  }

  setIndex(object: LuaValue, key: LuaValue, value: LuaValue): void {
    if (!(object instanceof LuaTable)) this.error(`attempt to index a ${typeName(object)} value`);
    object.set(key, value);
  }
}

/** A native function standing in for a Lua function in tests. */
export function fn(impl: (...args: LuaValue[]) => LuaValue | LuaValue[]): NativeFunction {
  return new NativeFunction('test', (_rt, args) => {
    const result = impl(...args);
    return Array.isArray(result) ? result : [result];
  });
}

/** A Lua array from JS values. */
export function list(...values: LuaValue[]): LuaTable {
  const table = new LuaTable();
  values.forEach((value, i) => table.set(i + 1, value));
  return table;
}

/** Calls the library function `name` of `lib`, returning its results. */
export function invoke(rt: FakeRuntime, lib: LuaTable, name: string, ...args: LuaValue[]): LuaValue[] {
  const f = lib.get(name);
  if (!(f instanceof NativeFunction)) throw new Error(`no native ${name}`);
  return f.impl(rt, args);
}

/** The error message a call raises (throws if it does not raise a LuaError). */
export function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof LuaError) return String(error.value);
    throw error;
  }
  throw new Error('expected a Lua error');
}

/** True when a reference Lua 5.1 interpreter is installed (differential tests run only then). */
export const hasLua51 = ((): boolean => {
  try {
    execFileSync('lua5.1', ['-e', 'io.write(1)']);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
})();

/** Runs Lua 5.1 source and returns its standard output split in lines. */
export function runLua51(source: string): string[] {
  return execFileSync('lua5.1', ['-'], { input: source, maxBuffer: 1 << 28 }).toString('latin1').split('\n');
}

/** A Lua string literal for any latin1 string (decimal escapes only). */
export function luaLiteral(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += `\\${s.charCodeAt(i)}`;
  return out + '"';
}

/** A Lua numeral that reads back as exactly the same double. */
export function luaNumber(v: number): string {
  if (Number.isNaN(v)) return '(0/0)';
  if (v === Infinity) return '(1/0)';
  if (v === -Infinity) return '(-1/0)';
  if (Object.is(v, -0)) return '(-1/(1/0))';
  return `(${v.toPrecision(17)})`;
}

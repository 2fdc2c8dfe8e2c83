// A minimal LuaRuntime for testing native libraries before the compiler exists: calls reach
// NativeFunctions only, errors carry the position "user_script:1: " that luaL_error would add for
// a script calling the native on line 1, and indexing is raw.
import {
  type LuaRuntime,
  type LuaValue,
  LuaError,
  LuaFunction,
  LuaTable,
  LuaUserdata,
  NativeFunction,
  numberToString,
  typeName,
} from '../../../src/scripting/lua/value.js';

export class FakeRuntime implements LuaRuntime {
  readonly globals = new LuaTable();

  call(fn: LuaValue, args: LuaValue[]): LuaValue[] {
    if (fn instanceof NativeFunction) return fn.impl(this, args);
    throw new LuaError(`attempt to call a ${typeName(fn)} value`);
  }

  error(message: string, level = 1): never {
    throw new LuaError(level > 0 ? `user_script:1: ${message}` : message);
  }

  raise(value: LuaValue): never {
    throw new LuaError(value);
  }

  tostring(value: LuaValue): string {
    if (value === undefined) return 'nil';
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return numberToString(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof LuaUserdata) return `userdata: ${value.label}`;
    return `${typeName(value)}: 0x1`;
  }

  getMetatable(value: LuaValue): LuaTable | null {
    if (value instanceof LuaTable || value instanceof LuaUserdata) return value.metatable;
    return null;
  }

  index(object: LuaValue, key: LuaValue): LuaValue {
    if (object instanceof LuaTable) return object.get(key);
    throw new LuaError(`attempt to index a ${typeName(object)} value`);
  }

  setIndex(object: LuaValue, key: LuaValue, value: LuaValue): void {
    if (object instanceof LuaTable) object.set(key, value);
    else throw new LuaError(`attempt to index a ${typeName(object)} value`);
  }
}

/** Calls `library[name](...args)` and returns its results. */
export function callLib(rt: LuaRuntime, library: LuaTable, name: string, ...args: LuaValue[]): LuaValue[] {
  const fn = library.get(name);
  if (!(fn instanceof LuaFunction)) throw new Error(`no function ${name}`);
  return rt.call(fn, args);
}

/** The message of the LuaError that `run` raises (fails the test if it raises none or another). */
export function luaErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof LuaError) return String(error.value);
    throw error;
  }
  throw new Error('expected a LuaError');
}

/** A table from a JS array (1..n) and optional other entries, set in the order given. */
export function table(items: LuaValue[] = [], entries: [LuaValue, LuaValue][] = []): LuaTable {
  const t = new LuaTable();
  items.forEach((item, i) => t.set(i + 1, item));
  for (const [key, value] of entries) t.set(key, value);
  return t;
}

/** Bytes given as hex ("cb3fb9...") as a latin1 string, and back. */
export function fromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}

export function toHex(bytes: LuaValue): string {
  if (typeof bytes !== 'string') throw new Error(`expected a string, got ${typeName(bytes)}`);
  return Buffer.from(bytes, 'latin1').toString('hex');
}

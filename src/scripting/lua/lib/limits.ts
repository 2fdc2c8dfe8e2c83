// The largest string a library function may build. V8 cannot hold a longer string (it would throw
// a RangeError); Lua would fail to allocate one, so the operation raises Lua's memory error.

import type { LuaRuntime } from '../value.js';

/** V8's maximum string length on 64-bit platforms (2^29 - 24 UTF-16 code units). */
export const MAX_STRING_LENGTH = 536_870_888;

/** Lua 5.1's MEMERRMSG; a memory error carries no position. */
export function checkStringLength(rt: LuaRuntime, length: number): void {
  if (length > MAX_STRING_LENGTH) rt.error('not enough memory', 0);
}

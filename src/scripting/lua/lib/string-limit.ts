// The longest string a Lua value can be here: a JavaScript string's limit. Redis's Lua would ask the
// allocator and fail with "not enough memory" (LUA_ERRMEM, which carries no position); a library
// building a string checks against this first, so the script gets that error, not a JS RangeError.

import { constants } from 'node:buffer';
import type { LuaRuntime } from '../value.js';

export const MAX_STRING_CHARS = constants.MAX_STRING_LENGTH;

/** Raises Lua's memory error when a string of `length` bytes cannot be made. */
export function checkStringLength(rt: LuaRuntime, length: number): void {
  if (length > MAX_STRING_CHARS) rt.error('not enough memory', 0);
}

// The coroutine library on the generator machinery. A coroutine is a generator chain of its own;
// coroutine.yield yields a YieldRequest that its resume() receives, while a hook suspension
// (SUSPEND) raised inside the coroutine passes through resume() up to the task driver, and the
// next resume of the task continues the coroutine where it stopped.

import { type LuaValue, LuaTable, NativeFunction } from '../value.js';
import { GenNativeFunction, type LuaGen, LuaClosure, SUSPEND, YieldRequest } from '../runtime.js';
import { type LuaState, LuaCoroutine, MAX_C_CALLS } from '../state.js';
import { argError } from './args.js';

/** auxresume: [true, ...values] or [false, error value]. */
function* resumeCoroutine(rt: LuaState, co: LuaCoroutine, input: LuaValue[]): Generator<unknown, [boolean, LuaValue[]], unknown> {
  if (co.status !== 'suspended') return [false, [`cannot resume ${co.status} coroutine`]];
  if (rt.cCalls >= MAX_C_CALLS) return [false, ['C stack overflow']];
  const previousFrames = rt.cur;
  const previous = rt.curCoroutine;
  if (previous !== null) previous.status = 'normal';
  co.status = 'running';
  rt.cur = co.frames;
  rt.curCoroutine = co;
  const cCalls = rt.cCalls;
  rt.cCalls++;
  const leave = (status: LuaCoroutine['status']): void => {
    co.status = status;
    rt.cur = previousFrames;
    rt.curCoroutine = previous;
    if (previous !== null) previous.status = 'running';
    rt.cCalls = cCalls;
  };
  let send: LuaValue[] | undefined;
  if (co.gen === null) co.gen = rt.callG(co.fn, input);
  else send = input;
  try {
    for (;;) {
      const r = (co.gen as LuaGen).next(send);
      send = undefined;
      if (r.done === true) {
        leave('dead');
        return [true, r.value];
      }
      if (r.value === SUSPEND) {
        // The whole chain suspends; when the task resumes, this loop continues the coroutine.
        yield SUSPEND;
        continue;
      }
      if (r.value instanceof YieldRequest) {
        leave('suspended');
        return [true, r.value.values];
      }
    }
  } catch (e) {
    const error = rt.toLuaError(e);
    leave('dead');
    if (error === null) throw e;
    return [false, [error.value]];
  }
}

function checkCoroutine(rt: LuaState, args: LuaValue[], fname: string): LuaCoroutine {
  const co = args[0];
  if (!(co instanceof LuaCoroutine)) return argError(rt, 0, fname, 'coroutine expected');
  return co;
}

export function openCoroutine(): LuaTable {
  const lib = new LuaTable();
  const native = (name: string, impl: (rt: LuaState, args: LuaValue[]) => LuaValue[]): void => {
    lib.set(name, new NativeFunction(name, impl as NativeFunction['impl']));
  };

  const create = (rt: LuaState, args: LuaValue[], fname: string): LuaCoroutine => {
    if (!(args[0] instanceof LuaClosure)) argError(rt, 0, fname, 'Lua function expected');
    return new LuaCoroutine(args[0]);
  };

  native('create', (rt, args) => [create(rt, args, 'create')]);

  lib.set(
    'resume',
    new GenNativeFunction('resume', function* (rt, args) {
      const co = checkCoroutine(rt, args, 'resume');
      const [ok, values] = yield* resumeCoroutine(rt, co, args.slice(1));
      return [ok, ...values];
    }),
  );

  native('running', (rt) => [rt.curCoroutine ?? undefined]);

  native('status', (rt, args) => [checkCoroutine(rt, args, 'status').status]);

  native('wrap', (rt, args) => {
    const co = create(rt, args, 'wrap');
    return [
      new GenNativeFunction('wrap', function* (rt, args) {
        const [ok, values] = yield* resumeCoroutine(rt, co, args);
        if (ok) return values;
        const error = values[0];
        if (typeof error === 'string' || typeof error === 'number') {
          throw rt.newError(rt.where(1) + (typeof error === 'string' ? error : rt.rawToString(error)));
        }
        throw rt.newError(error);
      }),
    ];
  });

  lib.set(
    'yield',
    new GenNativeFunction('yield', function* (rt, args) {
      if (rt.curCoroutine === null || rt.cur.nny > 0) {
        throw rt.newError('attempt to yield across metamethod/C-call boundary');
      }
      const resumed = yield new YieldRequest(args);
      return resumed as LuaValue[];
    }),
  );

  return lib;
}

// math library natives (lmathlib.c) with Redis's random/randomseed. The random sequences below
// were read from redis-server 7.0.15 (a fresh server, then after math.randomseed).
import { beforeEach, describe, expect, it } from 'vitest';
import { bigIntPower, cPow, ldexp, nextRandom31, openMath, reseedRandom } from '../../../src/scripting/lua/lib/math.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { type Case, checkCases, checkCasesWithLua51 } from './cases.js';
import { FakeRuntime, POSITION, errorOf, hasLua51, invoke } from './fake-runtime.js';

const rt = new FakeRuntime();
let inside = true;
const lib = openMath(rt, () => inside);
const call = (name: string, ...args: LuaValue[]): LuaValue[] => invoke(rt, lib, name, ...args);

/** The state redis-server starts with (the generator's initial words, seed 0x1234ABCD). */
const INITIAL_SEED = 0x1234abcd;

const cases: Case[] = [
  { fn: 'abs', args: [-3.5], out: [3.5] },
  { fn: 'abs', args: ['-2'], out: [2] },
  { fn: 'abs', args: [], error: "bad argument #1 to 'abs' (number expected, got no value)" },
  { fn: 'floor', args: [3.7], out: [3] },
  { fn: 'floor', args: ['3.7'], out: [3] },
  { fn: 'floor', args: [-3.2], out: [-4] },
  { fn: 'floor', args: ['x'], error: "bad argument #1 to 'floor' (number expected, got string)" },
  { fn: 'ceil', args: [3.2], out: [4] },
  { fn: 'ceil', args: [-0.5], out: [-0] },
  { fn: 'sqrt', args: [2], out: [Math.SQRT2] },
  { fn: 'fmod', args: [5.5, 2], out: [1.5] },
  { fn: 'fmod', args: [-5.5, 2], out: [-1.5] },
  { fn: 'fmod', args: [5, -3], out: [2] },
  { fn: 'fmod', args: [3, Infinity], out: [3] },
  { fn: 'fmod', args: [1], error: "bad argument #2 to 'fmod' (number expected, got no value)" },
  { fn: 'modf', args: [3.7], out: [3, 0.7000000000000002] },
  { fn: 'modf', args: [-3.7], out: [-3, -0.7000000000000002] },
  { fn: 'modf', args: [-2], out: [-2, -0] },
  { fn: 'modf', args: [5], out: [5, 0] },
  { fn: 'modf', args: [-0.5], out: [-0, -0.5] },
  { fn: 'modf', args: [Infinity], out: [Infinity, 0] },
  { fn: 'modf', args: [-Infinity], out: [-Infinity, -0] },
  { fn: 'frexp', args: [3], out: [0.75, 2] },
  { fn: 'frexp', args: [-8], out: [-0.5, 4] },
  { fn: 'frexp', args: [0], out: [0, 0] },
  { fn: 'frexp', args: [5e-324], out: [0.5, -1073] },
  { fn: 'frexp', args: [Infinity], out: [Infinity, 0] },
  { fn: 'frexp', args: [1e300], out: [0.7466108948025751, 997] },
  { fn: 'ldexp', args: [0.75, 2], out: [3] },
  { fn: 'ldexp', args: [1, -1075], out: [0] },
  { fn: 'ldexp', args: [3, -1075], out: [1e-323] },
  { fn: 'ldexp', args: [1.5, -1074], out: [1e-323] },
  { fn: 'ldexp', args: [0.75, 1025], out: [Infinity] },
  { fn: 'ldexp', args: [2 ** -1074, 2097], out: [2 ** 1023] },
  { fn: 'ldexp', args: [2 ** -1074, 2098], out: [Infinity] },
  { fn: 'ldexp', args: [1, 2 ** 31], out: [0] },
  { fn: 'ldexp', args: [1, 2.9], out: [4] },
  { fn: 'min', args: [3, 1, 2], out: [1] },
  { fn: 'min', args: [1, NaN], out: [1] },
  { fn: 'max', args: [1], out: [1] },
  { fn: 'max', args: ['5', 7, -1], out: [7] },
  { fn: 'max', args: [], error: "bad argument #1 to 'max' (number expected, got no value)" },
  { fn: 'min', args: [1, 'x'], error: "bad argument #2 to 'min' (number expected, got string)" },
  { fn: 'deg', args: [Math.PI], out: [180] },
  { fn: 'rad', args: [180], out: [Math.PI] },
  { fn: 'deg', args: [1], out: [57.29577951308232] },
  { fn: 'pow', args: [2, 10], out: [1024] },
  { fn: 'pow', args: [1, NaN], out: [1] },
  { fn: 'pow', args: [-1, Infinity], out: [1] },
  { fn: 'pow', args: [NaN, 0], out: [1] },
  { fn: 'pow', args: [-8, 1 / 3], out: [NaN] },
  { fn: 'pow', args: [0, -1], out: [Infinity] },
  // Integer powers where V8's Math.pow is one ulp off and glibc rounds correctly.
  { fn: 'pow', args: [987, 26], out: [7.116164345387016e77] },
  { fn: 'pow', args: [0.2, 17], out: [1.3107200000000013e-12] },
  { fn: 'pow', args: [8.7, 23], out: [4.063898104772983e21] },
  { fn: 'pow', args: [880, -20], out: [1.2892779554392304e-59] },
  { fn: 'pow', args: [8.651224987585692, 3], out: [647.4896338431591] },
  { fn: 'pow', args: [2.3, -18], out: [3.0824706611206656e-7] },
  { fn: 'pow', args: [0.900653586996929, -15], out: [4.804334694104036] },
  { fn: 'pow', args: [-2.3, -17], out: [-7.08968252057753e-7] },
  { fn: 'pow', args: [10, -5], out: [0.00001] },
  { fn: 'pow', args: [10, 22], out: [1e22] },
  { fn: 'pow', args: [1 + 2 ** -18, 3], out: [1.0000114441354526] },
  // (2^18 - 1)^3 has 54 bits: an exact tie between two doubles, to even.
  { fn: 'pow', args: [1 - 2 ** -18, 3], out: [0.99998855595185887] },
  { fn: 'pow', args: [2, -1074], out: [5e-324] },
  { fn: 'pow', args: [0.5, 1075], out: [0] },
  { fn: 'pow', args: [1e-200, 2], out: [0] },
  { fn: 'pow', args: [1e155, 2], out: [Infinity] },
  { fn: 'pow', args: [3e-160, 2], out: [9e-320] },
  { fn: 'pow', args: [-3, 3], out: [-27] },
  { fn: 'pow', args: [4, 0.5], out: [2] },
  { fn: 'log', args: [0], out: [-Infinity] },
  { fn: 'log', args: [Math.E, 10], out: [1] },
  { fn: 'log10', args: [1000], out: [3] },
  { fn: 'exp', args: [0], out: [1] },
  { fn: 'atan2', args: [1, 1], out: [Math.PI / 4] },
  { fn: 'atan2', args: [0, -0], out: [Math.PI] },
];

describe('math library', () => {
  it('computes as lmathlib does', () => checkCases(rt, lib, cases));

  it.skipIf(!hasLua51)('agrees with Lua 5.1 on every case', () => checkCasesWithLua51('math', cases));

  it('has pi, huge, and mod as fmod itself', () => {
    expect(lib.get('pi')).toBe(Math.PI);
    expect(lib.get('huge')).toBe(Infinity);
    expect(lib.get('mod')).toBe(lib.get('fmod'));
  });

  it('ldexp rounds subnormal results once', () => {
    expect(ldexp(3, -1075)).toBe(2 ** -1073);
    expect(ldexp(1 + 2 ** -52, -1074)).toBe(2 ** -1074);
    expect(ldexp(2 ** 1023, -2098)).toBe(0);
    expect(ldexp(2 ** 1023 * 1.5, -2097)).toBe(2 ** -1073);
  });

  it('cPow rounds integer powers exactly: double-double and BigInt paths agree', () => {
    let state = 31337;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    for (let i = 0; i < 5000; i++) {
      const x = i % 2 === 0 ? random() * 20 : 0.5 + random();
      const n = Math.floor(random() * 129) - 64;
      if (n === 0 || n === 1 || n === 2 || n === -1) continue;
      const bits = new DataView(new ArrayBuffer(8));
      bits.setFloat64(0, x);
      const biased = (bits.getUint32(0) >>> 20) & 0x7ff;
      let mantissa = (bits.getUint32(0) & 0xfffff) * 2 ** 32 + bits.getUint32(4) + 2 ** 52;
      let exponent = biased - 1075;
      while (mantissa % 2 === 0) {
        mantissa /= 2;
        exponent++;
      }
      expect(cPow(x, n), `${x}^${n}`).toBe(bigIntPower(mantissa, exponent, n));
    }
  });

  it('cPow follows C99 where Math.pow does not', () => {
    expect(cPow(1, NaN)).toBe(1);
    expect(cPow(1, -Infinity)).toBe(1);
    expect(cPow(-1, -Infinity)).toBe(1);
    expect(cPow(2, 0.5)).toBe(Math.SQRT2);
  });
});

describe('math.random as Redis replaces it', () => {
  beforeEach(() => {
    inside = true;
    reseedRandom(INITIAL_SEED);
  });

  it('gives redis-server\'s sequence from its initial state', () => {
    const values: LuaValue[] = [];
    for (let i = 0; i < 5; i++) values.push(call('random')[0]);
    expect(values).toEqual([0.39646477363839039, 0.84048536971234034, 0.35333609737145533, 0.44658343468167977, 0.31869277233197019]);
    const ints: LuaValue[] = [];
    for (let i = 0; i < 5; i++) ints.push(call('random', 100)[0]);
    for (let i = 0; i < 5; i++) ints.push(call('random', -5, 5)[0]);
    expect(ints).toEqual([89, 2, 59, 16, 39, 2, -5, 4, -4, -4]);
  });

  it('randomseed restarts the sequence, seeds being C ints', () => {
    call('randomseed', 42);
    expect([call('random')[0], call('random')[0], call('random')[0], call('random', 1000000)[0], call('random', 2147483647)[0]]).toEqual([
      0.74452500033403046, 0.34270147855519384, 0.11108528222473585, 422339, 174184914,
    ]);
    call('randomseed', 2 ** 32 + 42);
    expect(call('random')).toEqual([0.74452500033403046]);
    call('randomseed', -7);
    expect([call('random')[0], call('random', -2147483648, 2147483647)[0], call('random', 3, 3)[0]]).toEqual([0.075211875175690224, -2147483648, 3]);
  });

  it('checks its arguments after drawing, with Redis\'s texts', () => {
    expect(errorOf(() => call('random', 1, 2, 3))).toBe(`${POSITION}wrong number of arguments`);
    expect(errorOf(() => call('random', 0))).toBe(`${POSITION}bad argument #1 to 'random' (interval is empty)`);
    expect(errorOf(() => call('random', 3, 1))).toBe(`${POSITION}bad argument #2 to 'random' (interval is empty)`);
    expect(errorOf(() => call('random', 'x'))).toBe(`${POSITION}bad argument #1 to 'random' (number expected, got string)`);
    expect(errorOf(() => call('randomseed'))).toBe(`${POSITION}bad argument #1 to 'randomseed' (number expected, got no value)`);
    // Four refused calls still advanced the generator by four draws.
    reseedRandom(INITIAL_SEED);
    for (let i = 0; i < 4; i++) nextRandom31();
    const expected = nextRandom31();
    reseedRandom(INITIAL_SEED);
    for (const args of [[1, 2, 3], [0], [3, 1], ['x']]) errorOf(() => call('random', ...args));
    expect(nextRandom31()).toBe(expected);
  });

  it('refuses to run outside a script invocation', () => {
    inside = false;
    expect(errorOf(() => call('random'))).toBe(`${POSITION}math.random can only be called inside a script invocation`);
    expect(errorOf(() => call('randomseed', 1))).toBe(`${POSITION}math.randomseed can only be called inside a script invocation`);
  });
});

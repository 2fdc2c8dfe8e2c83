// Lua 5.1's math library (lmathlib.c) with random/randomseed as Redis replaces them
// (script_lua.c): rand() becomes redisLrand48(), the 48-bit linear congruential generator of
// rand.c, one state for the whole process, never reseeded by Redis itself (7.0 replicates script
// effects, so scripts need not be deterministic); only math.randomseed() sets it.

import { type LuaRuntime, type LuaValue, EMPTY, LuaTable, NativeFunction } from '../value.js';
import { argError, checkInt, checkNumber } from './args.js';
import { DECOMPOSED, decomposeDouble } from './c-numbers.js';

type Impl = (rt: LuaRuntime, args: LuaValue[]) => LuaValue[];

/** lmathlib's PI/180.0, computed in doubles as the C constant is. */
const RADIANS_PER_DEGREE = Math.PI / 180;

function unary(fname: string, op: (x: number) => number): Impl {
  return (rt, args) => [op(checkNumber(rt, args, 0, fname))];
}

function modf(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const x = checkNumber(rt, args, 0, 'modf');
  const integral = Math.trunc(x);
  // C's modf: the fraction of ±inf is a zero, and a zero fraction keeps the sign of x.
  let fraction = Number.isFinite(x) ? x - integral : x !== x ? x : 0;
  if (fraction === 0) fraction = x < 0 || Object.is(x, -0) ? -0 : 0;
  return [integral, fraction];
}

const frexpBits = new Float64Array(1);
const frexpWords = new Uint32Array(frexpBits.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function frexp(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const x = checkNumber(rt, args, 0, 'frexp');
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let scaled = x;
  let adjust = 0;
  frexpBits[0] = x;
  if ((frexpWords[HIGH_WORD] >>> 20 & 0x7ff) === 0) {
    // Subnormal: scale into the normal range first (exact).
    scaled = x * 2 ** 64;
    adjust = -64;
    frexpBits[0] = scaled;
  }
  const high = frexpWords[HIGH_WORD];
  const exponent = ((high >>> 20) & 0x7ff) - 1022;
  frexpWords[HIGH_WORD] = (high & 0x800fffff) | (1022 << 20);
  return [frexpBits[0], exponent + adjust];
}

/** POWERS_OF_TWO[k + 1074] = 2^k for every k a double can hold exactly (-1074..1023). */
const POWERS_OF_TWO = new Float64Array(2098);
for (let k = 0; k < 2098; k++) POWERS_OF_TWO[k] = Math.pow(2, k - 1074);

/** 2^k for an integer k in [-1074, 1023]. */
function powerOfTwo(k: number): number {
  return POWERS_OF_TWO[k + 1074];
}

/** ldexp, as scalbn: scaled in steps so intermediate powers never overflow or round twice. */
export function ldexp(x: number, exponent: number): number {
  let y = x;
  let n = exponent;
  if (n > 1023) {
    y *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      y *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // Keep the final step below -53 so the subnormal result is rounded once.
    y *= 2 ** -1022 * 2 ** 53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= 2 ** -1022 * 2 ** 53;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return y * powerOfTwo(n);
}

/** Integer exponents up to this magnitude are computed exactly (BigInt) and rounded once. */
const EXACT_POWER_MAX_EXPONENT = 64;

/**
 * C's pow (luai_numpow, also the `^` operator). glibc's pow is correctly rounded but for rare
 * cases; V8's Math.pow (fdlibm) is off by one ulp for some 9% of integer exponents, the common
 * case in scripts (x^2, 10^n), so those are computed exactly and rounded to nearest-even.
 * Math.pow also differs where C99 defines a result for a NaN operand or an infinite exponent:
 * pow(1, y) is 1 for every y, pow(-1, ±inf) is 1. Other exponents use Math.pow (see the
 * report on transcendental functions: within one ulp of glibc).
 */
export function cPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (y === 2) return x * x;
  if (y === 1) return x;
  if (!Number.isInteger(y) || y === 0 || Math.abs(y) > EXACT_POWER_MAX_EXPONENT || x === 0 || !Number.isFinite(x)) {
    if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
    if (y === 0.5 && x > 0 && x !== Infinity) return Math.sqrt(x);
    return Math.pow(x, y);
  }
  if (y === -1) return 1 / x;
  return exactIntegerPower(x, y);
}


/**
 * x^n for finite non-zero x and an integer 2 <= |n| <= 64, correctly rounded. With x = m * 2^e
 * (m odd), m^|n| is odd: it is a double exactly when it has at most 53 bits and a tie between
 * two doubles exactly when it has 54. Below that it is computed exactly in doubles; well above,
 * no tie is possible and double-double arithmetic (error near 2^-100) rounds correctly; the band
 * in between, subnormal results and negative powers of huge or tiny x go through BigInt.
 */
function exactIntegerPower(x: number, n: number): number {
  decomposeDouble(x);
  const mantissa = DECOMPOSED[0];
  const exponent = DECOMPOSED[1];
  const count = n < 0 ? -n : n;
  const negative = x < 0 && (count & 1) === 1;
  const bits = 64 - clz64(mantissa);
  let magnitude: number;
  if (mantissa === 1) magnitude = ldexp(1, n * exponent);
  else if (bits * count <= 53 && n > 0) {
    let power = mantissa;
    for (let i = 1; i < count; i++) power *= mantissa;
    magnitude = ldexp(power, exponent * count);
  } else if (count * (bits - 1) + 1 > 54) magnitude = doubleDoublePower(mantissa, bits, exponent, n);
  else magnitude = NaN;
  if (magnitude !== magnitude) magnitude = bigIntPower(mantissa, exponent, n);
  return negative ? -magnitude : magnitude;
}

function clz64(value: number): number {
  const high = Math.floor(value / 4294967296);
  return high !== 0 ? Math.clz32(high) : 32 + Math.clz32(value >>> 0);
}

// Double-double arithmetic (Dekker): a value is hi + lo with |lo| <= ulp(hi) / 2. Results go
// to a typed array: module variables holding doubles would allocate a heap number per write.
const dd = new Float64Array(2);
const SPLITTER = 134217729; // 2^27 + 1

/** dd = (ah, al) * (bh, bl). */
function ddMultiply(ah: number, al: number, bh: number, bl: number): void {
  const product = ah * bh;
  let t = SPLITTER * ah;
  const ahHigh = t - (t - ah);
  const ahLow = ah - ahHigh;
  t = SPLITTER * bh;
  const bhHigh = t - (t - bh);
  const bhLow = bh - bhHigh;
  let error = ahHigh * bhHigh - product + ahHigh * bhLow + ahLow * bhHigh + ahLow * bhLow;
  error += ah * bl + al * bh;
  const hi = product + error;
  dd[0] = hi;
  dd[1] = error - (hi - product);
}

/**
 * m^n * 2^(e*n) through double-double binary powering of m scaled into [1, 2); NaN when the
 * result is not a normal double (the caller then computes it exactly).
 */
function doubleDoublePower(mantissa: number, bits: number, exponent: number, n: number): number {
  const count = n < 0 ? -n : n;
  const base = mantissa / powerOfTwo(bits - 1);
  let baseHi = base;
  let baseLo = 0;
  let resultHi = 1;
  let resultLo = 0;
  let k = count;
  for (;;) {
    if ((k & 1) === 1) {
      ddMultiply(resultHi, resultLo, baseHi, baseLo);
      resultHi = dd[0];
      resultLo = dd[1];
    }
    k >>>= 1;
    if (k === 0) break;
    ddMultiply(baseHi, baseLo, baseHi, baseLo);
    baseHi = dd[0];
    baseLo = dd[1];
  }
  let scale = (exponent + bits - 1) * count;
  let value = resultHi;
  if (n < 0) {
    // 1 / (hi + lo) to double-double precision: q = 1/hi, then one correction step.
    const q = 1 / resultHi;
    ddMultiply(q, 0, resultHi, resultLo);
    const residual = 1 - dd[0] - dd[1];
    value = q + q * residual;
    scale = -scale;
  }
  const result = ldexp(value, scale);
  return result !== 0 && Math.abs(result) >= 2.2250738585072014e-308 ? result : NaN;
}

/** m^n * 2^(e*n) exactly in BigInt, then rounded once. */
export function bigIntPower(mantissa: number, exponent: number, n: number): number {
  const count = n < 0 ? -n : n;
  const power = BigInt(mantissa) ** BigInt(count);
  return n > 0 ? roundToDouble(power, 1n, exponent * count) : roundToDouble(1n, power, -exponent * count);
}

const BIG_CHUNK = 2n ** 960n;

function bitLength(value: bigint): number {
  let bits = 0;
  let rest = value;
  while (rest >= BIG_CHUNK) {
    rest >>= 960n;
    bits += 960;
  }
  // Number() may round up to the next power of two: check the estimate with shifts.
  let estimate = rest === 0n ? 0 : Math.floor(Math.log2(Number(rest))) + 1;
  if (estimate > 0 && rest >> BigInt(estimate - 1) === 0n) estimate--;
  else if (rest >> BigInt(estimate) !== 0n) estimate++;
  return bits + estimate;
}

/** (numerator / denominator) * 2^scale correctly rounded to a double (ties to even). */
function roundToDouble(numerator: bigint, denominator: bigint, scale: number): number {
  // Enough quotient bits for 53 significant ones plus the rounding bit, and a sticky remainder.
  const shift = Math.max(0, 55 + bitLength(denominator) - bitLength(numerator));
  const scaled = numerator << BigInt(shift);
  const quotient = scaled / denominator;
  const sticky = quotient * denominator !== scaled;
  const quotientBits = bitLength(quotient);
  const binaryScale = scale - shift;
  // The leading bit's weight decides the precision: 53 bits, fewer for a subnormal result.
  const leading = quotientBits - 1 + binaryScale;
  const precision = leading >= -1022 ? 53 : 53 - (-1022 - leading);
  if (precision <= 0) {
    // Below half the smallest subnormal, or exactly half (ties to even: 0).
    const aboveHalf = leading === -1075 && (sticky || quotient !== 1n << BigInt(quotientBits - 1));
    return aboveHalf ? 2 ** -1074 : 0;
  }
  const drop = BigInt(quotientBits - precision);
  const kept = quotient >> drop;
  const rest = quotient - (kept << drop);
  const half = 1n << (drop - 1n);
  const rounded = rest > half || (rest === half && (sticky || (kept & 1n) === 1n)) ? kept + 1n : kept;
  return ldexp(Number(rounded), binaryScale + quotientBits - precision);
}

function min(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  let result = checkNumber(rt, args, 0, 'min');
  for (let i = 1; i < args.length; i++) {
    const d = checkNumber(rt, args, i, 'min');
    if (d < result) result = d;
  }
  return [result];
}

function max(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  let result = checkNumber(rt, args, 0, 'max');
  for (let i = 1; i < args.length; i++) {
    const d = checkNumber(rt, args, i, 'max');
    if (d > result) result = d;
  }
  return [result];
}

// ---------------------------------------------------------------------------------------------
// redisLrand48 / redisSrand48: X(n+1) = (a * X(n) + c) mod 2^48, a = 0x5DEECE66D, c = 0xB, the
// state in three 16-bit words (every intermediate stays below 2^53, so doubles are exact).

const A0 = 0xe66d;
const A1 = 0xdeec;
const A2 = 0x5;
const C = 0xb;
const X0 = 0x330e;
/** REDIS_LRAND48_MAX = INT32_MAX. */
const LRAND48_MAX = 2147483647;

let x0 = X0;
let x1 = 0xabcd;
let x2 = 0x1234;

/** redisSrand48: the state Redis starts with is the one of seed 0x1234ABCD. */
export function reseedRandom(seed: number): void {
  const value = seed | 0;
  x0 = X0;
  x1 = value & 0xffff;
  x2 = (value >> 16) & 0xffff;
}

/** redisLrand48: the next 31-bit value. */
export function nextRandom31(): number {
  const t0 = A0 * x0 + C;
  const t1 = A0 * x1 + A1 * x0 + Math.floor(t0 / 65536);
  const t2 = A0 * x2 + A1 * x1 + A2 * x0 + Math.floor(t1 / 65536);
  x0 = t0 % 65536;
  x1 = t1 % 65536;
  x2 = t2 % 65536;
  return x2 * 32768 + (x1 >>> 1);
}

/**
 * Tells whether a script (EVAL body or FCALL) is running: Redis refuses math.random outside one,
 * e.g. in a function library's loading code.
 */
export type InvocationProbe = () => boolean;

function random(insideInvocation: InvocationProbe): Impl {
  return (rt, args) => {
    if (!insideInvocation()) return rt.error('math.random can only be called inside a script invocation');
    // The draw comes first, as in C: it happens even when the arguments are then refused.
    const r = (nextRandom31() % LRAND48_MAX) / LRAND48_MAX;
    switch (args.length) {
      case 0:
        return [r];
      case 1: {
        const upper = checkInt(rt, args, 0, 'random');
        if (!(1 <= upper)) argError(rt, 0, 'random', 'interval is empty');
        return [Math.floor(r * upper) + 1];
      }
      case 2: {
        const lower = checkInt(rt, args, 0, 'random');
        const upper = checkInt(rt, args, 1, 'random');
        if (!(lower <= upper)) argError(rt, 1, 'random', 'interval is empty');
        // u-l+1 is C int arithmetic: it wraps (to 0 for the full int range).
        return [Math.floor(r * ((upper - lower + 1) | 0)) + lower];
      }
      default:
        return rt.error('wrong number of arguments');
    }
  };
}

function randomseed(insideInvocation: InvocationProbe): Impl {
  return (rt, args) => {
    if (!insideInvocation()) return rt.error('math.randomseed can only be called inside a script invocation');
    reseedRandom(checkInt(rt, args, 0, 'randomseed'));
    return EMPTY;
  };
}

const always: InvocationProbe = () => true;

/** The math library; `insideInvocation` gates random/randomseed as Redis's run context does. */
export function openMath(_rt: LuaRuntime, insideInvocation: InvocationProbe = always): LuaTable {
  const lib = new LuaTable();
  const fmod = new NativeFunction('fmod', (rt, args) => [checkNumber(rt, args, 0, 'fmod') % checkNumber(rt, args, 1, 'fmod')]);
  const functions: [string, Impl][] = [
    ['abs', unary('abs', Math.abs)],
    ['acos', unary('acos', Math.acos)],
    ['asin', unary('asin', Math.asin)],
    ['atan2', (rt, args) => [Math.atan2(checkNumber(rt, args, 0, 'atan2'), checkNumber(rt, args, 1, 'atan2'))]],
    ['atan', unary('atan', Math.atan)],
    ['ceil', unary('ceil', Math.ceil)],
    ['cosh', unary('cosh', Math.cosh)],
    ['cos', unary('cos', Math.cos)],
    ['deg', unary('deg', (x) => x / RADIANS_PER_DEGREE)],
    ['exp', unary('exp', Math.exp)],
    ['floor', unary('floor', Math.floor)],
    ['frexp', frexp],
    ['ldexp', (rt, args) => [ldexp(checkNumber(rt, args, 0, 'ldexp'), checkInt(rt, args, 1, 'ldexp'))]],
    ['log10', unary('log10', Math.log10)],
    ['log', unary('log', Math.log)],
    ['max', max],
    ['min', min],
    ['modf', modf],
    ['pow', (rt, args) => [cPow(checkNumber(rt, args, 0, 'pow'), checkNumber(rt, args, 1, 'pow'))]],
    ['rad', unary('rad', (x) => x * RADIANS_PER_DEGREE)],
    ['random', random(insideInvocation)],
    ['randomseed', randomseed(insideInvocation)],
    ['sinh', unary('sinh', Math.sinh)],
    ['sin', unary('sin', Math.sin)],
    ['sqrt', unary('sqrt', Math.sqrt)],
    ['tanh', unary('tanh', Math.tanh)],
    ['tan', unary('tan', Math.tan)],
  ];
  for (const [name, impl] of functions) lib.set(name, new NativeFunction(name, impl));
  lib.set('fmod', fmod);
  lib.set('pi', Math.PI);
  lib.set('huge', Infinity);
  // LUA_COMPAT_MOD, on in Redis's build: math.mod is fmod itself.
  lib.set('mod', fmod);
  return lib;
}

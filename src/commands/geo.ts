// Geo commands (Redis 7.0's geo.c): GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
// GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO forms. A geo set is a sorted set
// whose scores are 52-bit geohashes (util/geohash.ts); GEOADD is ZADD with computed scores.

import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { keyAt, type CommandSpec, type KeySpec } from './types.js';
import { maxListpackEntries, maxListpackValueBytes, zaddWithScores, zsetForRead } from './zsets.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../config/keyspace-events.js';
import { NONE, ZSetValue } from '../store/types/zset.js';
import {
  areasByShape, CIRCULAR_TYPE, decodeScore, distanceWithinShape, encodeScore, GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX,
  GEO_LONG_MIN, geoDistance, isZero, RECTANGLE_TYPE, standardGeohash, align52, type GeoShape,
} from '../util/geohash.js';
import { formatLongDoubleHuman, parseInt64 } from '../util/numbers.js';
import { parseStrictDouble } from '../util/strtod.js';

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const ERR_DECODE_MEMBER = 'ERR could not decode requested zset member';

// ------------------------------------------------------------------------------------ helpers

/** printf("%f"): six decimals, round half to even on the exact binary value. */
function formatFixed6(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  // toFixed rounds the exact binary value as printf does (a tie at the 7th decimal cannot be
  // exact in binary), but switches to exponents from 1e21 on and drops the sign of -0.
  if (Math.abs(value) >= 1e21) return BigInt(value).toString() + '.000000';
  if (Object.is(value, -0)) return '-0.000000';
  return value.toFixed(6);
}

/** extractLongLatOrReply: a longitude, latitude pair at argv[i], argv[i+1]; null after the error. */
function longLatArg(ctx: CommandContext, argv: string[], i: number): [number, number] | null {
  const x = parseStrictDouble(argv[i]);
  if (x === null) {
    ctx.reply.error(ERR_NOT_FLOAT);
    return null;
  }
  const y = parseStrictDouble(argv[i + 1]);
  if (y === null) {
    ctx.reply.error(ERR_NOT_FLOAT);
    return null;
  }
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    ctx.reply.error(`ERR invalid longitude,latitude pair ${formatFixed6(x)},${formatFixed6(y)}`);
    return null;
  }
  return [x, y];
}

/** extractUnitOrReply: meters per unit, or -1 after the error. */
function unitArg(ctx: CommandContext, text: string): number {
  if (isKeyword(text, 'M')) return 1;
  if (isKeyword(text, 'KM')) return 1000;
  if (isKeyword(text, 'FT')) return 0.3048;
  if (isKeyword(text, 'MI')) return 1609.34;
  ctx.reply.error(ERR_UNIT);
  return -1;
}

/** extractDistanceOrReply into the shape; false after the error. */
function distanceArg(ctx: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const distance = parseStrictDouble(argv[i]);
  if (distance === null) {
    ctx.reply.error('ERR need numeric radius');
    return false;
  }
  if (distance < 0) {
    ctx.reply.error('ERR radius cannot be negative');
    return false;
  }
  shape.radius = distance;
  const toMeters = unitArg(ctx, argv[i + 1]);
  if (toMeters < 0) return false;
  shape.conversion = toMeters;
  return true;
}

/** extractBoxOrReply into the shape; false after the error. */
function boxArg(ctx: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const w = parseStrictDouble(argv[i]);
  if (w === null) {
    ctx.reply.error('ERR need numeric width');
    return false;
  }
  const h = parseStrictDouble(argv[i + 1]);
  if (h === null) {
    ctx.reply.error('ERR need numeric height');
    return false;
  }
  if (h < 0 || w < 0) {
    ctx.reply.error('ERR height or width cannot be negative');
    return false;
  }
  shape.height = h;
  shape.width = w;
  const toMeters = unitArg(ctx, argv[i + 2]);
  if (toMeters < 0) return false;
  shape.conversion = toMeters;
  return true;
}

/** C's llrint: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** fixedpoint_d2string(d, 4): a distance with four decimals. */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const scaled = roundHalfEven(d * 10000);
  const negative = scaled < 0;
  const digits = String(Math.abs(scaled)).padStart(5, '0');
  const text = `${digits.slice(0, digits.length - 4)}.${digits.slice(digits.length - 4)}`;
  return negative ? '-' + text : text;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** ld2string(LD_STR_HUMAN) of a double ("%.17Lf" of its exact value, trailing zeros cut). */
export function formatHumanDouble(value: number): string {
  if (value === 0) return '0';
  F64[0] = value;
  const low = U32[0];
  const high = U32[1];
  const neg = (high >>> 31) === 1;
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return formatLongDoubleHuman({ neg, mant, exp, inf: false });
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
function replyHumanDouble(ctx: CommandContext, value: number): void {
  const text = formatHumanDouble(value);
  if (ctx.reply.resp === 3) ctx.reply.raw(Buffer.from(`,${text}\r\n`, 'latin1'));
  else ctx.reply.bulk(text);
}

// -------------------------------------------------------------------------------------- GEOADD

function geoadd(ctx: CommandContext, argv: string[]): void {
  let xx = false;
  let nx = false;
  let longIdx = 2;
  for (; longIdx < argv.length; longIdx++) {
    const opt = argv[longIdx];
    if (isKeyword(opt, 'NX')) nx = true;
    else if (isKeyword(opt, 'XX')) xx = true;
    else if (!isKeyword(opt, 'CH')) break;
  }
  if ((argv.length - longIdx) % 3 !== 0 || (xx && nx)) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  // GEOADD becomes ZADD key [options] score member ..., and runs and propagates as that.
  const elements = (argv.length - longIdx) / 3;
  const zaddArgv = argv.slice(0, longIdx);
  zaddArgv[0] = 'zadd';
  const scores = new Float64Array(elements);
  for (let i = 0; i < elements; i++) {
    const xy = longLatArg(ctx, argv, longIdx + i * 3);
    if (xy === null) return;
    const score = encodeScore(xy[0], xy[1]);
    scores[i] = score;
    // The exact integer, as sdsfromlonglong writes it (String() shortens past 2^53).
    zaddArgv.push(score < 9007199254740992 ? String(score) : BigInt(score).toString(), argv[longIdx + i * 3 + 2]);
  }
  zaddWithScores(ctx, zaddArgv, scores);
  ctx.rewritePropagation(zaddArgv);
}

// ------------------------------------------------------------------------ GEOPOS / DIST / HASH

function geopos(ctx: CommandContext, argv: string[]): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  const r = ctx.reply;
  r.arrayLength(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const pos = zset === undefined ? NONE : zset.find(argv[j]);
    if (zset === undefined || pos === NONE) {
      r.nullArray();
      continue;
    }
    const [x, y] = decodeScore(zset.scoreAt(pos));
    r.arrayLength(2);
    replyHumanDouble(ctx, x);
    replyHumanDouble(ctx, y);
  }
}

function geodist(ctx: CommandContext, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    toMeters = unitArg(ctx, argv[4]);
    if (toMeters < 0) return;
  } else if (argv.length > 5) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const p1 = zset.find(argv[2]);
  const p2 = p1 === NONE ? NONE : zset.find(argv[3]);
  if (p1 === NONE || p2 === NONE) {
    ctx.reply.nullBulk();
    return;
  }
  const [x1, y1] = decodeScore(zset.scoreAt(p1));
  const [x2, y2] = decodeScore(zset.scoreAt(p2));
  ctx.reply.bulk(formatDistance(geoDistance(x1, y1, x2, y2) / toMeters));
}

function geohash(ctx: CommandContext, argv: string[]): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  const r = ctx.reply;
  r.arrayLength(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const pos = zset === undefined ? NONE : zset.find(argv[j]);
    if (zset === undefined || pos === NONE) r.nullBulk();
    else r.bulk(standardGeohash(zset.scoreAt(pos)));
  }
}

// ------------------------------------------------------------------------------- searching

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** One match (geoPoint). */
interface GeoPoint {
  member: string;
  score: number;
  longitude: number;
  latitude: number;
  dist: number;
}

/**
 * geoGetPointsInRange: the members scored in [min, max) that lie inside the shape, appended;
 * stops once `limit` (0: none) points are collected.
 */
function pointsInRange(zset: ZSetValue, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const range = { min, max, minExclusive: false, maxExclusive: true };
  for (let p = zset.firstInScoreRange(range); p !== NONE; p = zset.next(p)) {
    const score = zset.scoreAt(p);
    if (!(score < max)) break;
    const [x, y] = decodeScore(score);
    const dist = distanceWithinShape(shape, x, y);
    if (dist >= 0) out.push({ member: zset.memberAt(p), score, longitude: x, latitude: y, dist });
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
  }
}

/** membersOfAllNeighbors: the centre cell and its neighbours, skipping repeats of the last box. */
function membersOfAreas(zset: ZSetValue, shape: GeoShape, limit: number): GeoPoint[] {
  const areas = areasByShape(shape);
  const out: GeoPoint[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < areas.length; i++) {
    const area = areas[i];
    if (isZero(area)) continue;
    // Huge radii can make neighbouring boxes the same one: each is searched once.
    if (lastProcessed !== 0 && area.bits === areas[lastProcessed].bits && area.step === areas[lastProcessed].step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const min = align52(area);
    const max = align52({ bits: area.bits + 1, step: area.step });
    pointsInRange(zset, min, max, shape, out, limit);
    lastProcessed = i;
  }
  return out;
}

function georadiusGeneric(ctx: CommandContext, argv: string[], srcKeyIndex: number, flags: number): void {
  let storeKey: string | null = null;
  let storeDist = false;
  const zset = zsetForRead(ctx, argv[srcKeyIndex]);
  if (zset === null) return;
  const shape: GeoShape = { type: 0, xy: [0, 0], conversion: 0, radius: 0, width: 0, height: 0 };
  let baseArgs: number;
  if ((flags & RADIUS_COORDS) !== 0) {
    baseArgs = 6;
    shape.type = CIRCULAR_TYPE;
    const xy = longLatArg(ctx, argv, 2);
    if (xy === null) return;
    shape.xy = xy;
    if (!distanceArg(ctx, argv, baseArgs - 2, shape)) return;
  } else if ((flags & RADIUS_MEMBER) !== 0 && zset === undefined) {
    // No source key: the options are still parsed, to know which empty reply to give.
    baseArgs = 5;
  } else if ((flags & RADIUS_MEMBER) !== 0 && zset !== undefined) {
    baseArgs = 5;
    shape.type = CIRCULAR_TYPE;
    const pos = zset.find(argv[2]);
    if (pos === NONE) {
      ctx.reply.error(ERR_DECODE_MEMBER);
      return;
    }
    shape.xy = decodeScore(zset.scoreAt(pos));
    if (!distanceArg(ctx, argv, baseArgs - 2, shape)) return;
  } else {
    baseArgs = 2;
    if ((flags & GEOSEARCHSTORE) !== 0) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const isSearch = (flags & GEOSEARCH) !== 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const at = baseArgs + i;
    const arg = argv[at];
    if (isKeyword(arg, 'WITHDIST')) {
      withDist = true;
    } else if (isKeyword(arg, 'WITHHASH')) {
      withHash = true;
    } else if (isKeyword(arg, 'WITHCOORD')) {
      withCoords = true;
    } else if (isKeyword(arg, 'ANY')) {
      any = true;
    } else if (isKeyword(arg, 'ASC')) {
      sort = SORT_ASC;
    } else if (isKeyword(arg, 'DESC')) {
      sort = SORT_DESC;
    } else if (isKeyword(arg, 'COUNT') && i + 1 < remaining) {
      const parsed = parseInt64(argv[at + 1]);
      if (parsed === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (parsed <= 0) {
        ctx.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(parsed);
      i++;
    } else if ((isKeyword(arg, 'STORE') || isKeyword(arg, 'STOREDIST')) && i + 1 < remaining &&
      (flags & RADIUS_NOSTORE) === 0 && !isSearch) {
      storeKey = argv[at + 1];
      storeDist = isKeyword(arg, 'STOREDIST');
      i++;
    } else if (isKeyword(arg, 'STOREDIST') && isSearch && (flags & GEOSEARCHSTORE) !== 0) {
      storeDist = true;
    } else if (isKeyword(arg, 'FROMMEMBER') && i + 1 < remaining && isSearch && !fromLoc) {
      if (zset !== undefined) {
        const pos = zset.find(argv[at + 1]);
        if (pos === NONE) {
          ctx.reply.error(ERR_DECODE_MEMBER);
          return;
        }
        shape.xy = decodeScore(zset.scoreAt(pos));
      }
      fromMember = true;
      i++;
    } else if (isKeyword(arg, 'FROMLONLAT') && i + 2 < remaining && isSearch && !fromMember) {
      const xy = longLatArg(ctx, argv, at + 1);
      if (xy === null) return;
      shape.xy = xy;
      fromLoc = true;
      i += 2;
    } else if (isKeyword(arg, 'BYRADIUS') && i + 2 < remaining && isSearch && !byBox) {
      if (!distanceArg(ctx, argv, at + 1, shape)) return;
      shape.type = CIRCULAR_TYPE;
      byRadius = true;
      i += 2;
    } else if (isKeyword(arg, 'BYBOX') && i + 3 < remaining && isSearch && !byRadius) {
      if (!boxArg(ctx, argv, at + 1, shape)) return;
      shape.type = RECTANGLE_TYPE;
      byBox = true;
      i += 3;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = (flags & GEOSEARCHSTORE) !== 0 ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    ctx.reply.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (isSearch && !(fromMember || fromLoc)) {
    ctx.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if (isSearch && !(byRadius || byBox)) {
    ctx.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && count === 0) {
    ctx.reply.error('ERR the ANY argument requires COUNT argument');
    return;
  }
  if (zset === undefined) {
    if (storeKey !== null) {
      deleteStoreKey(ctx, storeKey);
      ctx.reply.integer(0);
    } else {
      ctx.reply.arrayLength(0);
    }
    return;
  }
  // COUNT needs an order to mean "the closest N"; ANY alone keeps the search order.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = membersOfAreas(zset, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) {
    ctx.reply.arrayLength(0);
    return;
  }
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort === SORT_ASC) points.sort((a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1));
  else if (sort === SORT_DESC) points.sort((a, b) => (a.dist > b.dist ? -1 : a.dist === b.dist ? 0 : 1));
  if (storeKey === null) {
    replyPoints(ctx, points, returned, shape.conversion, withDist, withHash, withCoords);
    return;
  }
  storePoints(ctx, storeKey, points, returned, shape.conversion, storeDist, isSearch);
}

/** (long long)score as x86-64 converts it: truncation, and INT64_MIN when out of range. */
function scoreAsLongLong(score: number): number | bigint {
  if (!(score > -9223372036854775808 && score < 9223372036854775808)) return -9223372036854775808n;
  const whole = Math.trunc(score);
  return Number.isSafeInteger(whole) ? whole : BigInt(whole);
}

function replyPoints(
  ctx: CommandContext, points: GeoPoint[], returned: number, conversion: number,
  withDist: boolean, withHash: boolean, withCoords: boolean,
): void {
  const r = ctx.reply;
  const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
  r.arrayLength(returned);
  for (let i = 0; i < returned; i++) {
    const point = points[i];
    if (options > 0) r.arrayLength(options + 1);
    r.bulk(point.member);
    if (withDist) r.bulk(formatDistance(point.dist / conversion));
    if (withHash) r.integer(scoreAsLongLong(point.score));
    if (withCoords) {
      r.arrayLength(2);
      replyHumanDouble(ctx, point.longitude);
      replyHumanDouble(ctx, point.latitude);
    }
  }
}

function storePoints(
  ctx: CommandContext, storeKey: string, points: GeoPoint[], returned: number, conversion: number,
  storeDist: boolean, isSearch: boolean,
): void {
  if (returned === 0) {
    deleteStoreKey(ctx, storeKey);
    ctx.reply.integer(0);
    return;
  }
  const result = new ZSetValue(true);
  for (let i = 0; i < returned; i++) {
    const point = points[i];
    result.insert(point.member, storeDist ? point.dist / conversion : point.score);
  }
  result.convertToListpackIfFits(maxListpackEntries(ctx), maxListpackValueBytes(ctx));
  ctx.db.expireForWrite(storeKey);
  ctx.db.set(storeKey, result);
  ctx.server.events.signalModifiedKey(ctx.db, storeKey);
  ctx.server.events.notify(NOTIFY_ZSET, isSearch ? 'geosearchstore' : 'georadiusstore', storeKey, ctx.db.id);
  ctx.markDirty(returned);
  ctx.reply.integer(returned);
}

function deleteStoreKey(ctx: CommandContext, storeKey: string): void {
  if (!ctx.db.delete(storeKey)) return;
  ctx.server.events.signalModifiedKey(ctx.db, storeKey);
  ctx.server.events.notify(NOTIFY_GENERIC, 'del', storeKey, ctx.db.id);
  ctx.markDirty();
}

function georadius(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 1, RADIUS_COORDS);
}

function georadiusbymember(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER);
}

function georadiusRo(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}

function georadiusbymemberRo(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}

function geosearch(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 1, GEOSEARCH);
}

function geosearchstore(ctx: CommandContext, argv: string[]): void {
  georadiusGeneric(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

// -------------------------------------------------------------------------------------- table

const KEY_RO_ACCESS = keyAt(1, 'RO', 'access');

/** GEORADIUS's STORE / STOREDIST destination, found by keyword from `startFrom`. */
function storeKeySpec(keyword: string, startFrom: number): KeySpec {
  return { flags: ['OW', 'update'], begin: { type: 'keyword', keyword, startFrom }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
}

const RADIUS_OPTIONS = [
  { name: 'withcoord', type: 'pure-token', token: 'WITHCOORD', optional: true },
  { name: 'withdist', type: 'pure-token', token: 'WITHDIST', optional: true },
  { name: 'withhash', type: 'pure-token', token: 'WITHHASH', optional: true },
  { name: 'count', type: 'block', optional: true, arguments: [{ name: 'count', type: 'integer', token: 'COUNT' }, { name: 'any', type: 'pure-token', token: 'ANY', optional: true }] },
  { name: 'order', type: 'oneof', optional: true, arguments: [{ name: 'asc', type: 'pure-token', token: 'ASC' }, { name: 'desc', type: 'pure-token', token: 'DESC' }] },
] as const;

export const geoCommands: CommandSpec[] = [
  {
    name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], acl: ['geo'], keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Adds members with their longitude and latitude to a geo set (a sorted set).', since: '3.2.0', group: 'geo',
    complexity: 'O(log(N)) per member',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'condition', type: 'oneof', optional: true, arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] },
      { name: 'change', type: 'pure-token', token: 'CH', optional: true },
      { name: 'data', type: 'block', multiple: true, arguments: [{ name: 'longitude', type: 'double' }, { name: 'latitude', type: 'double' }, { name: 'member', type: 'string' }] },
    ],
    handler: geoadd,
  },
  {
    name: 'geopos', arity: -2, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'The longitude and latitude of members of a geo set.', since: '3.2.0', group: 'geo', complexity: 'O(N)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', optional: true, multiple: true }],
    handler: geopos,
  },
  {
    name: 'geodist', arity: -4, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'The distance between two members of a geo set.', since: '3.2.0', group: 'geo', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member1', type: 'string' }, { name: 'member2', type: 'string' },
      { name: 'unit', type: 'oneof', optional: true, arguments: [{ name: 'm', type: 'pure-token', token: 'M' }, { name: 'km', type: 'pure-token', token: 'KM' }, { name: 'ft', type: 'pure-token', token: 'FT' }, { name: 'mi', type: 'pure-token', token: 'MI' }] }],
    handler: geodist,
  },
  {
    name: 'geohash', arity: -2, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Standard 11-character geohashes of members of a geo set.', since: '3.2.0', group: 'geo', complexity: 'O(log(N)) per member',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', optional: true, multiple: true }],
    handler: geohash,
  },
  {
    name: 'geosearch', arity: -7, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members of a geo set within a radius or a box around a member or a position.', since: '6.2.0', group: 'geo',
    complexity: 'O(N+log(M))',
    arguments: [{ name: 'key', type: 'key' }, ...RADIUS_OPTIONS],
    handler: geosearch,
  },
  {
    name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], acl: ['geo'],
    keySpecs: [keyAt(1, 'OW', 'update'), keyAt(2, 'RO', 'access')],
    summary: 'GEOSEARCH stored in a key, with scores or distances.', since: '6.2.0', group: 'geo', complexity: 'O(N+log(M))',
    arguments: [{ name: 'destination', type: 'key' }, { name: 'source', type: 'key' },
      { name: 'storedist', type: 'pure-token', token: 'STOREDIST', optional: true }],
    handler: geosearchstore,
  },
  {
    name: 'georadius', arity: -6, flags: ['write', 'denyoom'], acl: ['geo'],
    keySpecs: [KEY_RO_ACCESS, storeKeySpec('STORE', 6), storeKeySpec('STOREDIST', 6)],
    summary: 'Members within a radius of a position (deprecated: GEOSEARCH).', since: '3.2.0', group: 'geo',
    complexity: 'O(N+log(M))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'longitude', type: 'double' }, { name: 'latitude', type: 'double' },
      { name: 'radius', type: 'double' }, ...RADIUS_OPTIONS],
    handler: georadius,
  },
  {
    name: 'georadius_ro', arity: -6, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'GEORADIUS without STORE (deprecated: GEOSEARCH).', since: '3.2.10', group: 'geo', complexity: 'O(N+log(M))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'longitude', type: 'double' }, { name: 'latitude', type: 'double' },
      { name: 'radius', type: 'double' }, ...RADIUS_OPTIONS],
    handler: georadiusRo,
  },
  {
    name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], acl: ['geo'],
    keySpecs: [KEY_RO_ACCESS, storeKeySpec('STORE', 5), storeKeySpec('STOREDIST', 5)],
    summary: 'Members within a radius of a member (deprecated: GEOSEARCH).', since: '3.2.0', group: 'geo',
    complexity: 'O(N+log(M))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }, { name: 'radius', type: 'double' }, ...RADIUS_OPTIONS],
    handler: georadiusbymember,
  },
  {
    name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], acl: ['geo'], keySpecs: [KEY_RO_ACCESS],
    summary: 'GEORADIUSBYMEMBER without STORE (deprecated: GEOSEARCH).', since: '3.2.10', group: 'geo',
    complexity: 'O(N+log(M))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }, { name: 'radius', type: 'double' }, ...RADIUS_OPTIONS],
    handler: georadiusbymemberRo,
  },
];

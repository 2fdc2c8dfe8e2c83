// Redis's geohash (geohash.c, geohash_helper.c): positions as 52-bit interleaved hashes (26
// bits of latitude on the even bits, 26 of longitude on the odd ones) within the Web Mercator
// limits, decoded to the centre of their cell, and the distance and search-area arithmetic
// done in the same double operations, in the same order, so results match redis-server's.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
/** Earth's quadratic mean radius for WGS-84, as Redis uses it. */
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO_POW_32 = 4294967296;

export interface CoordRange {
  min: number;
  max: number;
}

/** A hash of `step` bits per coordinate (2*step bits in all); step 0 with bits 0 is "none". */
export interface GeoHashBits {
  bits: number;
  step: number;
}

export interface GeoHashArea {
  longitude: CoordRange;
  latitude: CoordRange;
}

export const WGS84_LONG: CoordRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: CoordRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** Spreads the low 16 bits of v to the even bits of a 32-bit word. */
function spread16(value: number): number {
  let v = value & 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function squeeze32(value: number): number {
  let v = value & 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64: x on the even bits, y on the odd ones (both below 2^32; results below 2^53 here). */
export function interleave(x: number, y: number): number {
  const low = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const high = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return high * TWO_POW_32 + low;
}

/** deinterleave64: [even bits, odd bits] of an integer below 2^64. */
export function deinterleave(bits: number): [number, number] {
  return deinterleaveWords(bits % TWO_POW_32, Math.floor(bits / TWO_POW_32));
}

/** deinterleave64 of the 64-bit integer with these low and high 32-bit words. */
function deinterleaveWords(low: number, high: number): [number, number] {
  const x = squeeze32(low) | (squeeze32(high) << 16);
  const y = squeeze32(low >>> 1) | (squeeze32(high >>> 1) << 16);
  return [x >>> 0, y >>> 0];
}

/**
 * (uint64_t)score as x86-64 code computes it, as [low, high] 32-bit words: below 2^63 the
 * truncated value converted to a signed integer (cvttsd2si) in two's complement, or 2^63 (the
 * "integer indefinite") for -inf, NaN and values below -2^63; from 2^63 up the value less 2^63
 * converted the same way with the top bit flipped back, so 2^64 and more, and +inf, give 0.
 * Negative values are not exact as doubles once wrapped to 2^64 + value, hence the words.
 */
function uint64Words(score: number): [number, number] {
  if (score >= 2 ** 63) return score < 2 ** 64 ? [score % TWO_POW_32, Math.floor(score / TWO_POW_32)] : [0, 0];
  if (!(score >= -(2 ** 63))) return [0, 0x80000000];
  const whole = Math.trunc(score);
  if (whole >= 0) return [whole % TWO_POW_32, Math.floor(whole / TWO_POW_32)];
  // 2^64 + whole: the remainder and the quotient by 2^32 of a negative integer, borrowed.
  return [(whole % TWO_POW_32 + TWO_POW_32) % TWO_POW_32, TWO_POW_32 + Math.floor(whole / TWO_POW_32)];
}

/** geohashEncode: null outside the ranges or the Mercator limits. */
export function geohashEncode(longRange: CoordRange, latRange: CoordRange, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // The C conversion to uint32 truncates.
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

/** geohashDecode: the cell a hash names. */
export function geohashDecode(longRange: CoordRange, latRange: CoordRange, hash: GeoHashBits): GeoHashArea | null {
  if (hash.bits === 0 && hash.step === 0) return null;
  const [ilato, ilono] = deinterleave(hash.bits);
  return cellArea(longRange, latRange, ilato, ilono, hash.step);
}

/** The cell of the deinterleaved latitude and longitude parts of a hash of `step` bits. */
function cellArea(longRange: CoordRange, latRange: CoordRange, ilato: number, ilono: number, step: number): GeoHashArea {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const cells = 2 ** step;
  return {
    latitude: {
      min: latRange.min + (ilato * 1.0 / cells) * latScale,
      max: latRange.min + ((ilato + 1) * 1.0 / cells) * latScale,
    },
    longitude: {
      min: longRange.min + (ilono * 1.0 / cells) * longScale,
      max: longRange.min + ((ilono + 1) * 1.0 / cells) * longScale,
    },
  };
}

/**
 * The centre of a score's cell as [longitude, latitude] (decodeGeohash). Any score decodes:
 * one a geo set never holds (negative, infinite, past 2^52) through the C conversion to
 * uint64_t, all 64 bits deinterleaved, the centre clamped to the valid range.
 */
export function decodeScore(score: number): [number, number] {
  const [low, high] = uint64Words(score);
  const [ilato, ilono] = deinterleaveWords(low, high);
  const area = cellArea(WGS84_LONG, WGS84_LAT, ilato, ilono, GEO_STEP_MAX);
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** geohashAlign52Bits. */
export function align52(hash: GeoHashBits): number {
  return hash.bits * 2 ** (52 - hash.step * 2);
}

/** The 52-bit score of a position (GEOADD). */
export function encodeScore(longitude: number, latitude: number): number {
  return align52(geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX) as GeoHashBits);
}

/** Moves a hash one cell east/west (dx) and north/south (dy), wrapping as Redis's bit trick does. */
function moved(hash: GeoHashBits, dx: number, dy: number): GeoHashBits {
  const [lat, lon] = deinterleave(hash.bits);
  const cells = 2 ** hash.step;
  const newLon = (lon + dx + cells) % cells;
  const newLat = (lat + dy + cells) % cells;
  return { bits: interleave(newLat, newLon), step: hash.step };
}

const ZERO: GeoHashBits = { bits: 0, step: 0 };

export function isZero(hash: GeoHashBits): boolean {
  return hash.bits === 0 && hash.step === 0;
}

export const CIRCULAR_TYPE = 1;
export const RECTANGLE_TYPE = 2;

/** GeoShape: the search area, its centre and its unit. */
export interface GeoShape {
  type: number;
  /** [longitude, latitude] of the centre. */
  xy: [number, number];
  /** Meters per unit. */
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

/** geohashEstimateStepsByRadius. */
export function estimateStepsByRadius(rangeMetersIn: number, lat: number): number {
  let rangeMeters = rangeMetersIn;
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const longitude = shape.xy[0];
  const latitude = shape.xy[1];
  const height = shape.conversion * (shape.type === CIRCULAR_TYPE ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === CIRCULAR_TYPE ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/**
 * geohashCalculateAreasByShapeWGS84: the centre cell and its eight neighbours (zero where not
 * needed), in Redis's order: centre, N, S, E, W, NE, NW, SE, SW.
 */
export function areasByShape(shape: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const longitude = shape.xy[0];
  const latitude = shape.xy[1];
  let radiusMeters = shape.type === CIRCULAR_TYPE
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateStepsByRadius(radiusMeters, latitude);
  let hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) as GeoHashBits;
  const neighbours = (h: GeoHashBits): GeoHashBits[] => [
    moved(h, 0, 1), moved(h, 0, -1), moved(h, 1, 0), moved(h, -1, 0),
    moved(h, 1, 1), moved(h, -1, 1), moved(h, 1, -1), moved(h, -1, -1),
  ];
  let [north, south, east, west, northEast, northWest, southEast, southWest] = neighbours(hash);
  let area = geohashDecode(WGS84_LONG, WGS84_LAT, hash) as GeoHashArea;
  // Near an edge of the covered area the estimated step may leave a gap: one step coarser.
  const n = geohashDecode(WGS84_LONG, WGS84_LAT, north) as GeoHashArea;
  const s = geohashDecode(WGS84_LONG, WGS84_LAT, south) as GeoHashArea;
  const e = geohashDecode(WGS84_LONG, WGS84_LAT, east) as GeoHashArea;
  const w = geohashDecode(WGS84_LONG, WGS84_LAT, west) as GeoHashArea;
  const decrease = n.latitude.max < maxLat || s.latitude.min > minLat || e.longitude.max < maxLon || w.longitude.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) as GeoHashBits;
    [north, south, east, west, northEast, northWest, southEast, southWest] = neighbours(hash);
    area = geohashDecode(WGS84_LONG, WGS84_LAT, hash) as GeoHashArea;
  }
  // Leave out the neighbours the search area cannot reach.
  if (steps >= 2) {
    if (area.latitude.min < minLat) {
      south = ZERO;
      southWest = ZERO;
      southEast = ZERO;
    }
    if (area.latitude.max > maxLat) {
      north = ZERO;
      northEast = ZERO;
      northWest = ZERO;
    }
    if (area.longitude.min < minLon) {
      west = ZERO;
      southWest = ZERO;
      northWest = ZERO;
    }
    if (area.longitude.max > maxLon) {
      east = ZERO;
      southEast = ZERO;
      northEast = ZERO;
    }
  }
  return [hash, north, south, east, west, northEast, northWest, southEast, southWest];
}

/** geohashGetLatDistance. */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine, in meters. */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape for a decoded point: its distance from the centre when inside the shape,
 * else -1.
 */
export function distanceWithinShape(shape: GeoShape, x: number, y: number): number {
  if (shape.type === CIRCULAR_TYPE) {
    const distance = geoDistance(shape.xy[0], shape.xy[1], x, y);
    return distance > shape.radius * shape.conversion ? -1 : distance;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(y, shape.xy[1]) > heightM / 2) return -1;
  if (geoDistance(x, y, shape.xy[0], y) > widthM / 2) return -1;
  return geoDistance(shape.xy[0], shape.xy[1], x, y);
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-char standard geohash of a stored score (re-encoded with latitude -90..90). */
export function standardGeohash(score: number): string {
  const [x, y] = decodeScore(score);
  const hash = geohashEncode({ min: -180, max: 180 }, { min: -90, max: 90 }, x, y, 26);
  const bits = hash === null ? 0 : hash.bits;
  let out = '';
  for (let i = 0; i < 11; i++) {
    // 52 bits make 10 full characters; the 11th is "0", as Redis writes it.
    const idx = i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) & 0x1f;
    out += GEO_ALPHABET[idx];
  }
  return out;
}

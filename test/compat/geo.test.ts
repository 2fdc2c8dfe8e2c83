import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// Geo replies compared byte for byte with redis-server in RESP2 and RESP3: scores, positions,
// distances and geohashes to the digit, and every argument error.

const places = [
  '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '-122.27652', '37.805186', 'oakland',
  '-122.2674626', '37.8062344', 'berkeley', '-0.1278', '51.5074', 'london', '2.3522', '48.8566', 'paris',
  '139.6917', '35.6895', 'tokyo', '-179.9999', '-85.05112878', 'edge', '180', '85.05112878', 'corner', '0', '0', 'origin',
];

const basics: Step[] = [
  ['GEOADD', 'g', ...places], ['GEOADD', 'g', ...places], ['GEOADD', 'g', 'CH', '13.5', '38.2', 'Palermo', '1', '1', 'fresh'],
  ['GEOADD', 'g', 'NX', '0', '0', 'Palermo', '2', '2', 'nxnew'], ['GEOADD', 'g', 'XX', 'CH', '3', '3', 'nxnew', '4', '4', 'xxmissing'],
  ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'g'],
  ['GEOPOS', 'g', 'Palermo', 'Catania', 'nope', 'edge', 'corner', 'origin', 'tokyo'], ['GEOPOS', 'nokey', 'a'], ['GEOPOS', 'g'],
  ['GEOHASH', 'g', 'Palermo', 'Catania', 'nope', 'edge', 'corner', 'origin', 'london'], ['GEOHASH', 'nokey', 'a'],
  ['GEODIST', 'g', 'Palermo', 'Catania'], ['GEODIST', 'g', 'Palermo', 'Catania', 'km'], ['GEODIST', 'g', 'Palermo', 'Catania', 'MI'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'ft'], ['GEODIST', 'g', 'oakland', 'berkeley', 'm'], ['GEODIST', 'g', 'london', 'tokyo', 'km'],
  ['GEODIST', 'g', 'Palermo', 'Palermo'], ['GEODIST', 'g', 'Palermo', 'nope'], ['GEODIST', 'nokey', 'a', 'b'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'yards'], ['GEODIST', 'g', 'Palermo', 'Catania', 'km', 'extra'],
];

const searches: Step[] = [
  ['GEOADD', 's', ...places],
  ['GEORADIUS', 's', '15', '37', '200', 'km'], ['GEORADIUS', 's', '15', '37', '200', 'km', 'ASC'],
  ['GEORADIUS', 's', '15', '37', '200', 'km', 'DESC', 'WITHDIST', 'WITHCOORD', 'WITHHASH'],
  ['GEORADIUS', 's', '15', '37', '200', 'km', 'COUNT', '1'], ['GEORADIUS', 's', '15', '37', '200', 'km', 'COUNT', '1', 'DESC'],
  ['GEORADIUS', 's', '15', '37', '200', 'km', 'COUNT', '1', 'ANY'], ['GEORADIUS', 's', '-122.27', '37.8', '5', 'mi', 'WITHDIST'],
  ['GEORADIUS_RO', 's', '15', '37', '200000', 'm', 'WITHDIST', 'ASC'], ['GEORADIUS', 's', '0', '0', '20000', 'km', 'ASC'],
  ['GEORADIUSBYMEMBER', 's', 'Palermo', '100', 'km', 'WITHDIST'], ['GEORADIUSBYMEMBER_RO', 's', 'oakland', '10', 'km', 'WITHCOORD', 'DESC'],
  ['GEORADIUSBYMEMBER', 's', 'nope', '100', 'km'], ['GEORADIUSBYMEMBER', 'nokey', 'x', '100', 'km'],
  ['GEOSEARCH', 's', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC', 'WITHDIST'],
  ['GEOSEARCH', 's', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHCOORD', 'WITHHASH'],
  ['GEOSEARCH', 's', 'FROMLONLAT', '0', '0', 'BYBOX', '100', '100', 'km'], ['GEOSEARCH', 's', 'FROMLONLAT', '2', '50', 'BYRADIUS', '500', 'km', 'COUNT', '2'],
  ['GEOSEARCH', 's', 'FROMLONLAT', '0', '0', 'BYRADIUS', '0', 'm'], ['GEOSEARCH', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'],
  ['GEOSEARCHSTORE', 'dst', 's', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['GEOSEARCHSTORE', 'dst', 's', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST', 'DESC', 'COUNT', '1'],
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'], ['GEOSEARCHSTORE', 'dst', 's', 'FROMLONLAT', '100', '10', 'BYRADIUS', '1', 'km'],
  ['EXISTS', 'dst'], ['GEORADIUS', 's', '15', '37', '200', 'km', 'STORE', 'dst2'], ['ZRANGE', 'dst2', '0', '-1', 'WITHSCORES'],
  ['GEORADIUS', 's', '15', '37', '200', 'km', 'STOREDIST', 'dst2'], ['ZRANGE', 'dst2', '0', '-1', 'WITHSCORES'],
  ['GEORADIUSBYMEMBER', 'nokey', 'x', '100', 'km', 'STORE', 'dst2'], ['EXISTS', 'dst2'],
];

const errors: Step[] = [
  ['GEOADD', 'e', '200', '0', 'bad'], ['GEOADD', 'e', '0', '86', 'bad'], ['GEOADD', 'e', '-180.000001', '-85.05112879', 'bad'],
  ['GEOADD', 'e', 'x', '0', 'bad'], ['GEOADD', 'e', '0', 'x', 'bad'], ['GEOADD', 'e', '1', '2'], ['GEOADD', 'e', 'NX', 'XX', '1', '2', 'a'],
  ['GEOADD', 'e', 'CH', '1', '2'], ['EXISTS', 'e'], ['GEOADD', 'e', '1e400', '0', 'a'],
  ['GEOADD', 'e', '1', '1', 'a'], ['SET', 'str', 'x'], ['GEOADD', 'str', '1', '1', 'a'], ['GEOPOS', 'str', 'a'], ['GEODIST', 'str', 'a', 'b'],
  ['GEOHASH', 'str', 'a'], ['GEOSEARCH', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'],
  ['GEORADIUS', 'e', '1', '1', '-1', 'km'], ['GEORADIUS', 'e', '1', '1', 'x', 'km'], ['GEORADIUS', 'e', '1', '1', '1', 'yd'],
  ['GEORADIUS', 'e', '1', '1', '1', 'km', 'COUNT', '0'], ['GEORADIUS', 'e', '1', '1', '1', 'km', 'COUNT', 'x'],
  ['GEORADIUS', 'e', '1', '1', '1', 'km', 'ANY'], ['GEORADIUS', 'e', '1', '1', '1', 'km', 'BOGUS'],
  ['GEORADIUS', 'e', '1', '1', '1', 'km', 'STORE', 'x', 'WITHDIST'], ['GEORADIUS_RO', 'e', '1', '1', '1', 'km', 'STORE', 'x'],
  ['GEORADIUS', 'e', '200', '1', '1', 'km'], ['GEORADIUS', 'e', '1', '1', '1', 'km', 'COUNT'],
  ['GEOSEARCH', 'e', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0'],
  ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
  ['GEOSEARCH', 'e', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'BYBOX', '-1', '1', 'km'],
  ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'BYBOX', 'x', '1', 'km'], ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'BYBOX', '1', 'x', 'km'],
  ['GEOSEARCH', 'e', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'STORE', 'x'], ['geosearch', 'e', 'BYRADIUS', '1', 'km', 'ASC'],
  ['GEOSEARCHSTORE', 'd', 'e', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'WITHDIST'],
  ['GEOSEARCHSTORE', 'd', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
];

// Scores no GEOADD writes, set by ZADD: Redis decodes (uint64_t)score, which on x86-64 wraps a
// negative value to 2^64 + value and turns -inf (and anything below -2^63) into 2^63, +inf and
// 2^64 and more into 0; all 64 bits are deinterleaved and the centre clamped.
const foreignScores: Step[] = [
  ['ZADD', 'f', '5e-324', 'zero', '-inf', 'minf', 'inf', 'pinf', '-1', 'm1', '-0.5', 'mhalf', '-9223372036854775808', 'm63',
    '-1e19', 'm19', '-4503599627370497', 'm52', '-123456789.7', 'mfrac', '9223372036854775808', 'p63', '1.5e19', 'p19',
    '18446744073709551616', 'p64', '-4294967297', 'm32', '4503599627370496', 'p52'],
  ['GEOPOS', 'f', 'zero', 'minf', 'pinf', 'm1', 'mhalf', 'm63', 'm19', 'm52', 'mfrac', 'p63', 'p19', 'p64', 'm32', 'p52'],
  ['GEOHASH', 'f', 'zero', 'minf', 'pinf', 'm1', 'mhalf', 'm63', 'm19', 'm52', 'mfrac', 'p63', 'p19', 'p64', 'm32', 'p52'],
  ['GEODIST', 'f', 'minf', 'zero'], ['GEODIST', 'f', 'm1', 'p52', 'km'],
  ['GEORADIUSBYMEMBER', 'f', 'minf', '100', 'm', 'WITHCOORD', 'WITHHASH'], ['GEORADIUSBYMEMBER', 'f', 'm1', '100', 'm'],
  ['GEOSEARCH', 'f', 'FROMMEMBER', 'mfrac', 'BYBOX', '20000', '20000', 'km', 'ASC', 'WITHHASH'],
];

/** Prefixes every key argument of these steps so each run has fresh keys. */
function keyed(steps: Step[], prefix: string): Step[] {
  return steps.map((step) => {
    if (!Array.isArray(step) || step.length < 2) return step;
    const [name, ...rest] = step;
    const upper = name.toUpperCase();
    if (upper === 'OBJECT') return [name, rest[0], prefix + rest[1]];
    const out = [name, prefix + rest[0], ...rest.slice(1)];
    if (upper === 'GEOSEARCHSTORE') out[2] = prefix + out[2];
    for (let i = 2; i < out.length - 1; i++) {
      if (/^(STORE|STOREDIST)$/i.test(out[i]) && upper !== 'GEOSEARCHSTORE') out[i + 1] = prefix + out[i + 1];
    }
    return out;
  });
}

describeDifferential('geo commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`GEOADD, GEOPOS, GEOHASH and GEODIST match in RESP${resp}`, async () => {
      await servers.run(keyed(basics, `basics${resp}:`), resp);
    });
    it(`radius and box searches match in RESP${resp}`, async () => {
      await servers.run(keyed(searches, `search${resp}:`), resp);
    });
    it(`members with scores outside the geohash range decode as in Redis, RESP${resp}`, async () => {
      await servers.run(keyed(foreignScores, `foreign${resp}:`), resp);
    });
    it(`argument and type errors match in RESP${resp}`, async () => {
      await servers.run(keyed(errors, `errors${resp}:`), resp);
    });
  }
});

// Geo commands for the differential fuzzer, on their own sorted-set keys (and now and then the
// zset pool's). Coordinates include the edges of the valid range and invalid ones; results
// without ASC/DESC come in the order Redis's nine-box search finds them, which is fixed.

import { GEO_KEYS, ZSET_KEYS, type Command, type FuzzContext } from './chooser.js';
const MEMBERS = ['Palermo', 'Catania', 'Oakland', 'origin', 'pole', 'a', 'b', '', 'edge'];
const COORDS: readonly (readonly [string, string])[] = [
  ['13.361389', '38.115556'], ['15.087269', '37.502669'], ['-122.27652', '37.805186'], ['0', '0'],
  ['180', '85.05112878'], ['-180', '-85.05112878'], ['13.5', '38'], ['15', '37.5'], ['14', '38.2'],
];
const BAD_COORDS: readonly (readonly [string, string])[] = [['200', '0'], ['0', '86'], ['x', '1'], ['1', ''], ['nan', '0']];
const UNITS = ['m', 'km', 'mi', 'ft', 'KM', 'x'];

function coords(ctx: FuzzContext): readonly [string, string] {
  return ctx.c.chance(0.06) ? ctx.c.pick(BAD_COORDS) : ctx.c.pick(COORDS);
}

function key(ctx: FuzzContext): string {
  return ctx.c.chance(0.1) ? ctx.key(ZSET_KEYS) : ctx.key(GEO_KEYS);
}

/** Shape, order and reply options shared by GEOSEARCH and GEORADIUS. */
function searchOptions(ctx: FuzzContext, store: boolean): string[] {
  const c = ctx.c;
  const opts: string[] = [];
  if (c.chance(0.5)) opts.push(c.pick(['ASC', 'DESC']));
  if (c.chance(0.35)) {
    opts.push('COUNT', c.pick(['1', '2', '10', '0', '-1', 'x']));
    // ANY stops at the first matches found, in the search's own order (still deterministic).
    if (c.chance(0.3)) opts.push('ANY');
  }
  if (!store) {
    if (c.chance(0.35)) opts.push('WITHDIST');
    if (c.chance(0.25)) opts.push('WITHCOORD');
    if (c.chance(0.2)) opts.push('WITHHASH');
  }
  if (c.chance(0.02)) opts.push(c.pick(['BOGUS', 'COUNT', 'STORE']));
  return opts;
}

export function geoCommand(ctx: FuzzContext): Command {
  const c = ctx.c;
  const k = key(ctx);
  switch (c.int(0, 13)) {
    case 0: case 1: case 2: {
      const opts = c.chance(0.25) ? [c.pick(['NX', 'XX', 'CH', 'nx'])] : [];
      if (c.chance(0.05)) opts.push(c.pick(['NX', 'XX']));
      const items: string[] = [];
      for (let i = c.int(1, 3); i > 0; i--) items.push(...coords(ctx), c.pick(MEMBERS));
      return ['GEOADD', k, ...opts, ...items];
    }
    case 3: return ['GEOPOS', k, ...c.several(MEMBERS, 1, 3)];
    case 4: return ['GEOHASH', k, ...c.several(MEMBERS, 0, 3)];
    case 5: return ['GEODIST', k, c.pick(MEMBERS), c.pick(MEMBERS), ...(c.chance(0.5) ? [c.pick(UNITS)] : [])];
    case 6: case 7: case 8: {
      const from = c.chance(0.5) ? ['FROMLONLAT', ...coords(ctx)] : ['FROMMEMBER', c.pick(MEMBERS)];
      const by = c.chance(0.6)
        ? ['BYRADIUS', c.pick(['1', '100', '300', '5000', '0', '-1']), c.pick(UNITS)]
        : ['BYBOX', c.pick(['400', '100', '20000']), c.pick(['400', '50', 'x']), c.pick(UNITS)];
      if (c.chance(0.3)) {
        const opts = searchOptions(ctx, true);
        if (c.chance(0.3)) opts.push('STOREDIST');
        return ['GEOSEARCHSTORE', key(ctx), k, ...from, ...by, ...opts];
      }
      return ['GEOSEARCH', k, ...from, ...by, ...searchOptions(ctx, false)];
    }
    case 9: case 10: {
      const store = c.chance(0.25);
      const tail = store ? [c.pick(['STORE', 'STOREDIST']), key(ctx)] : [];
      const ro = !store && c.chance(0.3);
      const radius = [c.pick(['100', '300', '5000', '0', '-1']), c.pick(UNITS)];
      return [ro ? 'GEORADIUS_RO' : 'GEORADIUS', k, ...coords(ctx), ...radius, ...searchOptions(ctx, store), ...tail];
    }
    case 11: {
      const store = c.chance(0.25);
      const tail = store ? [c.pick(['STORE', 'STOREDIST']), key(ctx)] : [];
      const ro = !store && c.chance(0.3);
      return [ro ? 'GEORADIUSBYMEMBER_RO' : 'GEORADIUSBYMEMBER', k, c.pick(MEMBERS), c.pick(['100', '500', '0']), c.pick(UNITS), ...searchOptions(ctx, store), ...tail];
    }
    case 12: return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
    default: return ['ZREM', k, c.pick(MEMBERS)];
  }
}

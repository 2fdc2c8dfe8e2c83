// Where Lua 5.1's ltable.c places a key in a table's hash part, so that tables built by the same
// operations lay their keys out as Redis's Lua does: pairs()/next() order (and with it the order
// of cjson.encode objects, cmsgpack maps and RESP3 map replies) and the border `#` finds in a
// table with holes follow from that layout.

/** Redis's Lua hashes every byte of a string (its lstring.c uses step 1, not 5.1's sampling). */
export function luaStringHash(s: string): number {
  let h = s.length;
  for (let i = s.length; i >= 1; i--) {
    h = h ^ ((h << 5) + (h >>> 2) + (s.charCodeAt(i - 1) & 0xff));
  }
  return h >>> 0;
}

const numberScratch = new Float64Array(1);
const numberWords = new Uint32Array(numberScratch.buffer);

/** hashnum: the two 32-bit halves of the double added (0 and -0 go to node 0). */
function numberHash(n: number): number {
  numberScratch[0] = n;
  return (numberWords[0] + numberWords[1]) >>> 0;
}

/** Stand-ins for the addresses Lua hashes tables, functions and userdata by. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function objectHash(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) {
    // Spaced like heap addresses of equal-sized objects.
    id = (nextObjectId++ * 40) >>> 0;
    objectIds.set(o, id);
  }
  return id;
}

/** ltable.c's mainposition for a node vector of `size` (a power of two) slots. */
export function mainPosition(key: unknown, size: number): number {
  switch (typeof key) {
    case 'string':
      return luaStringHash(key) & (size - 1);
    case 'number':
      if (key === 0) return 0;
      return numberHash(key) % ((size - 1) | 1);
    case 'boolean':
      return (key ? 1 : 0) & (size - 1);
    default:
      return objectHash(key as object) % ((size - 1) | 1);
  }
}

/** ceil(log2(x)) for x >= 1. */
export function ceilLog2(x: number): number {
  let log = 0;
  let power = 1;
  while (power < x) {
    power *= 2;
    log++;
  }
  return log;
}

/** luaO_int2fb then luaO_fb2int: the size a constructor's count is rounded up to. */
export function floatingByteSize(x: number): number {
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >>> 1;
    e++;
  }
  return x < 8 ? x : (x % 8 + 8) * 2 ** e;
}

// CRC-64/Jones as Redis computes it (crc64.c): polynomial 0xad93d23594c935a9, input and output
// reflected, initial value 0, no final xor. Check value: "123456789" -> 0xe9c6d914c4b8d9ca.
// DUMP payloads and RDB files end with it (little endian).
//
// The 64-bit register is kept as two 32-bit halves (no BigInt per byte); a table per byte
// position (slicing by 8) lets the main loop consume eight bytes per step.

/** The polynomial with its bits reversed, as a reflected table-driven CRC needs it. */
const POLY_REFLECTED_HI = 0x95ac9329;
const POLY_REFLECTED_LO = 0xac4bc9b5;

const SLICES = 8;
/** TABLE_HI[k * 256 + b] / TABLE_LO[...]: the register change for byte b seen k bytes ago. */
const TABLE_HI = new Uint32Array(SLICES * 256);
const TABLE_LO = new Uint32Array(SLICES * 256);

function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let hi = 0;
    let lo = b;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (carry !== 0) {
        hi = (hi ^ POLY_REFLECTED_HI) >>> 0;
        lo = (lo ^ POLY_REFLECTED_LO) >>> 0;
      }
    }
    TABLE_HI[b] = hi;
    TABLE_LO[b] = lo;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let b = 0; b < 256; b++) {
      // One more zero byte through the register: shift right 8 and fold the low byte back in.
      const prevHi = TABLE_HI[(k - 1) * 256 + b];
      const prevLo = TABLE_LO[(k - 1) * 256 + b];
      const idx = prevLo & 0xff;
      TABLE_HI[k * 256 + b] = ((prevHi >>> 8) ^ TABLE_HI[idx]) >>> 0;
      TABLE_LO[k * 256 + b] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx]) >>> 0;
    }
  }
}
buildTables();

/** A running CRC64 register (hi/lo halves), for inputs that arrive in pieces. */
export class Crc64 {
  hi = 0;
  lo = 0;

  update(data: Uint8Array, start = 0, end = data.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    const tHi = TABLE_HI;
    const tLo = TABLE_LO;
    for (; i + SLICES <= end; i += SLICES) {
      const l = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const h = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
      const i7 = 7 * 256 + (l & 0xff);
      const i6 = 6 * 256 + ((l >>> 8) & 0xff);
      const i5 = 5 * 256 + ((l >>> 16) & 0xff);
      const i4 = 4 * 256 + (l >>> 24);
      const i3 = 3 * 256 + (h & 0xff);
      const i2 = 2 * 256 + ((h >>> 8) & 0xff);
      const i1 = 256 + ((h >>> 16) & 0xff);
      const i0 = h >>> 24;
      hi = tHi[i7] ^ tHi[i6] ^ tHi[i5] ^ tHi[i4] ^ tHi[i3] ^ tHi[i2] ^ tHi[i1] ^ tHi[i0];
      lo = tLo[i7] ^ tLo[i6] ^ tLo[i5] ^ tLo[i4] ^ tLo[i3] ^ tLo[i2] ^ tLo[i1] ^ tLo[i0];
    }
    for (; i < end; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tLo[idx];
      hi = (hi >>> 8) ^ tHi[idx];
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** Writes the register little endian (the byte order of DUMP and RDB trailers). */
  writeLE(target: Uint8Array, offset: number): void {
    const { hi, lo } = this;
    target[offset] = lo & 0xff;
    target[offset + 1] = (lo >>> 8) & 0xff;
    target[offset + 2] = (lo >>> 16) & 0xff;
    target[offset + 3] = lo >>> 24;
    target[offset + 4] = hi & 0xff;
    target[offset + 5] = (hi >>> 8) & 0xff;
    target[offset + 6] = (hi >>> 16) & 0xff;
    target[offset + 7] = hi >>> 24;
  }

  /** True when the eight bytes at `offset` hold this register little endian. */
  equalsLE(source: Uint8Array, offset: number): boolean {
    const lo = (source[offset] | (source[offset + 1] << 8) | (source[offset + 2] << 16) | (source[offset + 3] << 24)) >>> 0;
    const hi = (source[offset + 4] | (source[offset + 5] << 8) | (source[offset + 6] << 16) | (source[offset + 7] << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }

  /** The register as a bigint (tests, logs). */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** CRC64 of a whole buffer (or a range of it). */
export function crc64(data: Uint8Array, start = 0, end = data.length): Crc64 {
  return new Crc64().update(data, start, end);
}

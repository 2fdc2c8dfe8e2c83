// SHA-1 (FIPS 180-4) for many small inputs: DEBUG DIGEST hashes several short strings per key
// (a million keys are millions of hashes), where node:crypto's per-call object and native
// transition cost microseconds each. Here a hash is a loop over preallocated typed arrays.

const W = new Int32Array(80);
/** Latin1 strings up to this long are copied into `scratch` before hashing; longer ones get a Buffer of their own. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** Runs the compression function over 16 words already in W[0..15]; updates `h` in place. */
function compress(h: Int32Array): void {
  const w = W;
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  // Four stages of 20 rounds, each with its own mixing function and constant.
  for (let t = 0; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 20; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 40; t < 60; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e - 0x70e44324 + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 60; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e - 0x359d3e2a + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

const H = new Int32Array(5);

/** SHA-1 of `data[start, end)`, written as 20 bytes at `out[outOffset]`. */
export function sha1Bytes(data: Uint8Array, start: number, end: number, out: Uint8Array, outOffset = 0): void {
  const h = H;
  h[0] = 0x67452301;
  h[1] = 0xefcdab89 | 0;
  h[2] = 0x98badcfe | 0;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0 | 0;
  const w = W;
  const length = end - start;
  let p = start;
  // Whole blocks.
  for (; p + 64 <= end; p += 64) {
    for (let i = 0; i < 16; i++) {
      const q = p + i * 4;
      w[i] = (data[q] << 24) | (data[q + 1] << 16) | (data[q + 2] << 8) | data[q + 3];
    }
    compress(h);
  }
  // The tail, the 0x80 marker and the bit length (one or two more blocks).
  const rest = end - p;
  w.fill(0, 0, 16);
  for (let i = 0; i < rest; i++) w[i >> 2] |= data[p + i] << (24 - (i & 3) * 8);
  w[rest >> 2] |= 0x80 << (24 - (rest & 3) * 8);
  if (rest >= 56) {
    compress(h);
    w.fill(0, 0, 16);
  }
  const bits = length * 8;
  w[14] = Math.floor(bits / 0x100000000) | 0;
  w[15] = bits | 0;
  compress(h);
  for (let i = 0; i < 5; i++) {
    const v = h[i];
    const o = outOffset + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
}

/** SHA-1 of a latin1 string (its one byte per char), written as 20 bytes at `out[outOffset]`. */
export function sha1Latin1(text: string, out: Uint8Array, outOffset = 0): void {
  if (text.length > SCRATCH_BYTES) {
    const bytes = Buffer.from(text, 'latin1');
    sha1Bytes(bytes, 0, bytes.length, out, outOffset);
    return;
  }
  const n = scratch.latin1Write(text, 0);
  sha1Bytes(scratch, 0, n, out, outOffset);
}

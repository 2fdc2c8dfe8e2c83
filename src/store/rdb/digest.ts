// DEBUG DIGEST's arithmetic (debug.c): a 20-byte SHA1 state that values are folded into.
//   xor(data): state ^= SHA1(data)               order-insensitive (set members, keys)
//   mix(data): state = SHA1(state ^ SHA1(data))  order-sensitive (list elements, a key's parts)
// Each type's codec folds its value in exactly as xorObjectDigest does for it, so digests equal
// redis-server's for the same dataset.

import { sha1Bytes, sha1Latin1 } from '../../util/sha1.js';

export const DIGEST_BYTES = 20;

/** One SHA1 result at a time (digests are computed synchronously). */
const hash = new Uint8Array(DIGEST_BYTES);
const four = new Uint8Array(4);

export class Digest {
  readonly bytes = Buffer.alloc(DIGEST_BYTES);

  /** state ^= SHA1(data); a string is taken as latin1 bytes. */
  xor(data: string | Uint8Array): void {
    if (typeof data === 'string') sha1Latin1(data, hash, 0);
    else sha1Bytes(data, 0, data.length, hash, 0);
    const b = this.bytes;
    for (let i = 0; i < DIGEST_BYTES; i++) b[i] ^= hash[i];
  }

  /** state = SHA1(state ^ SHA1(data)). */
  mix(data: string | Uint8Array): void {
    this.xor(data);
    sha1Bytes(this.bytes, 0, DIGEST_BYTES, this.bytes, 0);
  }

  /** mix() of a 32-bit number in network byte order (type tags, db numbers). */
  mixUint32BE(value: number): void {
    four[0] = value >>> 24;
    four[1] = (value >>> 16) & 0xff;
    four[2] = (value >>> 8) & 0xff;
    four[3] = value & 0xff;
    this.mix(four);
  }

  /** xor() of another digest's state: how an element digest joins its container's. */
  xorDigest(other: Digest): void {
    this.xor(other.bytes);
  }

  reset(): void {
    this.bytes.fill(0);
  }

  hex(): string {
    return this.bytes.toString('hex');
  }
}

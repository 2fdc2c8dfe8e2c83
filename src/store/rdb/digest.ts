// DEBUG DIGEST's arithmetic (debug.c): a 20-byte SHA1 state that values are folded into.
//   xor(data): state ^= SHA1(data)               order-insensitive (set members, keys)
//   mix(data): state = SHA1(state ^ SHA1(data))  order-sensitive (list elements, a key's parts)
// Each type's codec folds its value in exactly as xorObjectDigest does for it, so digests equal
// redis-server's for the same dataset.

import { createHash } from 'node:crypto';

export const DIGEST_BYTES = 20;

export class Digest {
  readonly bytes = Buffer.alloc(DIGEST_BYTES);

  private xorHash(hash: Buffer): void {
    const b = this.bytes;
    for (let i = 0; i < DIGEST_BYTES; i++) b[i] ^= hash[i];
  }

  /** state ^= SHA1(data); a string is taken as latin1 bytes. */
  xor(data: string | Uint8Array): void {
    const h = createHash('sha1');
    if (typeof data === 'string') h.update(data, 'latin1');
    else h.update(data);
    this.xorHash(h.digest());
  }

  /** state = SHA1(state ^ SHA1(data)). */
  mix(data: string | Uint8Array): void {
    this.xor(data);
    const next = createHash('sha1').update(this.bytes).digest();
    next.copy(this.bytes);
  }

  /** mix() of a 32-bit number in network byte order (type tags, db numbers). */
  mixUint32BE(value: number): void {
    const four = Buffer.allocUnsafe(4);
    four.writeUInt32BE(value >>> 0, 0);
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

// Seeded randomness for fuzz-style tests, so that a failing case can be replayed from its seed.

/** mulberry32: a small deterministic PRNG giving floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A DUMP payload with one random change inside its value (the type byte and the 10-byte footer
 * untouched): a flipped bit, a replaced byte, a byte removed or a byte inserted.
 */
export function mutatePayload(payload: Buffer, rand: () => number): Buffer {
  const copy = Buffer.from(payload);
  const at = 1 + Math.floor(rand() * (copy.length - 11));
  const op = Math.floor(rand() * 4);
  if (op === 0) copy[at] ^= 1 << Math.floor(rand() * 8);
  else if (op === 1) copy[at] = Math.floor(rand() * 256);
  else if (op === 2) return Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1)]);
  else return Buffer.concat([copy.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), copy.subarray(at)]);
  return copy;
}

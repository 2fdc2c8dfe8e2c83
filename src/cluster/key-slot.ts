/**
 * Hash slots: a key's slot is the low 14 bits of the CRC16 (XMODEM: polynomial 0x1021, initial
 * value 0, no reflection) of the key, or of its hash tag: the bytes between the first '{' and
 * the first '}' after it, when that span is not empty.
 */

export const CLUSTER_SLOTS = 16384;

/** Bytes of one slot bitmap (one bit per slot). */
export const SLOT_BITMAP_BYTES = CLUSTER_SLOTS / 8;

const CRC16_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

/** CRC16-XMODEM of the latin1 string's bytes in [start, end). */
export function crc16(text: string, start = 0, end = text.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ text.charCodeAt(i)) & 0xff]!;
  }
  return crc;
}

/** CRC16-XMODEM of a byte buffer. */
export function crc16Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}

/**
 * The slot of a key given as a latin1 string (one char per byte, as the store keeps keys) or as
 * raw bytes.
 */
export function keyHashSlot(key: string | Uint8Array): number {
  if (typeof key !== 'string') return bytesHashSlot(key);
  // A write asks twice for the same key's slot (routing, then the slot index as the key is
  // stored): the second answer comes from here, without a second CRC.
  if (key === lastKey) return lastKeySlot;
  const slot = stringHashSlot(key);
  lastKey = key;
  lastKeySlot = slot;
  return slot;
}

let lastKey = '';
let lastKeySlot = crc16('') & 0x3fff;

function stringHashSlot(key: string): number {
  // One pass: the CRC of the whole key is built while looking for '{'; only a key with a '{'
  // goes back for its hash tag.
  let crc = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x7b) return taggedHashSlot(key, i);
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc & 0x3fff;
}

/** The slot of a key whose first '{' is at `open`: its hash tag's, or the whole key's when the tag is empty or unclosed. */
function taggedHashSlot(key: string, open: number): number {
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return crc16(key) & 0x3fff;
  return crc16(key, open + 1, close) & 0x3fff;
}

function bytesHashSlot(key: Uint8Array): number {
  const open = key.indexOf(0x7b);
  if (open === -1) return crc16Bytes(key) & 0x3fff;
  const close = key.indexOf(0x7d, open + 1);
  if (close === -1 || close === open + 1) return crc16Bytes(key) & 0x3fff;
  return crc16Bytes(key, open + 1, close) & 0x3fff;
}

/** Bit `slot` of a 2048-byte slot bitmap (bit order as Redis's bitmapTestBit: LSB first). */
export function bitmapTest(bitmap: Uint8Array, slot: number): boolean {
  return (bitmap[slot >> 3]! & (1 << (slot & 7))) !== 0;
}

export function bitmapSet(bitmap: Uint8Array, slot: number): void {
  bitmap[slot >> 3] |= 1 << (slot & 7);
}

export function bitmapClear(bitmap: Uint8Array, slot: number): void {
  bitmap[slot >> 3] &= ~(1 << (slot & 7));
}

/**
 * The slot of the lowest set bit of `bits`, the bitmap's byte at `byteIndex` (non-zero). Walks
 * over a bitmap a byte at a time visit only the set bits: `slot = lowestSlotOf(i, bits)`, then
 * `bits &= bits - 1`.
 */
export function lowestSlotOf(byteIndex: number, bits: number): number {
  return byteIndex * 8 + 31 - Math.clz32(bits & -bits);
}

/** How many bits of a bitmap byte are set. */
export function bitsSet(byte: number): number {
  let count = 0;
  for (let bits = byte; bits !== 0; bits &= bits - 1) count++;
  return count;
}

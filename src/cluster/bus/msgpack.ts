// MessagePack for the cluster bus, through msgpackr (the design card's choice for our own wire
// formats): the subset the bus's messages use (nil, booleans, integers, float64, strings,
// binary, arrays, maps with string keys). Epochs are BigInts and go as 64-bit integers both ways.
//
// Strings are latin1 byte strings, as every key, channel and value in this code base; MessagePack
// carries them as UTF-8, which gives back the same characters, so a pub/sub payload crosses the
// bus binary-safe. The decoder trusts nothing: msgpackr's own errors (truncated input, lengths
// past the end), more or less than one value, msgpackr's placeholder for reserved type bytes,
// nesting past MAX_DEPTH and map keys that are not strings (or are __proto__) all raise MsgpackError, which the
// link turns into a closed connection.

import type { Packr, Unpackr } from 'msgpackr';

export type MsgValue = null | boolean | number | bigint | string | Uint8Array | MsgValue[] | { [key: string]: MsgValue };

export class MsgpackError extends Error {}

/** Nesting bound of decoded values: the bus's messages are at most three levels deep. */
const MAX_DEPTH = 16;

// Plain MessagePack: no record extension (other decoders must read the frames), the smallest
// map header for each map, 64-bit integers decoded as BigInt (epochs).
// msgpackr is loaded when the cluster bus starts, not at import: it costs 25-60 ms of CPU and
// 3-7 MB of RSS (its native string decoder is a shared library), which a node without cluster
// mode never needs. The bundles include it (loading it from node_modules cost about twice the
// CPU); a dynamic import keeps its evaluation out of the start-up of every other node.
let codec: { packer: Packr; unpacker: Unpackr } | undefined;

/** Loads msgpackr; the bus awaits it before its first frame, in `ClusterBus.start()`. */
export async function loadMsgpack(): Promise<void> {
  if (codec !== undefined) return;
  const { Packr: PackrClass, Unpackr: UnpackrClass } = await import('msgpackr');
  codec = {
    packer: new PackrClass({ useRecords: false, variableMapSize: true }),
    unpacker: new UnpackrClass({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' }),
  };
}

function msgpackCodec(): { packer: Packr; unpacker: Unpackr } {
  if (codec === undefined) throw new Error('cluster bus: MessagePack used before loadMsgpack()');
  return codec;
}

/**
 * Encodes `value` after `reserveBytes` bytes left free at the start (the frame's length
 * prefix).
 */
export function encodeMsgpack(value: MsgValue, reserveBytes = 0): Buffer {
  const packed = msgpackCodec().packer.pack(value);
  if (reserveBytes === 0) return packed;
  const out = Buffer.allocUnsafe(reserveBytes + packed.length);
  packed.copy(out, reserveBytes);
  return out;
}

/** What msgpackr produced, checked and turned into a MsgValue (maps into plain objects). */
function checked(value: unknown, depth: number): MsgValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value === undefined) return null;
  if (depth >= MAX_DEPTH) throw new MsgpackError('nesting too deep');
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item) => checked(item, depth + 1));
  if (value instanceof Map) {
    const out: { [key: string]: MsgValue } = {};
    for (const [key, item] of value) {
      if (typeof key !== 'string') throw new MsgpackError('map key is not a string');
      // Assigning it would replace the object's prototype; no bus message has such a field.
      if (key === '__proto__') throw new MsgpackError('map key __proto__');
      out[key] = checked(item, depth + 1);
    }
    return out;
  }
  throw new MsgpackError('unsupported value type');
}

/** Decodes exactly one value filling `buf`; trailing bytes are an error. */
export function decodeMsgpack(buf: Buffer): MsgValue {
  const { unpacker } = msgpackCodec();
  let values: unknown[];
  try {
    values = unpacker.unpackMultiple(buf) as unknown[];
  } catch (err) {
    // Malformed input, or nesting deep enough to exhaust the stack while msgpackr recurses.
    throw new MsgpackError((err as Error).message);
  }
  if (values.length !== 1) throw new MsgpackError(values.length === 0 ? 'no value' : 'trailing bytes after value');
  return checked(values[0], 0);
}

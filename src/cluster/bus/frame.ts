// The cluster bus's framing: every message is one frame, an 8-byte header (the signature
// "Cnb1", then the payload's length as a big-endian u32) and a MessagePack payload.
//
// The signature makes a stray client on the cluster port (a redis-cli, a port scanner) fail at
// its first bytes; the length is bounded by MAX_FRAME_BYTES, so a peer cannot make a node
// buffer without limit. Either violation is a FrameError: the link closes, the process goes on.

import { decodeMsgpack, encodeMsgpack, MsgpackError, type MsgValue } from './msgpack.js';

export const FRAME_SIGNATURE = 'Cnb1';
export const FRAME_HEADER_BYTES = 8;
/**
 * The largest payload a node sends or accepts. Headers and gossip take a few KB even with
 * hundreds of nodes; the bound is for PUBLISH, whose message is the user's (a larger one is
 * delivered locally but not spread, see ClusterBus.publish).
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameError extends Error {}

/** One frame's bytes, header included, ready for the socket. */
export function encodeFrame(payload: MsgValue): Buffer {
  const frame = encodeMsgpack(payload, FRAME_HEADER_BYTES);
  const payloadBytes = frame.length - FRAME_HEADER_BYTES;
  if (payloadBytes > MAX_FRAME_BYTES) throw new FrameError(`frame of ${payloadBytes} bytes exceeds the bus limit`);
  frame.latin1Write(FRAME_SIGNATURE, 0, 4);
  frame.writeUInt32BE(payloadBytes, 4);
  return frame;
}

/**
 * Reassembles frames from a byte stream. `push` returns the decoded payloads completed by a
 * chunk (often none or one); it throws FrameError on a bad signature, an oversized length or
 * a payload that is not valid MessagePack.
 */
export class FrameReader {
  private chunks: Buffer[] = [];

  private bufferedBytes = 0;

  /** The payload length of the frame being read, -1 while its header is incomplete. */
  private expectedBytes = -1;

  /** Bytes held waiting for the rest of a frame (CLUSTER LINKS' receive-buffer figures). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  push(chunk: Buffer): MsgValue[] {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    const out: MsgValue[] = [];
    for (;;) {
      if (this.expectedBytes < 0) {
        if (this.bufferedBytes < FRAME_HEADER_BYTES) break;
        const header = this.take(FRAME_HEADER_BYTES);
        if (header.latin1Slice(0, 4) !== FRAME_SIGNATURE) throw new FrameError('bad frame signature');
        const length = header.readUInt32BE(4);
        if (length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${length} bytes exceeds the bus limit`);
        this.expectedBytes = length;
      }
      if (this.bufferedBytes < this.expectedBytes) break;
      const payload = this.take(this.expectedBytes);
      this.expectedBytes = -1;
      try {
        out.push(decodeMsgpack(payload));
      } catch (err) {
        if (err instanceof MsgpackError) throw new FrameError(`bad frame payload: ${err.message}`);
        throw err;
      }
    }
    return out;
  }

  /** Removes and returns the first `bytes` buffered bytes (copying only across chunks). */
  private take(bytes: number): Buffer {
    this.bufferedBytes -= bytes;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= bytes) {
      if (first.length === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.chunks[0] as Buffer;
      const part = Math.min(chunk.length, bytes - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}

// The DUMP payload (cluster.c createDumpPayload / verifyDumpPayload): the value's RDB type byte
// and serialization, then the RDB version (2 bytes LE) and the CRC64 of everything before it
// (8 bytes LE).

import { RDB_VERSION } from './constants.js';
import { crc64 } from './crc64.js';
import type { RdbWriter } from './writer.js';

/** The RDB version (2 bytes) and CRC64 (8 bytes) after the serialized value. */
export const DUMP_PAYLOAD_FOOTER_BYTES = 10;

/** Appends the footer to a writer holding type + value and returns the finished payload. */
export function sealDumpPayload(writer: RdbWriter): Buffer {
  writer.u8(RDB_VERSION & 0xff);
  writer.u8((RDB_VERSION >> 8) & 0xff);
  const body = writer.view();
  const crc = crc64(body);
  const payload = Buffer.allocUnsafe(body.length + 8);
  body.copy(payload, 0);
  crc.writeLE(payload, body.length);
  return payload;
}

/**
 * True when the payload carries an RDB version this server reads (<= 10) and, unless
 * `skipChecksum`, a matching CRC64. The serialized value is payload[0, length - 10).
 */
export function verifyDumpPayload(payload: Uint8Array, skipChecksum: boolean): boolean {
  const len = payload.length;
  if (len < DUMP_PAYLOAD_FOOTER_BYTES) return false;
  const footer = len - DUMP_PAYLOAD_FOOTER_BYTES;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  if (skipChecksum) return true;
  return crc64(payload, 0, len - 8).equalsLE(payload, len - 8);
}

// A disk-based full sync's transfer (Redis's sendBulkToSlave): "$<length>\r\n" and exactly that
// many bytes of the RDB file the background save wrote, with no trailing CRLF. The file is opened
// when the save ends, so a later save renaming a new file over it changes nothing here; it is
// read in chunks, each written once the replica's socket has taken the previous ones.

import { closeSync, fstatSync, openSync, read } from 'node:fs';
import type { Connection } from '../../engine/connection.js';

/** Bytes read from the file at a time (Redis uses PROTO_IOBUF_LEN, 16 KB). */
const CHUNK_BYTES = 64 * 1024;
/** Unsent bytes on the socket past which reading waits for it to drain. */
const PACE_HIGH_BYTES = 1024 * 1024;

export type BulkOutcome = { ok: true } | { ok: false; reason: string };

export class BulkSender {
  private fd = -1;
  private sizeBytes = 0;
  private sentBytes = 0;
  private cancelled = false;

  constructor(private readonly connection: Connection, private readonly done: (outcome: BulkOutcome) => void) {}

  /** Opens the file and starts sending; an error opening it is reported at once (false). */
  start(path: string): { ok: true } | { ok: false; reason: string } {
    try {
      this.fd = openSync(path, 'r');
      this.sizeBytes = fstatSync(this.fd).size;
    } catch (err) {
      if (this.fd >= 0) this.closeFile();
      return { ok: false, reason: (err as Error).message };
    }
    this.connection.write(Buffer.from(`$${this.sizeBytes}\r\n`, 'latin1'));
    this.pump();
    return { ok: true };
  }

  /** The replica went away: stop reading. */
  cancel(): void {
    this.cancelled = true;
    this.closeFile();
  }

  private pump(): void {
    if (this.cancelled) return;
    if (this.sentBytes >= this.sizeBytes) {
      this.closeFile();
      // Online only once the file has left the socket, so nothing of the stream overtakes it.
      this.connection.whenDrained(() => {
        if (!this.cancelled) this.done({ ok: true });
      });
      return;
    }
    const length = Math.min(CHUNK_BYTES, this.sizeBytes - this.sentBytes);
    const chunk = Buffer.allocUnsafe(length);
    read(this.fd, chunk, 0, length, this.sentBytes, (err, bytesRead) => {
      if (this.cancelled) return;
      if (err !== null || bytesRead === 0) {
        this.closeFile();
        this.done({ ok: false, reason: err === null ? 'unexpected end of file' : err.message });
        return;
      }
      this.sentBytes += bytesRead;
      this.connection.write(bytesRead === length ? chunk : chunk.subarray(0, bytesRead));
      if (this.connection.pendingOutputBytes > PACE_HIGH_BYTES) this.connection.whenDrained(() => this.pump());
      else this.pump();
    });
  }

  private closeFile(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }
}

// Each client's reply buffer follows what its batches of replies fill, as Redis's cron resizes
// it (clientsCronResizeOutputBuffer): an idle client or one with short replies keeps 1 KB instead
// of 16 KB, and one whose replies fill its buffer gets it doubled back, up to 16 KB. CLIENT LIST
// shows the size (rbs) and the peak (rbp); client memory (tot-mem, maxmemory-clients) counts it.

import type { ReplyBufferSettings } from '../commands/context.js';
import type { Client } from '../engine/client.js';
import { REPLY_BUFFER_BYTES } from '../protocol/writer.js';

/** Redis's PROTO_REPLY_MIN_BYTES: a buffer is not shrunk below this. */
const MIN_REPLY_BUFFER_BYTES = 1024;
/** Redis's REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME. */
const DEFAULT_PEAK_RESET_TIME_MS = 5000;
/** Redis's CLIENTS_CRON_MIN_ITERATIONS: clients visited per tick at the least. */
const MIN_CLIENTS_PER_TICK = 5;

export class ReplyBufferResizing implements ReplyBufferSettings {
  /** DEBUG REPLYBUFFER RESIZING 0 stops the resizing (buffers keep their sizes). */
  enabled = true;
  /** How long a peak holds before it restarts from the buffer's fill; -1: never (DEBUG REPLYBUFFER PEAK-RESET-TIME). */
  peakResetTimeMs = DEFAULT_PEAK_RESET_TIME_MS;
  readonly defaultPeakResetTimeMs = DEFAULT_PEAK_RESET_TIME_MS;
  /** Position in the client list where the next tick's visits start. */
  private cursor = 0;

  /**
   * One cron tick: visits the next share of the clients, so that each is visited about once a
   * second, and at least five (or all) per tick, as Redis's clientsCron.
   */
  tick(clients: Iterable<Client>, clientCount: number, hz: number, nowMs: number): void {
    if (!this.enabled || clientCount === 0) return;
    let perTick = Math.floor(clientCount / hz);
    if (perTick < MIN_CLIENTS_PER_TICK) perTick = Math.min(clientCount, MIN_CLIENTS_PER_TICK);
    const start = this.cursor % clientCount;
    const end = start + perTick;
    let position = 0;
    for (const client of clients) {
      // The window [start, end) wraps around the end of the list.
      if ((position >= start && position < end) || position + clientCount < end) this.visit(client, nowMs);
      position++;
    }
    this.cursor = end % clientCount;
  }

  private visit(client: Client, nowMs: number): void {
    const reply = client.reply;
    const sizeBytes = reply.bufferBytes;
    const peakBytes = reply.bufferPeakBytes;
    const shrinkTarget = Math.floor(sizeBytes / 2);
    let newSizeBytes = 0;
    if (shrinkTarget >= MIN_REPLY_BUFFER_BYTES && peakBytes < shrinkTarget) {
      newSizeBytes = Math.max(MIN_REPLY_BUFFER_BYTES, peakBytes + 1);
    } else if (sizeBytes * 2 < REPLY_BUFFER_BYTES * 2 && peakBytes === sizeBytes) {
      newSizeBytes = Math.min(REPLY_BUFFER_BYTES, sizeBytes * 2);
    }
    // A client gone idle has its peak restart from the buffer's fill, so it can shrink.
    if (this.peakResetTimeMs >= 0 && nowMs - reply.peakResetAtMs >= this.peakResetTimeMs) reply.resetPeak(nowMs);
    if (newSizeBytes !== 0) reply.resizeBuffer(newSizeBytes);
  }
}

// The incremental file being appended to: the buffer of one event-loop turn, its write, and the
// fsync policy (aof.c flushAppendOnlyFile). The write happens at the end of the turn (or
// earlier when a reply would otherwise wait behind a full buffer), before the turn's replies
// leave: they wait at the ReplyGate, which this file advances as it takes bytes and covers as
// they become written (everysec, no) or fsynced (always). fsyncs run on the thread pool;
// everysec starts one at most once a second and postpones a write for up to two seconds while
// one is still running, as Redis does.

import { close, closeSync, fdatasync, fdatasyncSync, writeSync } from 'node:fs';
import type { ReplyGate } from './reply-gate.js';
import { describeSystemError } from '../../util/errno.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** What the file needs from the service around it. */
export interface AofFileHost {
  fsyncPolicy(): FsyncPolicy;
  /** no-appendfsync-on-rewrite and a rewrite running: fsyncs are skipped. */
  fsyncSuppressed(): boolean;
  warning(message: string): void;
  notice(message: string): void;
  latencySample(event: string, ms: number): void;
  /** Redis exits where the always policy cannot keep its promise. */
  fatal(): void;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before a write (tests). */
  flushSleepMicros(): number;
  /** Writes failed: MISCONF refusals start (the dispatcher's check list must run again). */
  writesFailing(): void;
}

/** Buffered bytes past which the turn's buffer is written at once rather than at its end. */
const BUFFER_WRITE_THRESHOLD_BYTES = 4 * 1024 * 1024;
/** AOF_WRITE_LOG_ERROR_RATE: seconds between two logs of a failing write. */
const WRITE_ERROR_LOG_PERIOD_SEC = 30;

export class AofFile {
  private chunks: Buffer[] = [];
  bufferedBytes = 0;
  /** Bytes of the current incremental file (aof_last_incr_size). */
  incrSizeBytes: number;
  /** Bytes of the incremental file known fsynced (aof_last_incr_fsync_offset). */
  private incrFsyncedBytes: number;
  /** Gate offsets: bytes ever written, and ever fsynced, through this and previous files. */
  private writtenOffset: number;
  private syncedOffset: number;
  lastFsyncSec = Math.floor(Date.now() / 1000);
  private fsyncInFlight = false;
  /** Bytes were written while an fsync ran: another starts when it ends. */
  private fsyncAgain = false;
  private flushPostponedSinceSec = 0;
  delayedFsyncs = 0;
  lastWriteOk = true;
  lastWriteError = '';
  private lastWriteErrorLogSec = 0;
  private flushScheduled = false;
  closed = false;

  constructor(
    readonly fd: number,
    sizeBytes: number,
    private readonly gate: ReplyGate,
    private readonly host: AofFileHost,
    /** The gate offset this file starts at (what earlier files covered). */
    startOffset: number,
    /** Bytes added to aof_current_size by each write (the service's counter). */
    private readonly onWritten: (bytes: number) => void,
  ) {
    this.incrSizeBytes = sizeBytes;
    this.incrFsyncedBytes = sizeBytes;
    this.writtenOffset = startOffset;
    this.syncedOffset = startOffset;
  }

  /** Gate offset everything handed to this file reaches once written. */
  get endOffset(): number {
    return this.writtenOffset + this.bufferedBytes;
  }

  get fsyncInProgress(): boolean {
    return this.fsyncInFlight;
  }

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.gate.advance(chunk.length);
    if (this.bufferedBytes >= BUFFER_WRITE_THRESHOLD_BYTES) {
      this.flush(false);
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (!this.closed) this.flush(false);
      });
    }
  }

  /** flushAppendOnlyFile(force): write the buffer, then fsync as the policy says. */
  flush(force: boolean): void {
    const policy = this.host.fsyncPolicy();
    const nowSec = Math.floor(Date.now() / 1000);
    if (this.bufferedBytes === 0) {
      // Nothing new, but an everysec fsync may be owed for bytes written in an earlier second,
      // or always may have been switched on with unsynced bytes.
      if ((policy === 'everysec' && this.incrFsyncedBytes !== this.incrSizeBytes && nowSec > this.lastFsyncSec && !this.fsyncInFlight) ||
          (policy === 'always' && this.incrFsyncedBytes !== this.incrSizeBytes)) {
        this.fsyncAfterWrite(policy, nowSec);
      }
      return;
    }
    if (policy === 'everysec' && !force && this.fsyncInFlight) {
      // write(2) would wait behind the running fsync anyway: postpone, at most two seconds.
      if (this.flushPostponedSinceSec === 0) {
        this.flushPostponedSinceSec = nowSec;
        return;
      }
      if (nowSec - this.flushPostponedSinceSec < 2) return;
      this.delayedFsyncs++;
      this.host.notice('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    const sleepMicros = this.host.flushSleepMicros();
    if (sleepMicros > 0) Atomics.wait(SLEEP_CELL, 0, 0, sleepMicros / 1000);
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bufferedBytes);
    const startedAt = performance.now();
    let written = 0;
    let error: unknown = null;
    try {
      while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
    } catch (err) {
      error = err;
    }
    const elapsedMs = Math.floor(performance.now() - startedAt);
    this.host.latencySample(this.fsyncInFlight ? 'aof-write-pending-fsync' : 'aof-write-alone', elapsedMs);
    this.host.latencySample('aof-write', elapsedMs);
    this.flushPostponedSinceSec = 0;
    if (error !== null) {
      this.writeFailed(error, written, data, policy, nowSec);
      return;
    }
    if (!this.lastWriteOk) {
      this.host.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    }
    this.chunks = [];
    this.bufferedBytes = 0;
    this.wrote(written);
    this.fsyncAfterWrite(policy, nowSec);
  }

  private wrote(bytes: number): void {
    this.incrSizeBytes += bytes;
    this.writtenOffset += bytes;
    this.onWritten(bytes);
  }

  private writeFailed(error: unknown, written: number, data: Buffer, policy: FsyncPolicy, nowSec: number): void {
    const canLog = nowSec - this.lastWriteErrorLogSec > WRITE_ERROR_LOG_PERIOD_SEC;
    if (canLog) this.lastWriteErrorLogSec = nowSec;
    this.lastWriteError = describeSystemError(error);
    if (canLog) {
      if (written === 0) this.host.warning(`Error writing to the AOF file: ${this.lastWriteError}`);
      else this.host.warning(`Short write while writing to the AOF file: (nwritten=${written}, expected=${data.length})`);
    }
    if (policy === 'always') {
      this.host.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      this.host.fatal();
      return;
    }
    // The bytes that did reach the file stay written; the rest waits for the next try (the
    // cron retries every second), and writes are refused meanwhile (MISCONF).
    this.lastWriteOk = false;
    this.host.writesFailing();
    if (written > 0) this.wrote(written);
    const rest = data.subarray(written);
    this.chunks = [rest];
    this.bufferedBytes = rest.length;
  }

  private fsyncAfterWrite(policy: FsyncPolicy, nowSec: number): void {
    if (this.host.fsyncSuppressed()) {
      // No fsync promised while a rewrite runs: replies wait for the write only.
      this.gate.cover(this.writtenOffset);
      return;
    }
    if (policy === 'always') {
      this.startFsync();
      this.lastFsyncSec = nowSec;
      return;
    }
    this.gate.cover(this.writtenOffset);
    if (policy === 'everysec' && nowSec > this.lastFsyncSec) {
      if (!this.fsyncInFlight) this.startFsync();
      this.lastFsyncSec = nowSec;
    }
  }

  /** One fsync on the thread pool covering everything written so far. */
  private startFsync(): void {
    if (this.fsyncInFlight) {
      // The running fsync may not cover the new bytes: another starts when it ends.
      this.fsyncAgain = true;
      return;
    }
    this.fsyncInFlight = true;
    const incrTarget = this.incrSizeBytes;
    const offsetTarget = this.writtenOffset;
    const startedAt = performance.now();
    fdatasync(this.fd, (err) => {
      this.fsyncInFlight = false;
      // A file handed over meanwhile was synced (and maybe closed) by closeInBackground.
      if (this.closed) return;
      this.host.latencySample('aof-fsync-always', Math.floor(performance.now() - startedAt));
      if (err !== null) {
        if (this.host.fsyncPolicy() === 'always') {
          this.host.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${describeSystemError(err)}. Exiting...`);
          this.host.fatal();
          return;
        }
        this.lastWriteOk = false;
        this.lastWriteError = describeSystemError(err);
        this.host.writesFailing();
        return;
      }
      this.incrFsyncedBytes = Math.max(this.incrFsyncedBytes, incrTarget);
      this.syncedOffset = Math.max(this.syncedOffset, offsetTarget);
      if (this.host.fsyncPolicy() === 'always') this.gate.cover(this.syncedOffset);
      if (this.fsyncAgain && !this.closed) {
        this.fsyncAgain = false;
        this.startFsync();
      }
    });
  }

  /** Cron: a postponed write, a failed write to retry, an owed everysec fsync. */
  cron(): void {
    if (this.closed) return;
    if (this.flushPostponedSinceSec !== 0 || !this.lastWriteOk || this.bufferedBytes === 0) this.flush(false);
  }

  /** Writes and fsyncs now, blocking (SHUTDOWN, turning the AOF off). */
  flushAndSyncNow(): string | null {
    this.flush(true);
    try {
      fdatasyncSync(this.fd);
      this.incrFsyncedBytes = this.incrSizeBytes;
      this.syncedOffset = this.writtenOffset;
      this.gate.cover(this.writtenOffset);
      this.lastFsyncSec = Math.floor(Date.now() / 1000);
      return null;
    } catch (err) {
      return describeSystemError(err);
    }
  }

  /**
   * Hands over to a new file: what is buffered is written, then the fd is fsynced and closed in
   * the background. Under always the fsync is done here first, so no reply can be released by
   * the new file's fsyncs before the old file's bytes are on disk (Redis's old file is already
   * synced at this point too).
   */
  closeInBackground(): void {
    if (this.host.fsyncPolicy() === 'always') {
      const failure = this.flushAndSyncNow();
      if (failure !== null) this.host.warning(`Fail to fsync the AOF file: ${failure}`);
    } else {
      this.flush(true);
    }
    this.closed = true;
    const fd = this.fd;
    fdatasync(fd, () => {
      // A failed fsync of a file no longer appended to changes nothing Redis reports either.
      close(fd, (closeErr) => {
        if (closeErr !== null) this.host.warning(`Error closing the AOF file: ${describeSystemError(closeErr)}`);
      });
    });
  }

  /** Closes now (after flushAndSyncNow). */
  closeNow(): void {
    this.closed = true;
    closeSync(this.fd);
  }
}

/** A cell to Atomics.wait on: a blocking sleep of the main thread, as Redis's usleep. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

// Loading the RDB image a full sync delivers (Redis's rdbLoadRio with RDBFLAGS_REPLICATION), parsed
// while it arrives: a diskless load straight from the socket's bytes, a disk-based one from the
// temporary file as it grows (rdbLoad reads the file back; here the reading follows the writing,
// so the file is not read again once it is complete). In steps of
// loading-process-events-interval-bytes with the event loop served in between, paced by
// key-load-delay; while the node is loading (LOADING, INFO loading:1) the primary gets a newline
// once a second so it does not time the replica out. Keys past their deadline are kept: on a
// replica the primary's DELs remove them.

import { closeSync, openSync, readSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import { accessTrackingOf, logAuxFields, type LoadingState } from '../../persistence/rdb-files.js';
import type { ServerLog } from '../../server/log.js';
import type { Db } from '../../store/db.js';
import { RdbFormatError } from '../../store/rdb/errors.js';
import { RdbImageLoader, type RdbLoadResult } from '../../store/rdb/image.js';

export interface SyncLoadHost {
  readonly config: Config;
  readonly log: ServerLog;
  /** The node's loading state (LOADING refusals, INFO loading_*); null when not loading. */
  setLoading(state: LoadingState | null): void;
  /** Called between steps while loading: the primary gets a newline at most once a second. */
  keepAlive(): void;
  /** Called after each step: the bytes held changed (a paused socket may read again). */
  onProgress(): void;
}

/** Why a received image could not be loaded (the replica then retries the sync). */
export class SyncLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncLoadError';
  }
}

/**
 * Bytes read ahead of the parser: a socket pauses past this many held (unless the parser waits
 * for the rest of a longer record), and a file is read in pieces of this size.
 */
export const SYNC_LOAD_READ_AHEAD_BYTES = 4 * 1024 * 1024;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The temporary file of a disk-based sync, read as the transfer writes it. */
export class GrowingFileSource {
  private fd: number | null;
  private readBytes = 0;
  /** Bytes the transfer has written so far. */
  writtenBytes = 0;
  /** The transfer is complete: writtenBytes is the file's size. */
  complete = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next piece written and not yet read; null when there is none now. */
  read(): Buffer | null {
    const available = this.writtenBytes - this.readBytes;
    if (available <= 0 || this.fd === null) return null;
    const piece = Buffer.allocUnsafe(Math.min(available, SYNC_LOAD_READ_AHEAD_BYTES));
    const got = readSync(this.fd, piece, 0, piece.length, this.readBytes);
    if (got === 0) return null;
    this.readBytes += got;
    return got === piece.length ? piece : piece.subarray(0, got);
  }

  get exhausted(): boolean {
    return this.complete && this.readBytes >= this.writtenBytes;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * One image being loaded into `dbs` (emptied by the caller) as its bytes come: pushed (`append`,
 * `endInput`) from a socket, or pulled from a GrowingFileSource. `run()` resolves to the result
 * (function libraries are the caller's to compile) and rejects with SyncLoadError for a corrupt
 * or short image, or a load cancelled (`cancel()`, a shutdown's `state.cancelled`).
 */
export class SyncImageLoad {
  private readonly loader: RdbImageLoader;
  private state: LoadingState | null = null;
  private wake: (() => void) | null = null;
  private cancelled = false;
  /** run() has ended. */
  private settled = false;
  /** The socket's payload ended (a file source says so itself). */
  private ended = false;

  constructor(private readonly host: SyncLoadHost, dbs: readonly Db[], private readonly file: GrowingFileSource | null = null) {
    const config = host.config;
    this.loader = RdbImageLoader.incremental({
      dbs, settings: config, dropExpired: false, replaceExisting: false,
      verifyChecksum: config.bool('rdbchecksum'), keepUnsanitized: config.str('sanitize-dump-payload') !== 'yes', tracking: accessTrackingOf(config), nowMs: Date.now(),
    });
  }

  /** Bytes received and not parsed yet. */
  get bufferedBytes(): number {
    return this.loader.bufferedBytes;
  }

  /** Whether the socket should be read: little held, or the parser waits for a longer record. */
  get wantsInput(): boolean {
    return this.loader.bufferedBytes < SYNC_LOAD_READ_AHEAD_BYTES || this.loader.needsInput;
  }

  get loadedBytes(): number {
    return this.loader.loadedBytes;
  }

  /** Payload bytes from the socket, owned by the loader from now on. */
  append(chunk: Buffer): void {
    this.loader.append(chunk);
    this.poke();
  }

  /** The payload is complete (socket), or the file is (the source says so). */
  endInput(): void {
    if (this.file !== null) this.file.complete = true;
    else this.loader.endInput();
    this.ended = true;
    this.poke();
  }

  /** The file grew. */
  poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The node is loading from now on (INFO loading_*, LOADING); ends with the load. */
  beginLoading(state: LoadingState): void {
    // A disk-based load that read the whole file before the transfer was complete is over.
    if (this.settled) return;
    this.state = state;
    this.host.setLoading(state);
  }

  cancel(): void {
    this.cancelled = true;
    this.poke();
  }

  async run(): Promise<RdbLoadResult> {
    try {
      return await this.loop();
    } catch (err) {
      if (err instanceof RdbFormatError) throw new SyncLoadError(err.message);
      throw err;
    } finally {
      this.settled = true;
      this.file?.close();
      // A cancelled load was ended by its canceller, which may have started another since.
      if (this.state !== null && !this.cancelled) this.host.setLoading(null);
    }
  }

  private stopped(): boolean {
    return this.cancelled || this.state?.cancelled === true;
  }

  /** Moves what the file holds beyond the parser's bytes into the loader. */
  private pullFromFile(): void {
    const file = this.file as GrowingFileSource;
    while (this.loader.bufferedBytes < SYNC_LOAD_READ_AHEAD_BYTES || this.loader.needsInput) {
      const piece = file.read();
      if (piece === null) break;
      this.loader.append(piece);
    }
    if (file.exhausted) this.loader.endInput();
  }

  private waitForInput(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private async loop(): Promise<RdbLoadResult> {
    const { config, log } = this.host;
    const loader = this.loader;
    const result = loader.result;
    let auxLogged = false;
    let paceStartMs = Date.now();
    let pacedKeys = 0;
    for (;;) {
      if (this.stopped()) throw new SyncLoadError('loading cancelled');
      if (this.file !== null) this.pullFromFile();
      const delayMicros = config.num('key-load-delay');
      let maxKeys = Number.POSITIVE_INFINITY;
      if (delayMicros > 0) {
        maxKeys = Math.floor(((Date.now() - paceStartMs) * 1000) / delayMicros) + 1 - pacedKeys;
        if (maxKeys <= 0) {
          if (this.state !== null) this.host.keepAlive();
          await sleepMs(Math.max(1, Math.ceil(delayMicros / 1000)));
          continue;
        }
      } else {
        paceStartMs = Date.now();
        pacedKeys = 0;
      }
      const keysBefore = result.keysLoaded + result.keysExpired + result.emptyKeysSkipped;
      const done = loader.step(config.num('loading-process-events-interval-bytes'), maxKeys);
      const keysNow = result.keysLoaded + result.keysExpired + result.emptyKeysSkipped;
      pacedKeys += keysNow - keysBefore;
      if (this.state !== null) this.state.loadedBytes = loader.loadedBytes;
      // The AUX fields precede every key: logged once the first key (or the end) was reached.
      if (!auxLogged && (keysNow > 0 || done)) {
        auxLogged = true;
        logAuxFields(log, result.aux);
        if (this.state !== null) this.state.rdbUsedMemBytes = Number.parseInt(result.aux.get('used-mem') ?? '0', 10) || 0;
      }
      if (done) break;
      this.host.onProgress();
      if (this.state !== null) this.host.keepAlive();
      if (loader.needsInput) {
        if (this.file !== null) {
          this.pullFromFile();
          if (loader.needsInput && !(this.file.exhausted)) await this.waitForInput();
        } else if (!this.ended) {
          await this.waitForInput();
        }
      } else {
        await nextTurn();
      }
    }
    log.notice(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}.`);
    return result;
  }
}

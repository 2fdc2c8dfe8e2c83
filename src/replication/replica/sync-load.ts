// Loading the RDB image a full sync delivered (Redis's rdbLoad / rdbLoadRio with
// RDBFLAGS_REPLICATION): in steps of loading-process-events-interval-bytes with the event loop
// served in between (clients get LOADING, INFO loading:1, as at start-up), paced by
// key-load-delay, with a newline sent to the primary once a second so it does not time the
// replica out meanwhile. Keys past their deadline are kept: on a replica the primary's DELs
// remove them.

import type { Config } from '../../config/config.js';
import { accessTrackingOf, logAuxFields, type LoadingState } from '../../persistence/rdb-files.js';
import type { ServerLog } from '../../server/log.js';
import type { Db } from '../../store/db.js';
import { RdbImageLoader, type RdbLoadResult } from '../../store/rdb/image.js';

export interface SyncLoadHost {
  readonly config: Config;
  readonly log: ServerLog;
  /** The node's loading state (LOADING refusals, INFO loading_*); null when not loading. */
  setLoading(state: LoadingState | null): void;
  /** Called between steps: the primary gets a newline at most once a second. */
  keepAlive(): void;
}

/** Why a received image could not be loaded (the replica then retries the sync). */
export class SyncLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncLoadError';
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Loads `image` into `dbs` (emptied by the caller). Resolves to the result (function libraries
 * are the caller's to compile), rejects with SyncLoadError for a corrupt image or a load
 * cancelled by a shutdown. A diskless load passes the state it has been loading under since its
 * transfer started; it ends here either way.
 */
export async function loadSyncImage(host: SyncLoadHost, image: Buffer, dbs: readonly Db[], started: LoadingState | null = null): Promise<RdbLoadResult> {
  const { config, log } = host;
  const state: LoadingState = started ?? { startSec: Math.floor(Date.now() / 1000), totalBytes: image.length, loadedBytes: 0, rdbUsedMemBytes: 0, cancelled: false };
  host.setLoading(state);
  try {
    let loader: RdbImageLoader;
    try {
      loader = new RdbImageLoader(image, {
        dbs, settings: config, dropExpired: false, replaceExisting: false,
        verifyChecksum: config.bool('rdbchecksum'), tracking: accessTrackingOf(config), nowMs: Date.now(),
      });
    } catch (err) {
      throw new SyncLoadError((err as Error).message);
    }
    let auxLogged = false;
    let paceStartMs = Date.now();
    let pacedKeys = 0;
    for (;;) {
      const delayMicros = config.num('key-load-delay');
      let maxKeys = Number.POSITIVE_INFINITY;
      if (delayMicros > 0) {
        maxKeys = Math.floor(((Date.now() - paceStartMs) * 1000) / delayMicros) + 1 - pacedKeys;
        if (maxKeys <= 0) {
          host.keepAlive();
          await sleepMs(Math.max(1, Math.ceil(delayMicros / 1000)));
          if (state.cancelled) throw new SyncLoadError('loading cancelled');
          continue;
        }
      } else {
        paceStartMs = Date.now();
        pacedKeys = 0;
      }
      const result = loader.result;
      const keysBefore = result.keysLoaded + result.keysExpired + result.emptyKeysSkipped;
      let done: boolean;
      try {
        done = loader.step(config.num('loading-process-events-interval-bytes'), maxKeys);
      } catch (err) {
        throw new SyncLoadError((err as Error).message);
      }
      pacedKeys += result.keysLoaded + result.keysExpired + result.emptyKeysSkipped - keysBefore;
      state.loadedBytes = loader.loadedBytes;
      if (!auxLogged) {
        auxLogged = true;
        logAuxFields(log, result.aux);
        state.rdbUsedMemBytes = Number.parseInt(result.aux.get('used-mem') ?? '0', 10) || 0;
      }
      if (done) break;
      host.keepAlive();
      await nextTurn();
      if (state.cancelled) throw new SyncLoadError('loading cancelled');
    }
    const result = loader.result;
    log.notice(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}.`);
    return result;
  } finally {
    host.setLoading(null);
  }
}

// The dataset as an RDB file: where it lives (dir + dbfilename), the save options a node's
// configuration gives (compression, checksum, AUX fields, how accesses are recorded), and the
// start-up load with Redis's log lines.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { ServerLog } from '../server/log.js';
import type { AccessTracking, RdbLoadResult, RdbLoadTarget, RdbSaveOptions } from '../store/rdb/image.js';
import { RdbImageLoader } from '../store/rdb/image.js';
import { RdbFormatError } from '../store/rdb/errors.js';
import type { Keyspace, ReplicationPosition } from '../store/keyspace.js';
import { usedMemoryBytes } from '../util/memory.js';
import { REDIS_VERSION } from '../util/version.js';
import { describeSystemError } from '../util/errno.js';

/** The RDB file: dbfilename inside dir. */
export function rdbFilePath(config: Config): string {
  return join(config.str('dir'), config.str('dbfilename'));
}

/** Redis names the file being saved temp-<pid>.rdb, in the working directory (dir). */
export function rdbTempPath(config: Config): string {
  return join(config.str('dir'), `temp-${process.pid}.rdb`);
}

/** maxmemory-policy's family: an IDLE record per key under LRU, FREQ under LFU, none otherwise. */
export function accessTrackingOf(config: Config): AccessTracking {
  const policy = config.str('maxmemory-policy');
  if (policy.endsWith('-lfu')) return 'lfu';
  if (policy.endsWith('-lru')) return 'lru';
  return 'none';
}

/**
 * The AUX fields Redis writes (rdbSaveInfoAuxFields): with a replication position (a node in a
 * replication chain), repl-stream-db, repl-id and repl-offset, so a restarted replica can resume
 * with a partial resync; `aofBase` marks the base file of an AOF (RDB preamble), which carries
 * no position.
 */
export function auxFields(aofBase: boolean, position: ReplicationPosition | null = null): Array<readonly [string, string]> {
  const fields: Array<readonly [string, string]> = [
    ['redis-ver', REDIS_VERSION],
    ['redis-bits', '64'],
    ['ctime', String(Math.floor(Date.now() / 1000))],
    ['used-mem', String(usedMemoryBytes())],
  ];
  if (position !== null && !aofBase) {
    fields.push(['repl-stream-db', String(position.streamDb)], ['repl-id', position.replid], ['repl-offset', String(position.offset)]);
  }
  fields.push(['aof-base', aofBase ? '1' : '0']);
  return fields;
}

export function rdbSaveOptions(config: Config, keyspace: Keyspace, aofBase = false): RdbSaveOptions {
  return {
    compress: config.bool('rdbcompression'),
    checksum: config.bool('rdbchecksum'),
    aux: auxFields(aofBase, keyspace.replicationPosition()),
    functionCodes: [...keyspace.functions.libraries.values()].map((lib) => lib.code),
    tracking: accessTrackingOf(config),
    settings: config,
  };
}

/** Why a start-up load failed, with the lines Redis logs before it exits. */
export class RdbLoadFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RdbLoadFailure';
  }
}

export interface StartupLoadHost {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly log: ServerLog;
  /** Compiles a FUNCTION2 library read from the file: null, or why it failed. */
  restoreLibrary(code: string): string | null;
  /** A key past its deadline was dropped (on a primary its DEL goes into the backlog). */
  onExpiredKey?: (dbIndex: number, key: string) => void;
}

/** shared.loadingerr: the reply of commands refused while the dataset loads. */
export const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';

/** A load in progress (INFO's loading_* fields); `cancelled` stops it (a shutdown meanwhile). */
export interface LoadingState {
  readonly startSec: number;
  readonly totalBytes: number;
  loadedBytes: number;
  /** used-mem of the file's AUX fields (loading_rdb_used_mem). */
  rdbUsedMemBytes: number;
  cancelled: boolean;
  /**
   * A replica's async load (repl-diskless-load swapdb from the primary it already followed):
   * the old dataset keeps serving; only no_async_loading commands get LOADING.
   */
  readonly async?: boolean;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How a start-up load fills the keyspace; `logEmptyKey` says whether to log one more empty key. */
function startupLoadTarget(host: StartupLoadHost, logEmptyKey: () => boolean): RdbLoadTarget {
  const { config, log } = host;
  return {
    dbs: host.keyspace.dbs,
    settings: config,
    // A replica keeps keys past their deadline: its primary's DELs remove them (rdbLoadRio's iAmMaster).
    dropExpired: config.str('replicaof') === '',
    replaceExisting: false,
    verifyChecksum: config.bool('rdbchecksum'), keepUnsanitized: config.str('sanitize-dump-payload') !== 'yes',
    tracking: accessTrackingOf(config),
    nowMs: Date.now(),
    onEmptyKey: (key) => {
      if (logEmptyKey()) log.warning(`rdbLoadObject skipping empty key: ${key}`);
    },
    onExpiredKey: host.onExpiredKey,
  };
}

/**
 * A whole image read at once into an empty keyspace, with its function libraries (a forked
 * debugging session's copy of its server's dataset). Throws RdbFormatError, or RdbLoadFailure
 * for a library that does not load.
 */
export function loadRdbImage(host: StartupLoadHost, image: Buffer): void {
  let emptyKeysLogged = 0;
  const loader = new RdbImageLoader(image, startupLoadTarget(host, () => emptyKeysLogged++ < 10));
  while (!loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY));
  for (const code of loader.result.functionCodes) {
    const error = host.restoreLibrary(code);
    if (error !== null) throw new RdbLoadFailure(error);
  }
}

/**
 * Loads dir/dbfilename into the (empty) keyspace, logging as Redis's loadDataFromDisk and
 * rdbLoadRio do, in steps of loading-process-events-interval-bytes with the event loop served
 * in between (clients get LOADING meanwhile; key-load-delay slows it for tests). `onStart`
 * receives the load's state once the file is read. Resolves to the result, or null when there
 * is no file or the load was cancelled. Rejects with RdbLoadFailure (after logging Redis's
 * lines) when the file cannot be read or is corrupt: redis-server exits then, so does the caller.
 */
export async function loadRdbAtStartup(host: StartupLoadHost, onStart: (state: LoadingState) => void): Promise<RdbLoadResult | null> {
  const { config, log } = host;
  const path = rdbFilePath(config);
  const startNs = process.hrtime.bigint();
  let image: Buffer;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
    image = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    const reason = describeSystemError(err);
    log.warning(`Fatal error loading the DB: ${reason}. Exiting.`);
    throw new RdbLoadFailure(`Fatal error loading the DB: ${reason}`);
  }
  const state: LoadingState = { startSec: Math.floor(Date.now() / 1000), totalBytes: image.length, loadedBytes: 0, rdbUsedMemBytes: 0, cancelled: false };
  onStart(state);
  let auxLogged = false;
  let emptyKeysLogged = 0;
  let loader: RdbImageLoader | null = null;
  try {
    loader = new RdbImageLoader(image, startupLoadTarget(host, () => emptyKeysLogged++ < 10));
    let paceStartMs = Date.now();
    let pacedKeys = 0;
    let paceDelayMicros = 0;
    for (;;) {
      const delayMicros = config.num('key-load-delay');
      let maxKeys = Number.POSITIVE_INFINITY;
      if (delayMicros > 0) {
        if (delayMicros !== paceDelayMicros) {
          paceDelayMicros = delayMicros;
          paceStartMs = Date.now();
          pacedKeys = 0;
        }
        maxKeys = Math.floor(((Date.now() - paceStartMs) * 1000) / delayMicros) + 1 - pacedKeys;
        if (maxKeys <= 0) {
          await sleepMs(Math.max(1, Math.ceil(delayMicros / 1000)));
          if (state.cancelled) return null;
          continue;
        }
      }
      const keysBefore = loader.result.keysLoaded + loader.result.keysExpired + loader.result.emptyKeysSkipped;
      const done = loader.step(config.num('loading-process-events-interval-bytes'), maxKeys);
      pacedKeys += loader.result.keysLoaded + loader.result.keysExpired + loader.result.emptyKeysSkipped - keysBefore;
      state.loadedBytes = loader.loadedBytes;
      if (!auxLogged) {
        auxLogged = true;
        logAuxFields(log, loader.result.aux);
        state.rdbUsedMemBytes = Number.parseInt(loader.result.aux.get('used-mem') ?? '0', 10) || 0;
      }
      if (done) break;
      await nextTurn();
      if (state.cancelled) return null;
    }
  } catch (err) {
    if (!(err instanceof RdbFormatError)) throw err;
    if (err.message.startsWith('Wrong signature') || err.message.startsWith('Can\'t handle RDB format version')) {
      // rdbLoadRio returns EINVAL for these instead of reporting a corruption.
      log.warning(err.message.startsWith('Wrong signature') ? 'Wrong signature trying to load DB from file' : err.message);
      log.warning('Fatal error loading the DB: Invalid argument. Exiting.');
    } else {
      reportCorruptFile(log, err.message, loader);
    }
    throw new RdbLoadFailure(err.message);
  }
  const result = loader.result;
  for (const code of result.functionCodes) {
    const error = host.restoreLibrary(code);
    if (error !== null) {
      log.warning(`Failed loading library, ${error}`);
      reportCorruptFile(log, `Failed loading library, ${error}`, loader);
      throw new RdbLoadFailure(error);
    }
  }
  if (result.emptyKeysSkipped > 0) {
    log.warning(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}, empty keys skipped: ${result.emptyKeysSkipped}.`);
  } else {
    log.notice(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}.`);
  }
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  log.notice(`DB loaded from disk: ${seconds.toFixed(3)} seconds`);
  return result;
}

/** The lines rdbLoadRio logs for the AUX fields it knows. */
export function logAuxFields(log: ServerLog, aux: ReadonlyMap<string, string>): void {
  for (const [key, value] of aux) {
    const name = key.toLowerCase();
    if (key.startsWith('%')) {
      log.notice(`RDB '${key}': ${value}`);
    } else if (name === 'redis-ver') {
      log.notice(`Loading RDB produced by version ${value}`);
    } else if (name === 'ctime') {
      const ageSec = Math.max(0, Math.floor(Date.now() / 1000) - (Number.parseInt(value, 10) || 0));
      log.notice(`RDB age ${ageSec} seconds`);
    } else if (name === 'used-mem') {
      log.notice(`RDB memory usage when created ${((Number.parseInt(value, 10) || 0) / (1024 * 1024)).toFixed(2)} Mb`);
    } else if (name === 'aof-preamble') {
      if ((Number.parseInt(value, 10) || 0) !== 0) log.notice('RDB has an AOF tail');
    } else if (name === 'aof-base') {
      if ((Number.parseInt(value, 10) || 0) !== 0) log.notice('RDB is base AOF');
    }
  }
}

/**
 * rdbReportError for a file being loaded: the reason, then what redis-check-rdb (which Redis
 * runs on the file at this point) reports about where the load stopped, then the line Redis
 * logs before exit(1). A short read is reported as Redis does.
 */
function reportCorruptFile(log: ServerLog, reason: string, loader: RdbImageLoader | null): void {
  const internal = reason.startsWith('Unexpected end of data')
    ? 'Internal error in RDB reading offset 0, function at rdb.c:0 -> Unexpected EOF reading RDB file'
    : `Internal error in RDB reading offset 0, function at rdb.c:0 -> ${reason}`;
  if (reason.startsWith('Unexpected end of data')) log.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
  log.warning(internal);
  const offset = loader === null ? 0 : loader.loadedBytes;
  const result = loader?.result;
  log.noticeRaw(`--- RDB ERROR DETECTED ---\n[offset ${offset}] ${internal}\n` +
    `[info] ${result === undefined ? 0 : result.keysLoaded + result.keysExpired} keys read\n` +
    `[info] ${result === undefined ? 0 : result.keysExpired} already expired\n`);
  log.warning('Terminating server after rdb file reading failure.');
}

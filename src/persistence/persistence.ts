// The RDB side of persistence, as one service of the node (ctx.server.persistence): SAVE,
// BGSAVE [SCHEDULE], the save points checked by the cron, the final save of a shutdown,
// FLUSHALL's save, stop-writes-on-bgsave-error, and INFO persistence's rdb_* fields.
// Redis's state machine (rdb.c rdbSave / rdbSaveBackground / backgroundSaveDoneHandler,
// server.c serverCron), with the forked child replaced by a snapshot produced in slices of the
// event loop (snapshot.ts).

import type { NodeAlerts } from '../engine/node-alerts.js';
import { unlinkSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { PersistenceApi } from '../commands/context.js';
import type { Config } from '../config/config.js';
import type { ServerLog } from '../server/log.js';
import type { Keyspace } from '../store/keyspace.js';
import { DurableFileWriter } from '../util/durable-file.js';
import { describeSystemError } from '../util/errno.js';
import { rdbFilePath, rdbTempPath } from './rdb-files.js';
import { parseSavePoints, reachedSavePoint, type SavePoint } from './save-points.js';
import { BackgroundSave, snapshotOptions, type SaveResult } from './background-save.js';
import { ForkStats } from './save-child.js';
import { SnapshotProducer, type SnapshotOutcome } from './snapshot.js';
import { LOADING_ERROR, type LoadingState } from './rdb-files.js';

/** Seconds before a failed background save is retried by the save points (CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_DELAY_SEC = 5;
const SIGUSR1_NUMBER = osConstants.signals.SIGUSR1;
/** Slices of a signal's final save: nothing else runs meanwhile but signal handling. */
const FINAL_SAVE_SLICE_MS = 50;

/** shared.bgsaveerr, without its leading '-'. */
export const MISCONF_RDB_ERROR = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/** scriptPrepareForRun's variant for a script that may write. */
export const MISCONF_RDB_SCRIPT_ERROR = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";

/** What the service needs from the node. */
export interface PersistenceHost {
  readonly keyspace: Keyspace;
  readonly config: Config;
  readonly log: ServerLog;
  /** Changes since the last save (server.dirty). */
  dirty: number;
  /** An AOF rewrite is Redis's other child: a snapshot waits for it. */
  readonly aof: { readonly rewriteInProgress: boolean };
  /** Raised when a node-wide refusal (MISCONF, LOADING) starts. */
  readonly nodeAlerts: NodeAlerts;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** shared.loadingerr without its '-'. */

export class Persistence implements PersistenceApi {
  lastSaveTimeSec = nowSec();
  /** rdb_last_bgsave_status: a failed save (SAVE or BGSAVE) makes writes fail with MISCONF. */
  lastSaveOk = true;
  /** When the last background save was started (lastbgsave_try), seconds. */
  private lastBgsaveTrySec = 0;
  /** dirty when the running background save started (dirty_before_bgsave). */
  private dirtyBeforeBgsave = 0;
  /** rdb_saves. */
  saves = 0;
  /** BGSAVE SCHEDULE while a save could not start: started by the cron as soon as it can. */
  bgsaveScheduled = false;
  /** rdb_last_bgsave_time_sec (-1 before any). */
  lastBgsaveDurationSec = -1;
  /** rdb_last_cow_size: bytes of old values the last snapshot kept for writes made meanwhile. */
  lastCowBytes = 0;
  rdbLastLoadKeysLoaded = 0;
  rdbLastLoadKeysExpired = 0;
  private loadingState: LoadingState | null = null;
  private savePoints: SavePoint[];
  private background: BackgroundSave | null = null;
  /** INFO's total_forks / latest_fork_usec: the writer children of saves and AOF rewrites. */
  readonly forkStats = new ForkStats();
  /**
   * A snapshot streamed to replicas' sockets (replication's diskless sync): it holds the snapshot
   * machinery as a background save does (Redis's RDB child with a socket target).
   */
  private socketSnapshot: { abort(): void } | null = null;
  /** Told when a background save to the file ends (replicas waiting for it; Redis's updateSlavesWaitingBgsave). */
  private readonly saveDoneListeners: Array<(ok: boolean) => void> = [];

  constructor(private readonly host: PersistenceHost) {
    this.savePoints = parseSavePoints(host.config.str('save'));
    host.config.onChange('save', (value) => { this.savePoints = parseSavePoints(String(value)); });
  }

  /** rdb_last_load_keys_loaded / _expired after a load. */
  noteLoaded(keysLoaded: number, keysExpired: number): void {
    this.rdbLastLoadKeysLoaded = keysLoaded;
    this.rdbLastLoadKeysExpired = keysExpired;
  }

  /** The start-up load in progress (INFO loading:1, LOADING errors), or null. */
  get loading(): LoadingState | null {
    return this.loadingState;
  }

  set loading(state: LoadingState | null) {
    this.loadingState = state;
    if (state !== null) this.host.nodeAlerts.raise();
  }

  /** The last save failed: MISCONF refusals may start. */
  private saveFailed(): void {
    this.lastSaveOk = false;
    this.host.nodeAlerts.raise();
  }

  /** shared.loadingerr while the dataset loads. */
  get loadingRefusal(): string | null {
    return this.loading === null || this.loading.async === true ? null : LOADING_ERROR;
  }

  /** A dataset is being loaded (server.loading, async loads included). */
  get loadingDataset(): boolean {
    return this.loading !== null;
  }

  /** What a no_async_loading command gets during an async load (any load refuses it). */
  get asyncLoadingRefusal(): string | null {
    return this.loading === null ? null : LOADING_ERROR;
  }

  /** The server is closing: a load in progress stops. */
  cancelLoading(): void {
    if (this.loading !== null) this.loading.cancelled = true;
  }

  get hasSavePoints(): boolean {
    return this.savePoints.length > 0;
  }

  /** A background save runs, to the file or to replicas' sockets (Redis's child_type == RDB). */
  get bgsaveInProgress(): boolean {
    return this.background !== null || this.socketSnapshot !== null;
  }

  /** CONFIG RESETSTAT (resetServerStats): rdb_saves and the fork counters restart from zero. */
  resetStats(): void {
    this.saves = 0;
    this.forkStats.totalForks = 0;
    this.forkStats.latestForkMicros = 0;
  }

  /** Replication's diskless sync takes the snapshot machinery (canStartBackgroundSave first). */
  holdForReplicas(snapshot: { abort(): void }): void {
    this.socketSnapshot = snapshot;
  }

  releaseFromReplicas(snapshot: { abort(): void }): void {
    if (this.socketSnapshot === snapshot) this.socketSnapshot = null;
  }

  /** Calls `listener` each time a background save to the file ends (true when it succeeded). */
  onBackgroundSaveDone(listener: (ok: boolean) => void): void {
    this.saveDoneListeners.push(listener);
  }

  /** The running background save (INFO's current_* fields), if any. */
  get currentSave(): BackgroundSave | null {
    return this.background;
  }

  /** writeCommandsDeniedByDiskError for RDB: the MISCONF text while writes must be refused. */
  get diskErrorRefusal(): string | null {
    if (this.lastSaveOk || this.savePoints.length === 0) return null;
    return this.host.config.bool('stop-writes-on-bgsave-error') ? MISCONF_RDB_ERROR : null;
  }

  // ------------------------------------------------------------------------ SAVE

  /** rdbSave: the whole dataset written durably now (blocking). True on success; errors logged. */
  saveNow(): boolean {
    const writer = this.openSaveFile();
    if (writer === null) return false;
    const { config, keyspace } = this.host;
    // Run to its end at once: no hooks, so it may run beside a background snapshot (DEBUG RELOAD).
    const producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace), writer, false);
    return this.concludeSave(writer, producer, producer.runToEnd());
  }

  /** The dataset as an RDB image in memory, now (what a forked child would be given). */
  imageNow(): Buffer {
    const { config, keyspace } = this.host;
    const chunks: Buffer[] = [];
    const sink = { write: (chunk: Buffer): void => { chunks.push(Buffer.from(chunk)); } };
    const producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace), sink, false);
    if (producer.runToEnd() !== 'ok') throw producer.failure;
    return Buffer.concat(chunks);
  }

  /**
   * rdbSave for the final save of a signal's shutdown, in turns of the event loop: Redis's signal
   * handler runs inside its blocking save, so that a second SIGINT exits at once (removing the
   * temporary file); here the loop has to turn for the signal to be seen. The caller holds every
   * client meanwhile, so nothing else runs, as in Redis.
   */
  async saveInTurns(): Promise<boolean> {
    const writer = this.openSaveFile();
    if (writer === null) return false;
    const { config, keyspace } = this.host;
    const options = { ...snapshotOptions(config, keyspace), sliceBudgetMs: FINAL_SAVE_SLICE_MS };
    const producer = new SnapshotProducer(keyspace.dbs, options, writer);
    producer.start();
    return this.concludeSave(writer, producer, await producer.done);
  }

  /** The temporary file of a foreground save, temp-<pid>.rdb (null: logged as Redis does). */
  private openSaveFile(): DurableFileWriter | null {
    const { config, log } = this.host;
    try {
      return new DurableFileWriter(rdbFilePath(config), rdbTempPath(config));
    } catch (err) {
      log.warning(`Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${config.str('dir')}) for saving: ${describeSystemError(err)}`);
      return null;
    }
  }

  private concludeSave(writer: DurableFileWriter, producer: SnapshotProducer, outcome: SnapshotOutcome): boolean {
    const { config, log } = this.host;
    if (outcome !== 'ok') {
      writer.abort();
      log.warning(`Write error saving DB on disk(rdbSaveRio): ${describeSystemError(producer.failure)}`);
      return false;
    }
    try {
      writer.commitSync();
    } catch (err) {
      writer.abort();
      log.warning(`Error moving temp DB file temp-${process.pid}.rdb on the final destination ${config.str('dbfilename')} (in server root dir ${config.str('dir')}): ${describeSystemError(err)}`);
      // Like rdbSave, a failed synchronous save leaves rdb_last_bgsave_status as it was.
      return false;
    }
    log.notice('DB saved on disk');
    this.host.dirty = 0;
    this.lastSaveTimeSec = nowSec();
    this.lastSaveOk = true;
    return true;
  }

  /** SAVE. */
  save(): string | null {
    if (this.bgsaveInProgress) return 'ERR Background save already in progress';
    this.saves++;
    return this.saveNow() ? null : 'ERR';
  }

  // ---------------------------------------------------------------------- BGSAVE

  /** BGSAVE [SCHEDULE]: the status reply, or an error reply. */
  bgsave(schedule: boolean, inTransaction: boolean): { status: string } | { error: string } {
    if (this.bgsaveInProgress) return { error: 'ERR Background save already in progress' };
    if (inTransaction) {
      // Inside MULTI/EXEC Redis only schedules it (the cron starts it after the transaction).
      this.bgsaveScheduled = true;
      return { status: 'Background saving scheduled' };
    }
    if (!this.canStartBackgroundSave()) {
      if (!schedule) {
        return { error: "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible." };
      }
      this.bgsaveScheduled = true;
      return { status: 'Background saving scheduled' };
    }
    return this.startBackgroundSave() ? { status: 'Background saving started' } : { error: 'ERR' };
  }

  /** Whether nothing else (an AOF rewrite, a snapshot for replicas) holds the snapshot machinery. */
  canStartBackgroundSave(): boolean {
    return this.background === null && this.socketSnapshot === null && !this.host.aof.rewriteInProgress;
  }

  /** rdbSaveBackground: starts a snapshot to dir/dbfilename, written by a child process. */
  startBackgroundSave(): boolean {
    if (!this.canStartBackgroundSave()) return false;
    const { config, log } = this.host;
    this.saves++;
    this.dirtyBeforeBgsave = this.host.dirty;
    this.lastBgsaveTrySec = nowSec();
    let save: BackgroundSave;
    try {
      save = new BackgroundSave(this.host.keyspace, config, log, this.forkStats);
    } catch (err) {
      this.saveFailed();
      log.warning(`Can't save in background: fork: ${describeSystemError(err)}`);
      return false;
    }
    this.background = save;
    log.notice(`Background saving started by pid ${save.pid}`);
    void save.done.then((result) => this.backgroundSaveDone(save, result));
    return true;
  }

  /** backgroundSaveDoneHandlerDisk. */
  private backgroundSaveDone(save: BackgroundSave, result: SaveResult): void {
    if (this.background !== save) return;
    this.background = null;
    const { log } = this.host;
    if (result.status === 'ok') {
      log.notice('Background saving terminated with success');
      this.host.dirty = Math.max(0, this.host.dirty - this.dirtyBeforeBgsave);
      this.lastSaveTimeSec = nowSec();
      this.lastSaveOk = true;
      this.lastCowBytes = save.keptBytes;
    } else if (result.status === 'error') {
      log.warning('Background saving error');
      this.saveFailed();
    } else {
      // Our own stop (FLUSHALL, SHUTDOWN) is Redis's SIGUSR1 kill, which is no error condition.
      const signalNumber = result.status === 'signal' ? result.signalNumber : SIGUSR1_NUMBER;
      log.warning(`Background saving terminated by signal ${signalNumber}`);
      if (signalNumber !== SIGUSR1_NUMBER) this.saveFailed();
    }
    this.lastBgsaveDurationSec = Math.floor((Date.now() - save.startedAtMs) / 1000);
    for (const listener of this.saveDoneListeners) listener(result.status === 'ok');
  }

  /** killRDBChild: the running save's child is killed and its temporary file removed. */
  abortBackgroundSave(): void {
    this.socketSnapshot?.abort();
    const save = this.background;
    if (save === null) return;
    save.abort();
    this.backgroundSaveDone(save, { status: 'aborted' });
  }

  /** rdbRemoveTempFile: a save's temporary file goes (a process about to exit mid-save). */
  removeTempFile(): void {
    try {
      unlinkSync(rdbTempPath(this.host.config));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.host.log.verbose(`Removing the temp RDB file: ${describeSystemError(err)}`);
    }
  }

  // ------------------------------------------------------------------------ cron

  /** serverCron's part: save points, and a scheduled BGSAVE. */
  cron(): void {
    if (!this.canStartBackgroundSave()) return;
    const now = nowSec();
    const retryAllowed = this.lastSaveOk || now - this.lastBgsaveTrySec > BGSAVE_RETRY_DELAY_SEC;
    if (retryAllowed && this.savePoints.length > 0) {
      const point = reachedSavePoint(this.savePoints, this.host.dirty, now - this.lastSaveTimeSec);
      if (point !== null) {
        this.host.log.notice(`${point.changes} changes in ${point.seconds} seconds. Saving...`);
        this.startBackgroundSave();
        return;
      }
    }
    if (this.bgsaveScheduled && retryAllowed && this.canStartBackgroundSave()) {
      if (this.startBackgroundSave()) this.bgsaveScheduled = false;
    }
  }

  // -------------------------------------------------------------- FLUSHALL, SHUTDOWN

  /** flushAllDataAndResetRDB: a running snapshot ends, and with save points the empty dataset is saved. */
  afterFlushAll(): boolean {
    this.abortBackgroundSave();
    if (this.savePoints.length === 0) return false;
    this.saveNow();
    return true;
  }

  /**
   * finishShutdown's persistence steps: kill a running snapshot, then the final save when save
   * points exist (unless NOSAVE) or SAVE was asked. False when the save failed and FORCE was
   * not given: the shutdown is cancelled (the lines are logged here).
   */
  shutdownSave(save: boolean | null, force: boolean, log: ServerLog): boolean {
    if (!this.beforeFinalSave(save, log)) return true;
    return this.afterFinalSave(this.saveNow(), force, log);
  }

  /** shutdownSave with the final save in turns of the event loop (a signal's shutdown). */
  async shutdownSaveInTurns(save: boolean | null, force: boolean, log: ServerLog): Promise<boolean> {
    if (!this.beforeFinalSave(save, log)) return true;
    return this.afterFinalSave(await this.saveInTurns(), force, log);
  }

  /** Whether a shutdown with this SAVE/NOSAVE choice writes a final save. */
  finalSaveWanted(save: boolean | null): boolean {
    // A half-loaded dataset is never saved over the file it comes from.
    if (this.loading !== null) return false;
    return (this.savePoints.length > 0 && save !== false) || save === true;
  }

  /** Kills a running snapshot; true when the final save is to be written. */
  private beforeFinalSave(save: boolean | null, log: ServerLog): boolean {
    if (this.bgsaveInProgress) {
      log.warning('There is a child saving an .rdb. Killing it!');
      this.abortBackgroundSave();
    }
    if (!this.finalSaveWanted(save)) return false;
    log.notice('Saving the final RDB snapshot before exiting.');
    return true;
  }

  private afterFinalSave(saved: boolean, force: boolean, log: ServerLog): boolean {
    if (saved) return true;
    if (force) {
      log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    log.warning('Error trying to save the DB, can\'t exit.');
    return false;
  }
}

// The append-only file, Redis 7.0's multi-part layout: a manifest naming a base file (an RDB
// image, or commands) and incremental files of the propagated write stream. This service
// owns the AOF's state (off, on, waiting for its first rewrite), the file being appended to,
// rewrites (a new base from a point-in-time image, a new incremental file opened at the same
// moment; the old files become history and are deleted), loading at start-up and for DEBUG
// LOADAOF, the cron's duties and INFO's aof_* fields. Log lines and replies are Redis's.

import type { NodeAlerts } from '../../engine/node-alerts.js';
import { close, closeSync, existsSync, fdatasyncSync, openSync, renameSync, statSync, unlink, unlinkSync, writeSync } from 'node:fs';
import { open as openFile, rename } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import { PROPAGATE_AOF, type PropagatedUnit, type Propagator } from '../../engine/propagation.js';
import type { ServerLog } from '../../server/log.js';
import { ReplyGate } from './reply-gate.js';
import type { Keyspace } from '../../store/keyspace.js';
import { describeSystemError, strerror } from '../../util/errno.js';
import { AofFile, type FsyncPolicy } from './aof-file.js';
import { snapshotRdbSource, syncRdbSource, type RdbSnapshotSource, type SnapshotRun, type SnapshotSink } from './base-source.js';
import { SaveChild, type ChildEnd, type ForkStats } from '../save-child.js';
import { writeCommandForm } from './command-form.js';
import { AofFatalError } from './errors.js';
import {
  aofDirPath, ensureAofDir, loadAppendOnlyFilesSteps, manifestFilesBytes, runInTurns,
  type AofLoadHost, type AofLoadOutcome, type AofLoadStatus, type AofReplayClient, type LoadPause, type LoadSteps,
} from './loader.js';
import { LOADING_ERROR, type LoadingState } from '../rdb-files.js';
import { AofManifest } from './manifest.js';
import { persistManifest, readManifest } from './manifest-file.js';

type AofState = 'off' | 'on' | 'wait-rewrite';

/** What the AOF needs from the node (wired in server.ts). */
export interface AofHost {
  readonly config: Config;
  readonly log: ServerLog;
  readonly propagator: Propagator;
  readonly keyspace: Keyspace;
  latencySample(event: string, ms: number): void;
  /** Raised when a node-wide refusal (MISCONF) starts. */
  readonly nodeAlerts: NodeAlerts;
  /** A socket-free client that replays commands (server.createClient + runCommand); see AofLoadHost. */
  newReplayClient(mayWait: boolean): AofReplayClient;
  /** Loads an RDB image into the dataset (functions included); returns its length. */
  loadRdb(image: Buffer): number;
  /** Marks the dataset as loading (nothing expires or propagates meanwhile). */
  setLoading(loading: boolean): void;
  /**
   * DEBUG LOADAOF's load state for the node (INFO loading:1, LOADING replies to other clients
   * while it goes on in turns), or null when it ended.
   */
  setLoadingState(state: LoadingState | null): void;
  /** Empties the dataset (DEBUG LOADAOF). */
  emptyData(): void;
  /** total_forks / latest_fork_usec, shared with the RDB saves. */
  readonly forkStats: ForkStats;
  /** Another background save runs (a rewrite waits for it, as Redis's hasActiveChildProcess). */
  otherBackgroundJobActive(): boolean;
  /** Inside EXEC or a script: a rewrite is scheduled instead of started. */
  inTransaction(): boolean;
  /** Redis exits here; the process entry point decides what exiting means. */
  exit(code: number): void;
}

/** AOF_REWRITE_LIMITE_THRESHOLD / _MAX_MINUTES. */
const REWRITE_LIMIT_THRESHOLD = 3;
const REWRITE_LIMIT_MAX_MINUTES = 60;
const SIGUSR1_NUMBER = osConstants.signals.SIGUSR1;

interface RewriteJob {
  readonly startedSec: number;
  /** The writer process of the new base (temp-rewriteaof-bg-<its pid>.aof). */
  readonly child: SaveChild;
  cancelled: boolean;
  snapshot: SnapshotRun | null;
}

export class AofService {
  state: AofState = 'off';
  private manifest = new AofManifest();
  private file: AofFile | null = null;
  readonly replyGate: ReplyGate;
  /** aof_current_size, aof_rewrite_base_size. */
  private currentSizeBytes = 0;
  private rewriteBaseSizeBytes = 0;
  private rewrite: RewriteJob | null = null;
  rewriteScheduled = false;
  private lastRewriteTimeSec = -1;
  private lastBgrewriteOk = true;
  private rewrites = 0;
  private consecutiveFailures = 0;
  private nextDelayMinutes = 0;
  private nextRewriteTimeSec = 0;
  /** The next chunk written to a new file needs its own SELECT. */
  private selectNeeded = true;
  private lastTimestampSec = 0;
  /** DEBUG LOADAOF replays through the engine: nothing it runs is appended. */
  private loading = false;
  private flushSleepMicros = 0;
  private readonly listener = (unit: PropagatedUnit): void => this.feed(unit);
  private subscribed = false;
  /** Gate offset the next file starts at. */
  private gateOffset = 0;
  /** Where rewrites get their RDB image (the pause-free snapshot producer). */
  rdbSource: RdbSnapshotSource;

  constructor(private readonly host: AofHost) {
    this.replyGate = new ReplyGate();
    this.rdbSource = snapshotRdbSource(host.keyspace, host.config);
    const config = host.config;
    config.setApplier('appendonly', (value) => this.applyAppendonly(value === true));
    config.onChange('aof-disable-auto-gc', (value) => {
      if (value === false) this.deleteHistoryFiles();
    });
  }

  private get log(): ServerLog {
    return this.host.log;
  }

  private get dirPath(): string {
    return aofDirPath(this.names);
  }

  private get names(): { dir: string; dirName: string } {
    return { dir: this.host.config.str('dir'), dirName: this.host.config.str('appenddirname') };
  }

  private get appendFilename(): string {
    return this.host.config.str('appendfilename');
  }

  get enabled(): boolean {
    return this.state !== 'off';
  }

  get rewriteInProgress(): boolean {
    return this.rewrite !== null;
  }

  /** writeCommandsDeniedByDiskError for the AOF: writes are refused while its writes fail. */
  get diskErrorRefusal(): string | null {
    if (this.state === 'off' || this.file === null || this.file.lastWriteOk) return null;
    return `MISCONF Errors writing to the AOF file: ${this.file.lastWriteError}`;
  }

  // ------------------------------------------------------------------ start-up

  /**
   * aofLoadManifestFromDisk + loadDataFromDisk's AOF half + aofOpenIfNeededOnServerStart.
   * 'off' when appendonly is no (the RDB file is then the dataset's source), 'cancelled' when a
   * shutdown came during the load.
   * Throws AofFatalError where Redis exits.
   */
  async loadAtStartup(onStart: (state: LoadingState) => void = () => undefined): Promise<'off' | 'loaded' | 'cancelled'> {
    this.manifest = readManifest(this.log, this.dirPath, this.names.dirName, this.appendFilename);
    if (!this.host.config.bool('appendonly')) return 'off';
    this.state = 'on';
    const startedAt = performance.now();
    // Clients are served between batches of commands, with LOADING replies (INFO loading:1).
    const state: LoadingState = {
      startSec: Math.floor(Date.now() / 1000),
      totalBytes: manifestFilesBytes(this.loadHost(), this.manifest),
      loadedBytes: 0,
      rdbUsedMemBytes: 0,
      cancelled: false,
    };
    onStart(state);
    const status = await this.loadInTurns(state, this.loadAppendOnlyFilesSteps(state, true));
    // Shut down while loading: nothing more to open.
    if (status === null) return 'cancelled';
    if (status === 'failed' || status === 'open-error') throw new AofFatalError();
    if (status !== 'not-exist') this.log.notice(`DB loaded from append only file: ${((performance.now() - startedAt) / 1000).toFixed(3)} seconds`);
    this.openOnStart();
    this.deleteHistoryFiles();
    return 'loaded';
  }

  private loadHost(inTurns = false): AofLoadHost {
    const host = this.host;
    const config = host.config;
    return {
      log: this.log,
      dir: config.str('dir'),
      dirName: config.str('appenddirname'),
      appendFilename: this.appendFilename,
      loadTruncated: config.bool('aof-load-truncated'),
      inTurns,
      newReplayClient: (mayWait) => host.newReplayClient(mayWait),
      loadRdb: (image: Buffer) => host.loadRdb(image),
    };
  }

  private newLoadingState(): LoadingState {
    return {
      startSec: Math.floor(Date.now() / 1000),
      totalBytes: manifestFilesBytes(this.loadHost(), this.manifest),
      loadedBytes: 0,
      rdbUsedMemBytes: 0,
      cancelled: false,
    };
  }

  private loadAppendOnlyFilesSteps(state: LoadingState, inTurns: boolean): LoadSteps<AofLoadOutcome> {
    return loadAppendOnlyFilesSteps(this.loadHost(inTurns), this.manifest, (bytes) => { state.loadedBytes += bytes; });
  }

  /** A load in turns of the event loop (or its rest): null when it was cancelled (a shutdown meanwhile). */
  private async loadInTurns(state: LoadingState, steps: LoadSteps<AofLoadOutcome>, first?: IteratorResult<LoadPause, AofLoadOutcome>): Promise<AofLoadStatus | null> {
    this.beginLoading();
    try {
      const outcome = await runInTurns(steps, () => state.cancelled, first);
      return outcome === null ? null : this.loaded(outcome);
    } finally {
      this.endLoading();
    }
  }

  private beginLoading(): void {
    this.loading = true;
    this.host.setLoading(true);
  }

  private endLoading(): void {
    this.loading = false;
    this.host.setLoading(false);
  }

  private loaded(outcome: AofLoadOutcome): AofLoadStatus {
    this.manifest = outcome.manifest;
    if (outcome.status === 'ok' || outcome.status === 'truncated') {
      this.currentSizeBytes = outcome.totalSizeBytes;
      this.rewriteBaseSizeBytes = outcome.baseSizeBytes;
    }
    return outcome.status;
  }

  private openOnStart(): void {
    ensureAofDir(this.loadHost());
    const appendFilename = this.appendFilename;
    const hadIncr = this.manifest.incr.length > 0;
    if (this.manifest.isEmpty) {
      // A node starting with no AOF writes a base of its (empty) dataset at once.
      const base = this.manifest.newBase(appendFilename, this.host.config.bool('aof-use-rdb-preamble'));
      if (!this.writeBaseSync(join(this.dirPath, base.name))) throw new AofFatalError();
      this.log.notice(`Creating AOF base file ${base.name} on server start`);
    }
    const incr = this.manifest.lastIncrOrNew(appendFilename);
    let fd: number;
    try {
      fd = openSync(join(this.dirPath, incr.name), 'a', 0o644);
    } catch (err) {
      this.log.warning(`Can't open the append-only file ${incr.name}: ${describeSystemError(err)}`);
      throw new AofFatalError();
    }
    persistManifest(this.log, this.dirPath, appendFilename, this.manifest, true);
    const size = statSync(join(this.dirPath, incr.name)).size;
    this.attachFile(fd, size);
    if (this.currentSizeBytes === 0) this.currentSizeBytes = this.totalFilesSize();
    this.log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${incr.name} on server start`);
  }

  private totalFilesSize(): number {
    let total = 0;
    for (const f of this.manifest.loadOrder) {
      try {
        total += statSync(join(this.dirPath, f.name)).size;
      } catch (err) {
        this.log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${describeSystemError(err)}`);
      }
    }
    return total;
  }

  /** rewriteAppendOnlyFile: the dataset as a base file, written and renamed in place, blocking. */
  private writeBaseSync(path: string): boolean {
    const chunks: Buffer[] = [];
    this.produceBase({ write: (chunk) => chunks.push(Buffer.from(chunk)) }, syncRdbSource(this.host.keyspace, this.host.config));
    const tempPath = join(this.host.config.str('dir'), `temp-rewriteaof-${process.pid}.aof`);
    try {
      const fd = openSync(tempPath, 'w', 0o644);
      try {
        for (const c of chunks) writeAll(fd, c);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tempPath, path);
      return true;
    } catch (err) {
      this.log.warning(`Write error writing append only file on disk: ${describeSystemError(err)}`);
      removeQuietly(tempPath, this.log);
      return false;
    }
  }

  /** Starts producing a base image to `sink`: RDB through the source, or commands. */
  private produceBase(sink: SnapshotSink, source: RdbSnapshotSource): SnapshotRun | null {
    const config = this.host.config;
    if (config.bool('aof-use-rdb-preamble')) return source.start(sink);
    // The command form is written in one go (the dataset as it is now; the event loop waits).
    writeCommandForm(this.host.keyspace, config.bool('aof-timestamp-enabled') ? Math.floor(Date.now() / 1000) : null, (chunk) => sink.write(chunk));
    return null;
  }

  // ------------------------------------------------------------------ feeding

  private attachFile(fd: number, sizeBytes: number): void {
    const config = this.host.config;
    this.file = new AofFile(fd, sizeBytes, this.replyGate, {
      fsyncPolicy: () => config.str('appendfsync') as FsyncPolicy,
      fsyncSuppressed: () => config.bool('no-appendfsync-on-rewrite') && (this.rewrite !== null || this.host.otherBackgroundJobActive()),
      warning: (m) => this.log.warning(m),
      notice: (m) => this.log.notice(m),
      latencySample: (event, ms) => this.host.latencySample(event, ms),
      fatal: () => this.host.exit(1),
      flushSleepMicros: () => this.flushSleepMicros,
      writesFailing: () => this.host.nodeAlerts.raise(),
    }, this.gateOffset, (bytes) => {
      this.currentSizeBytes += bytes;
    });
    this.selectNeeded = true;
    if (!this.subscribed) {
      this.host.propagator.subscribe(this.listener, PROPAGATE_AOF);
      this.subscribed = true;
    }
  }

  /** feedAppendOnlyFile: the propagated unit, after a #TS annotation and a SELECT when needed. */
  private feed(unit: PropagatedUnit): void {
    const file = this.file;
    if (file === null || this.loading) return;
    // While waiting for the first rewrite, only a running rewrite's temp incr file takes data.
    if (this.state === 'wait-rewrite' && this.rewrite === null) return;
    if (this.host.config.bool('aof-timestamp-enabled')) {
      const nowSec = Math.floor(Date.now() / 1000);
      if (nowSec > this.lastTimestampSec) {
        this.lastTimestampSec = nowSec;
        file.append(Buffer.from(`#TS:${nowSec}\r\n`, 'latin1'));
      }
    }
    const chunk = unit.owned();
    if (this.selectNeeded) {
      this.selectNeeded = false;
      if (!startsWithSelect(chunk)) {
        const db = String(unit.firstDbIndex);
        file.append(Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${db.length}\r\n${db}\r\n`, 'latin1'));
      }
    }
    file.append(chunk);
  }

  // ------------------------------------------------------------------ cron

  cron(): void {
    this.file?.cron();
    if (this.rewrite !== null || this.host.otherBackgroundJobActive()) return;
    const nowSec = Math.floor(Date.now() / 1000);
    // A rewrite BGREWRITEAOF scheduled runs whether or not the AOF is on, as in Redis.
    if (this.rewriteScheduled && !this.rewriteLimited(nowSec)) {
      this.startRewrite();
      return;
    }
    const config = this.host.config;
    const percentage = config.num('auto-aof-rewrite-percentage');
    if (this.state === 'on' && percentage > 0 && this.currentSizeBytes > config.num('auto-aof-rewrite-min-size')) {
      const base = this.rewriteBaseSizeBytes > 0 ? this.rewriteBaseSizeBytes : 1;
      const growth = Math.floor((this.currentSizeBytes * 100) / base) - 100;
      if (growth >= percentage && !this.rewriteLimited(nowSec)) {
        this.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
  }

  /** aofRewriteLimited: after 3 failures in a row, wait 1, 2, 4 ... 60 minutes between tries. */
  private rewriteLimited(nowSec: number): boolean {
    if (this.consecutiveFailures < REWRITE_LIMIT_THRESHOLD) {
      this.nextDelayMinutes = 0;
      this.nextRewriteTimeSec = 0;
      return false;
    }
    if (this.nextRewriteTimeSec !== 0) {
      if (nowSec < this.nextRewriteTimeSec) return true;
      this.nextRewriteTimeSec = 0;
      return false;
    }
    this.nextDelayMinutes = this.nextDelayMinutes === 0 ? 1 : Math.min(this.nextDelayMinutes * 2, REWRITE_LIMIT_MAX_MINUTES);
    this.nextRewriteTimeSec = nowSec + this.nextDelayMinutes * 60;
    this.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.nextDelayMinutes} minutes`);
    return true;
  }

  // ------------------------------------------------------------------ BGREWRITEAOF

  /** BGREWRITEAOF: the status reply, or an error reply starting with "ERR". */
  bgrewriteaof(): { status: string } | { error: string } {
    if (this.rewrite !== null) return { error: 'ERR Background append only file rewriting already in progress' };
    if (this.host.otherBackgroundJobActive() || this.host.inTransaction()) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      return { status: 'Background append only file rewriting scheduled' };
    }
    if (this.startRewrite()) return { status: 'Background append only file rewriting started' };
    return { error: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information." };
  }

  /** rewriteAppendOnlyFileBackground: the base is written by a child process (save-child.ts). */
  private startRewrite(): boolean {
    if (this.rewrite !== null || this.host.otherBackgroundJobActive()) return false;
    try {
      ensureAofDir(this.loadHost());
    } catch (err) {
      if (!(err instanceof AofFatalError)) throw err;
      this.lastBgrewriteOk = false;
      return false;
    }
    this.selectNeeded = true;
    this.file?.flush(true);
    if (!this.openNewIncrForAppend()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.rewrites++;
    const config = this.host.config;
    let child: SaveChild;
    try {
      child = new SaveChild({
        dir: config.str('dir'),
        namePrefix: 'temp-rewriteaof-bg-',
        nameSuffix: '.aof',
        format: config.bool('aof-use-rdb-preamble') ? 'rdb' : 'raw',
        checksum: config.bool('rdbchecksum'),
        stats: this.host.forkStats,
      });
    } catch (err) {
      this.lastBgrewriteOk = false;
      this.log.warning(`Can't rewrite append only file in background: fork: ${describeSystemError(err)}`);
      return false;
    }
    const job: RewriteJob = { startedSec: Math.floor(Date.now() / 1000), child, cancelled: false, snapshot: null };
    this.rewrite = job;
    this.rewriteScheduled = false;
    this.log.notice(`Background append only file rewriting started by pid ${child.pid}`);
    void this.runRewrite(job);
    return true;
  }

  /** openNewIncrAofForAppend: the incremental file the writes after the rewrite's point go to. */
  private openNewIncrForAppend(): boolean {
    if (this.state === 'off') return true;
    const appendFilename = this.appendFilename;
    let next: AofManifest | null = null;
    let name: string;
    if (this.state === 'wait-rewrite') {
      name = tempIncrName(appendFilename);
    } else {
      next = this.manifest.copy();
      name = next.newIncr(appendFilename).name;
    }
    let fd: number;
    try {
      fd = openSync(join(this.dirPath, name), 'w', 0o644);
    } catch (err) {
      this.log.warning(`Can't open the append-only file ${name}: ${describeSystemError(err)}`);
      return false;
    }
    if (next !== null && !persistManifest(this.log, this.dirPath, appendFilename, next)) {
      closeSync(fd);
      return false;
    }
    this.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    const old = this.file;
    if (old !== null) {
      old.closeInBackground();
      this.gateOffset = old.endOffset;
    }
    if (next !== null) this.manifest = next;
    this.attachFile(fd, 0);
    return true;
  }

  /** The base image streams to the child; its exit says how the rewrite went. */
  private async runRewrite(job: RewriteJob): Promise<void> {
    const child = job.child;
    let produced: Promise<'ok' | 'error'>;
    let failure: unknown = null;
    if (child.openFailure !== null) {
      this.log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${describeSystemError(child.openFailure)}`);
      produced = new Promise(() => undefined);
    } else {
      try {
        job.snapshot = this.produceBase(child, this.rdbSource);
        produced = job.snapshot === null ? Promise.resolve('ok') : job.snapshot.done.then(() => 'ok' as const, (err: unknown) => {
          failure = err;
          return 'error' as const;
        });
      } catch (err) {
        failure = err;
        produced = Promise.resolve('error');
      }
    }
    const first = await Promise.race([produced, child.ended.then(() => 'child-ended' as const)]);
    if (job.cancelled) return;
    if (first === 'ok') {
      child.finish();
    } else if (first === 'error') {
      // The image could not be produced: the child is stopped as Redis's would exit 1.
      this.log.warning(`Write error writing append only file on disk: ${describeSystemError(failure)}`);
      const removal = child.kill();
      if (removal !== null) this.log.warning(`Error removing ${child.tempPath}: ${describeSystemError(removal)}`);
    } else {
      job.snapshot?.cancel();
    }
    const end = await child.ended;
    if (job.cancelled) return;
    await this.rewriteDone(job, first === 'error' ? { kind: 'error', stage: null, code: null } : end);
  }

  /** backgroundRewriteDoneHandler. */
  private async rewriteDone(job: RewriteJob, end: ChildEnd): Promise<void> {
    const child = job.child;
    let ok = false;
    if (end.kind === 'ok') {
      // Redis's child logs this line as it exits.
      this.log.notice(`Successfully created the temporary AOF base file ${child.fileName}`);
      this.log.notice('Background AOF rewrite terminated with success');
      ok = await this.installRewrite(job);
    } else if (end.kind === 'error') {
      if (end.stage === 'open') this.log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${strerror(end.code ?? undefined)}`);
      else if (end.stage !== null) this.log.warning(`Write error writing append only file on disk: ${strerror(end.code ?? undefined)}`);
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      this.log.warning('Background AOF rewrite terminated with error');
    } else {
      // SIGUSR1 is how a child is stopped on purpose: no error condition.
      if (end.signalNumber !== SIGUSR1_NUMBER) {
        this.lastBgrewriteOk = false;
        this.consecutiveFailures++;
      }
      this.log.warning(`Background AOF rewrite terminated by signal ${end.signalNumber}`);
    }
    if (job.cancelled) return;
    removeTempFileOf(child, this.log);
    // The temp incr file only made sense with this rewrite's base.
    if (this.state === 'wait-rewrite' && !ok) this.dropTempIncr();
    this.lastRewriteTimeSec = Math.floor(Date.now() / 1000) - job.startedSec;
    this.rewrite = null;
    if (this.state === 'wait-rewrite') this.rewriteScheduled = true;
  }

  private async installRewrite(job: RewriteJob): Promise<boolean> {
    const appendFilename = this.appendFilename;
    const next = this.manifest.copy();
    const base = next.newBase(appendFilename, this.host.config.bool('aof-use-rdb-preamble'));
    const basePath = join(this.dirPath, base.name);
    const failed = (): boolean => {
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      return false;
    };
    try {
      await rename(job.child.tempPath, basePath);
    } catch (err) {
      this.log.warning(`Error trying to rename the temporary AOF base file ${job.child.fileName} into ${basePath}: ${describeSystemError(err)}`);
      return failed();
    }
    if (job.cancelled) return false;
    this.log.notice(`Successfully renamed the temporary AOF base file ${job.child.fileName} into ${base.name}`);
    let newIncrPath: string | null = null;
    if (this.state === 'wait-rewrite') {
      const tempName = tempIncrName(appendFilename);
      const incr = next.newIncr(appendFilename);
      newIncrPath = join(this.dirPath, incr.name);
      try {
        await rename(join(this.dirPath, tempName), newIncrPath);
      } catch (err) {
        this.log.warning(`Error trying to rename the temporary AOF incr file ${join(this.dirPath, tempName)} into ${newIncrPath}: ${describeSystemError(err)}`);
        removeQuietly(basePath, this.log);
        return failed();
      }
      this.log.notice(`Successfully renamed the temporary AOF incr file ${tempName} into ${incr.name}`);
    }
    next.markRewrittenIncrAsHistory(this.file !== null);
    if (!persistManifest(this.log, this.dirPath, appendFilename, next)) {
      removeQuietly(basePath, this.log);
      if (newIncrPath !== null) removeQuietly(newIncrPath, this.log);
      return failed();
    }
    this.manifest = next;
    if (this.state !== 'off') {
      let baseSize = 0;
      try {
        baseSize = statSync(basePath).size;
      } catch (err) {
        this.log.warning(`Unable to obtain the AOF file ${base.name} length. stat: ${describeSystemError(err)}`);
      }
      this.currentSizeBytes = baseSize + (this.file?.incrSizeBytes ?? 0);
      this.rewriteBaseSizeBytes = this.currentSizeBytes;
    }
    this.deleteHistoryFiles();
    this.lastBgrewriteOk = true;
    this.consecutiveFailures = 0;
    this.log.notice('Background AOF rewrite finished successfully');
    if (this.state === 'wait-rewrite') this.state = 'on';
    return true;
  }

  private dropTempIncr(): void {
    const name = tempIncrName(this.appendFilename);
    this.log.notice(`Removing the temp incr aof file ${name} in the background`);
    // The name goes now: the next rewrite (the cron may start it at once) opens a new file under it.
    unlinkInBackground(join(this.dirPath, name), (err) => this.log.warning(`Error removing ${name}: ${describeSystemError(err)}`));
  }

  /** aofDelHistoryFiles (unless aof-disable-auto-gc). */
  private deleteHistoryFiles(): void {
    if (this.host.config.bool('aof-disable-auto-gc') || this.manifest.history.length === 0) return;
    for (const f of this.manifest.history) {
      this.log.notice(`Removing the history file ${f.name} in the background`);
      const path = join(this.dirPath, f.name);
      unlink(path, (err) => {
        if (err !== null && err.code !== 'ENOENT') this.log.warning(`Error removing the history file ${f.name}: ${describeSystemError(err)}`);
      });
    }
    const next = this.manifest.copy();
    next.history = [];
    if (persistManifest(this.log, this.dirPath, this.appendFilename, next)) this.manifest = next;
  }

  /** killAppendOnlyChild: the child is killed, its temporary file removed. */
  private killRewrite(): void {
    const job = this.rewrite;
    if (job === null) return;
    this.log.notice(`Killing running AOF rewrite child: ${job.child.pid}`);
    job.cancelled = true;
    job.snapshot?.cancel();
    const failure = job.child.kill();
    if (failure !== null) this.log.warning(`Error removing ${job.child.tempPath}: ${describeSystemError(failure)}`);
    this.rewrite = null;
  }

  // ------------------------------------------------------------------ CONFIG SET appendonly

  private applyAppendonly(on: boolean): string | null {
    if (!on && this.state !== 'off') this.stop();
    else if (on && this.state === 'off' && !this.start()) return 'Unable to turn on AOF. Check server logs.';
    return null;
  }

  /**
   * stopAppendOnly before a replica loads its primary's image: the file would otherwise go on
   * from a dataset it never held.
   */
  stopForSync(): void {
    if (this.state !== 'off') this.stop();
  }

  /**
   * restartAOFAfterSYNC's attempt: with appendonly yes and the file stopped, a rewrite starts it
   * again from the dataset as loaded. False when the rewrite could not start.
   */
  restartAfterSync(): boolean {
    if (this.state !== 'off' || !this.host.config.bool('appendonly')) return true;
    return this.start();
  }

  /** startAppendOnly: a rewrite makes the first base; writes are kept meanwhile. */
  private start(): boolean {
    this.state = 'wait-rewrite';
    if (this.host.otherBackgroundJobActive()) {
      this.rewriteScheduled = true;
      this.log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (this.host.inTransaction()) {
      this.rewriteScheduled = true;
      this.log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite !== null) {
        this.log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (!this.startRewrite()) {
        this.state = 'off';
        this.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return false;
      }
    }
    if (this.file !== null && !this.file.lastWriteOk) {
      this.log.warning('AOF reopen, just ignore the last error.');
      this.file.lastWriteOk = true;
    }
    return true;
  }

  /** stopAppendOnly. */
  private stop(): void {
    const file = this.file;
    if (file !== null) {
      const failure = file.flushAndSyncNow();
      if (failure !== null) this.log.warning(`Fail to fsync the AOF file: ${failure}`);
      file.closeNow();
      this.gateOffset = file.endOffset;
    }
    this.file = null;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.killRewrite();
    this.unsubscribe();
    this.replyGate.releaseAll();
  }

  private unsubscribe(): void {
    if (!this.subscribed) return;
    this.host.propagator.unsubscribe(this.listener);
    this.subscribed = false;
  }

  // ------------------------------------------------------------------ SHUTDOWN, DEBUG

  /** prepareForShutdown's AOF part; an error text when the shutdown must not go on. */
  beforeShutdown(force: boolean): string | null {
    if (this.rewrite !== null) {
      if (this.state === 'wait-rewrite') {
        if (!force) {
          this.log.warning("Writing initial AOF, can't exit.");
          return 'initial AOF';
        }
        this.log.warning('Writing initial AOF. Exit anyway.');
      }
      this.log.warning('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state !== 'off' && this.file !== null) {
      this.log.notice('Calling fsync() on the AOF file.');
      const failure = this.file.flushAndSyncNow();
      if (failure !== null) this.log.warning(`Fail to fsync the AOF file: ${failure}.`);
    }
    return null;
  }

  /**
   * DEBUG LOADAOF: the dataset again from the files (Redis exits when they cannot be read).
   * The load runs at once, as Redis's blocking command does, until a script in the file runs
   * past busy-reply-threshold: Redis then serves other clients from inside the script
   * (scriptInterrupt), with LOADING replies. Here, when `mayWait` (the caller's command can go
   * on after its handler), the load goes on in turns of the event loop with the same replies,
   * and the returned promise tells when it ended (false: cancelled by a shutdown). 'loaded' when
   * it ended at once; an error text when a load is already under way.
   */
  debugLoadAof(mayWait: boolean): 'loaded' | string | Promise<boolean> {
    if (this.loading) return LOADING_ERROR;
    if (this.state === 'on') this.file?.flush(true);
    this.host.emptyData();
    try {
      this.manifest = readManifest(this.log, this.dirPath, this.names.dirName, this.appendFilename);
    } catch (err) {
      if (!(err instanceof AofFatalError)) throw err;
      this.host.exit(1);
      return 'loaded';
    }
    this.deleteHistoryFiles();
    const state = this.newLoadingState();
    const steps = this.loadAppendOnlyFilesSteps(state, mayWait);
    this.beginLoading();
    this.host.setLoadingState(state);
    let next: IteratorResult<LoadPause, AofLoadOutcome>;
    try {
      // Batches of commands run back to back: nothing else runs until a command has to wait.
      do next = steps.next(); while (next.done !== true && next.value === undefined);
    } catch (err) {
      this.host.setLoadingState(null);
      this.endLoading();
      throw err;
    }
    if (next.done === true) {
      this.host.setLoadingState(null);
      this.endLoading();
      this.debugLoadEnded(this.loaded(next.value));
      return 'loaded';
    }
    return this.loadInTurns(state, steps, next).then((status) => {
      this.host.setLoadingState(null);
      if (status === null) return false;
      this.debugLoadEnded(status);
      return true;
    }, (err: unknown) => {
      this.host.setLoadingState(null);
      throw err;
    });
  }

  private debugLoadEnded(status: AofLoadStatus): void {
    if (status !== 'ok' && status !== 'empty') {
      this.host.exit(1);
      return;
    }
    this.log.warning('Append Only File loaded by DEBUG LOADAOF');
  }

  setFlushSleep(micros: number): void {
    this.flushSleepMicros = micros;
  }

  // ------------------------------------------------------------------ INFO

  /** INFO persistence's aof_* fields, in Redis's order (the part after rdb_*). */
  infoFields(): Array<[string, string | number]> {
    const fields: Array<[string, string | number]> = [
      ['aof_enabled', this.state !== 'off' ? 1 : 0],
      ['aof_rewrite_in_progress', this.rewrite !== null ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteTimeSec],
      ['aof_current_rewrite_time_sec', this.rewrite === null ? -1 : Math.floor(Date.now() / 1000) - this.rewrite.startedSec],
      ['aof_last_bgrewrite_status', this.lastBgrewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
      ['aof_last_write_status', this.file === null || this.file.lastWriteOk ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
    ];
    return fields;
  }

  /** The fields Redis adds when appendonly is on (after module_fork_*). */
  infoEnabledFields(): Array<[string, string | number]> {
    if (!this.host.config.bool('appendonly')) return [];
    return [
      ['aof_current_size', this.currentSizeBytes],
      ['aof_base_size', this.rewriteBaseSizeBytes],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', this.file?.bufferedBytes ?? 0],
      ['aof_pending_bio_fsync', this.file?.fsyncInProgress === true ? 1 : 0],
      ['aof_delayed_fsync', this.file?.delayedFsyncs ?? 0],
    ];
  }

  /** INFO memory's mem_aof_buffer. */
  get bufferBytes(): number {
    return this.file?.bufferedBytes ?? 0;
  }
}

function tempIncrName(appendFilename: string): string {
  return `temp-${appendFilename}.incr`;
}

/** The chunk begins with "*2\r\n$6\r\nSELECT" (the propagator selected the db itself). */
function startsWithSelect(chunk: Buffer): boolean {
  return chunk.length > 14 && chunk.latin1Slice(0, 14).toUpperCase() === '*2\r\n$6\r\nSELECT';
}

function writeAll(fd: number, data: Buffer): void {
  let at = 0;
  while (at < data.length) at += writeSync(fd, data, at, data.length - at);
}

/** aofRemoveTempFile: the child's temporary base goes. */
function removeTempFileOf(child: SaveChild, log: ServerLog): void {
  const failure = child.removeTempFile();
  // Left behind, it is only a stray file named after a dead pid; the failure is worth a line.
  if (failure !== null) log.warning(`Error removing ${child.tempPath}: ${describeSystemError(failure)}`);
}

/**
 * Redis's bg_unlink: the name is removed at once, and the file's blocks are freed by the last
 * close, which runs off the event loop (a big file's truncation by the kernel can take long).
 * A file that is not there is already what we want.
 */
function unlinkInBackground(path: string, onError: (err: unknown) => void): void {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Unopenable: unlinked all the same below, freeing in place (Redis's fallback too).
    fd = null;
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(err);
  }
  if (fd !== null) {
    close(fd, (err) => {
      if (err !== null) onError(err);
    });
  }
}

/** Removes a temporary file; one that is not there is already what we want. */
function removeQuietly(path: string, log: ServerLog): void {
  if (!existsSync(path)) return;
  try {
    unlinkSync(path);
  } catch (err) {
    // Left behind, it is overwritten by the next rewrite; the failure is only worth a line.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warning(`Error removing ${path}: ${describeSystemError(err)}`);
  }
}

// A background save to the RDB file (BGSAVE, save points): the snapshot produced in slices of
// the event loop streams to a writer child (save-child.ts) that writes temp-<child pid>.rdb;
// once the child has exited 0 the file is put in place (rename, fsync of the directory) here.
// Redis's rdbSaveBackground with the fork replaced: the child can be found, killed, and its
// death fails the save as a forked child's would.

import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { ServerLog } from '../server/log.js';
import type { Keyspace } from '../store/keyspace.js';
import { installWrittenFile } from '../util/durable-file.js';
import { describeSystemError, strerror } from '../util/errno.js';
import { rdbSaveOptions } from './rdb-files.js';
import { SaveChild, type ChildEnd, type ForkStats } from './save-child.js';
import { SnapshotProducer, type SnapshotOptions } from './snapshot.js';

/** Event-loop time one slice of a snapshot may take (the longest stall it adds). */
export const SNAPSHOT_SLICE_MS = 4;

/** The snapshot options a node's configuration gives. */
export function snapshotOptions(config: Config, keyspace: Keyspace, aofBase = false): SnapshotOptions {
  return {
    ...rdbSaveOptions(config, keyspace, aofBase),
    accessPolicy: keyspace.access,
    sliceBudgetMs: SNAPSHOT_SLICE_MS,
    keyDelayMicros: () => config.num('rdb-key-save-delay'),
  };
}

/** How a background save ended (backgroundSaveDoneHandlerDisk's three cases, and our own stop). */
export type SaveResult =
  | { status: 'ok' }
  | { status: 'error' }
  | { status: 'signal'; signalNumber: number }
  /** Stopped by the server (FLUSHALL, SHUTDOWN): already accounted for by whoever stopped it. */
  | { status: 'aborted' };

export class BackgroundSave {
  readonly child: SaveChild;
  readonly producer: SnapshotProducer;
  /** Settles once the file is in place, the save failed, or it was stopped. */
  readonly done: Promise<SaveResult>;
  private aborted = false;
  /** dir and dbfilename when the save started. */
  private readonly dir: string;
  private readonly dbFilename: string;

  /** Spawns the writer and starts the snapshot; throws when the writer cannot be started. */
  constructor(keyspace: Keyspace, config: Config, private readonly log: ServerLog, stats: ForkStats) {
    const dir = config.str('dir');
    this.dir = dir;
    this.dbFilename = config.str('dbfilename');
    this.child = new SaveChild({ dir, namePrefix: 'temp-', nameSuffix: '.rdb', format: 'rdb', checksum: config.bool('rdbchecksum'), stats });
    this.producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace), this.child);
    const openFailure = this.child.openFailure;
    if (openFailure === null) {
      this.producer.start();
    } else {
      // As Redis's child: the line, then the child exits 1 and the save fails.
      log.warning(`Failed opening the temp RDB file ${this.child.fileName} (in server root dir ${dir}) for saving: ${describeSystemError(openFailure)}`);
      this.producer.abort();
    }
    this.done = this.run();
  }

  get pid(): number {
    return this.child.pid;
  }

  get startedAtMs(): number {
    return this.producer.startedAtMs;
  }

  get keptBytes(): number {
    return this.producer.keptBytes;
  }

  get keysProcessed(): number {
    return this.producer.keysProcessed;
  }

  get keysTotal(): number {
    return this.producer.keysTotal;
  }

  /** killRDBChild: the child is killed, the snapshot stops, the temporary file goes. */
  abort(): void {
    this.aborted = true;
    this.producer.abort();
    this.removeTemporary(this.child.kill());
  }

  private async run(): Promise<SaveResult> {
    const childEnded = this.child.ended.then(() => 'child-ended' as const);
    const first = await Promise.race([this.producer.done, childEnded]);
    if (this.aborted) return { status: 'aborted' };
    if (first === 'error') {
      // The image could not be produced (a value the codec refused): the child goes too.
      this.log.warning(`Write error saving DB on disk(rdbSaveRio): ${describeSystemError(this.producer.failure)}`);
      this.removeTemporary(this.child.kill());
      await this.child.ended;
      return { status: 'error' };
    }
    if (first === 'ok') this.child.finish();
    else this.producer.abort();
    const end = await this.child.ended;
    if (this.aborted) return { status: 'aborted' };
    return this.concluded(end);
  }

  private async concluded(end: ChildEnd): Promise<SaveResult> {
    if (end.kind === 'signal') {
      this.removeTemporary(this.child.removeTempFile());
      return { status: 'signal', signalNumber: end.signalNumber };
    }
    if (end.kind === 'error') {
      this.logChildFailure(end);
      this.removeTemporary(this.child.removeTempFile());
      return { status: 'error' };
    }
    try {
      await installWrittenFile(this.child.tempPath, join(this.dir, this.dbFilename));
    } catch (err) {
      this.log.warning(`Error moving temp DB file ${this.child.fileName} on the final destination ${this.dbFilename} (in server root dir ${this.dir}): ${describeSystemError(err)}`);
      this.removeTemporary(this.child.removeTempFile());
      return { status: 'error' };
    }
    if (this.aborted) return { status: 'aborted' };
    this.log.notice('DB saved on disk');
    return { status: 'ok' };
  }

  /** The lines Redis's child logs before exiting 1. */
  private logChildFailure(end: { stage: string | null; code: string | null }): void {
    if (end.stage === null) return;
    const reason = strerror(end.code ?? undefined);
    // The open failure was logged when the file was created here.
    if (end.stage === 'open' && this.child.openFailure !== null) return;
    if (end.stage === 'open') {
      this.log.warning(`Failed opening the temp RDB file ${this.child.fileName} (in server root dir ${this.dir}) for saving: ${reason}`);
    } else {
      this.log.warning(`Write error saving DB on disk(${end.stage === 'write' ? 'rdbSaveRio' : end.stage}): ${reason}`);
    }
  }

  private removeTemporary(failure: NodeJS.ErrnoException | null): void {
    // Left behind, the next save of the same child pid would overwrite it; the line says why.
    if (failure !== null) this.log.warning(`Error removing the temp RDB file ${this.child.fileName}: ${describeSystemError(failure)}`);
  }
}

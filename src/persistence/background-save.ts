// A background save to the RDB file (BGSAVE, save points, a signal's final save): a snapshot
// produced in slices of the event loop into temp-<pid>.rdb, put in place durably at the end.

import type { Config } from '../config/config.js';
import type { Keyspace } from '../store/keyspace.js';
import { DurableFileWriter } from '../util/durable-file.js';
import { rdbSaveOptions } from './rdb-files.js';
import { SnapshotProducer, type SnapshotOptions, type SnapshotOutcome } from './snapshot.js';

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

export class BackgroundSave {
  readonly producer: SnapshotProducer;
  /** Resolves once the file is in place, the save failed, or it was aborted. */
  readonly done: Promise<SnapshotOutcome>;
  /** Why it failed, for the log. */
  failure: Error | null = null;
  private readonly writer: DurableFileWriter;
  private aborted = false;

  /** Starts at once; throws when the temporary file cannot be created. */
  constructor(keyspace: Keyspace, config: Config, path: string, tempPath: string) {
    this.writer = new DurableFileWriter(path, tempPath);
    this.producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace), this.writer);
    this.producer.start();
    this.done = this.producer.done.then((outcome) => this.complete(outcome));
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

  private async complete(outcome: SnapshotOutcome): Promise<SnapshotOutcome> {
    if (outcome !== 'ok') {
      this.failure = this.producer.failure;
      this.removeTemporary();
      return outcome;
    }
    try {
      await this.writer.commit();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.removeTemporary();
      return this.aborted ? 'aborted' : 'error';
    }
    return this.aborted ? 'aborted' : 'ok';
  }

  /** Stops the snapshot and removes the temporary file (Redis kills the child with SIGUSR1). */
  abort(): void {
    this.aborted = true;
    this.producer.abort();
    this.removeTemporary();
  }

  private removeTemporary(): void {
    try {
      this.writer.abort();
    } catch (err) {
      // The temporary file could not be removed: the failure to report is the save's own.
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    }
  }
}

// A background save to the RDB file (BGSAVE, save points, a signal's final save): a snapshot
// produced in slices of the event loop into temp-<pid>.rdb, put in place durably at the end.

import type { Config } from '../config/config.js';
import type { Keyspace } from '../store/keyspace.js';
import { DurableFileWriter } from '../util/durable-file.js';
import { rdbSaveOptions } from './rdb-files.js';
import { SnapshotProducer, type SnapshotOptions, type SnapshotOutcome, type SnapshotSink } from './snapshot.js';

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

/** Bytes queued for the file past which the snapshot waits (its walk pauses; hooks still queue). */
const QUEUE_HIGH_BYTES = 8 * 1024 * 1024;
/** The walk resumes once the queue is down to this. */
const QUEUE_LOW_BYTES = 2 * 1024 * 1024;

/**
 * The snapshot's sink for a file: pieces are copied into a queue and written by the thread pool
 * one after the other, so a slow disk never stalls the event loop; past QUEUE_HIGH_BYTES the
 * producer is told to wait.
 */
class FileSink implements SnapshotSink {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private resume: (() => void) | null = null;
  private drained: (() => void) | null = null;
  failure: Error | null = null;

  constructor(private readonly file: DurableFileWriter, private readonly onFailure: (err: Error) => void) {}

  write(chunk: Buffer): void {
    if (this.failure !== null) return;
    this.queue.push(Buffer.from(chunk));
    this.queuedBytes += chunk.length;
    this.pump();
  }

  ready(): boolean {
    return this.queuedBytes < QUEUE_HIGH_BYTES;
  }

  onReady(resume: () => void): void {
    this.resume = resume;
  }

  /** Resolves once everything queued is written (or the writes failed). */
  flushed(): Promise<void> {
    if (this.queuedBytes === 0 || this.failure !== null) return Promise.resolve();
    return new Promise((resolve) => { this.drained = resolve; });
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const chunk = this.queue.shift() as Buffer;
    this.file.appendAsync(chunk).then(() => {
      this.writing = false;
      this.queuedBytes -= chunk.length;
      if (this.resume !== null && this.queuedBytes <= QUEUE_LOW_BYTES) {
        const resume = this.resume;
        this.resume = null;
        resume();
      }
      if (this.queue.length > 0) this.pump();
      else this.drained?.();
    }, (err: unknown) => {
      this.writing = false;
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.drained?.();
      this.onFailure(this.failure);
    });
  }
}

export class BackgroundSave {
  readonly producer: SnapshotProducer;
  /** Resolves once the file is in place, the save failed, or it was aborted. */
  readonly done: Promise<SnapshotOutcome>;
  /** Why it failed, for the log. */
  failure: Error | null = null;
  private readonly writer: DurableFileWriter;
  private readonly sink: FileSink;
  private aborted = false;

  /** Starts at once; throws when the temporary file cannot be created. */
  constructor(keyspace: Keyspace, config: Config, path: string, tempPath: string) {
    this.writer = new DurableFileWriter(path, tempPath);
    this.sink = new FileSink(this.writer, () => this.producer.abort());
    this.producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace), this.sink);
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
    if (outcome === 'ok') await this.sink.flushed();
    if (this.sink.failure !== null && !this.aborted) {
      // The file could not be written (ENOSPC...): the producer was stopped for it.
      this.failure = this.sink.failure;
      this.removeTemporary();
      return 'error';
    }
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

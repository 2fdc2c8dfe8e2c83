// A diskless full sync: one point-in-time snapshot streamed straight to the sockets of the
// replicas that share it, framed as Redis frames it (rdbSaveRioWithEOFMark): "$EOF:<40 random
// hex characters>\r\n", the RDB bytes, then the same 40 characters. The length is not known in
// advance, so the replica finds the end by the mark.
//
// Redis's child writes to a pipe that the parent copies to every replica; the slowest replica
// paces the child. Here the snapshot producer paces itself the same way: it waits while any
// replica's socket holds more than PACE_HIGH_BYTES not yet sent.

import { randomBytes } from 'node:crypto';
import type { SnapshotOutcome, SnapshotProducer, SnapshotSink } from '../../persistence/snapshot.js';
import type { AttachedReplica } from './attached-replica.js';

/** RDB_EOF_MARK_SIZE. */
export const EOF_MARK_BYTES = 40;
/** Unsent bytes on one replica's socket past which the snapshot waits. */
const PACE_HIGH_BYTES = 1024 * 1024;

/** getRandomHexChars: the mark that ends a diskless transfer. */
function newEofMark(): string {
  return randomBytes(EOF_MARK_BYTES / 2).toString('hex');
}

export class DisklessTransfer implements SnapshotSink {
  /** Replicas still receiving (a replica that left is dropped; the last one leaving ends it). */
  readonly targets: AttachedReplica[];
  readonly requirement: string;
  private readonly mark = newEofMark();
  private producer: SnapshotProducer | null = null;
  private resume: (() => void) | null = null;

  constructor(targets: AttachedReplica[], requirement: string) {
    this.targets = targets;
    this.requirement = requirement;
  }

  /**
   * Starts streaming: each replica gets the header, then the producer's bytes as they come.
   * Resolves with the producer's outcome (the mark is written by finish()).
   */
  start(producer: SnapshotProducer, nowMs: number): Promise<SnapshotOutcome> {
    this.producer = producer;
    const header = Buffer.from(`$EOF:${this.mark}\r\n`, 'latin1');
    for (const target of this.targets) this.writeTo(target, header, nowMs);
    producer.start();
    return producer.done;
  }

  write(chunk: Buffer): void {
    // The chunk is only valid during the call; one copy serves every socket.
    const copy = Buffer.from(chunk);
    const nowMs = Date.now();
    for (const target of this.targets) this.writeTo(target, copy, nowMs);
  }

  /**
   * Redis stamps repl_last_partial_write only when a replica could not take a write whole: a
   * replica that keeps up is never timed out by the full-sync rule, one whose socket stays full
   * (stopped, or far slower than the others) is, repl-timeout after its last such write.
   */
  private writeTo(target: AttachedReplica, bytes: Buffer, nowMs: number): void {
    target.write(bytes);
    if (target.client.connection.pendingOutputBytes > 0) target.lastPartialWriteMs = nowMs;
  }

  ready(): boolean {
    for (const target of this.targets) if (target.client.connection.pendingOutputBytes > PACE_HIGH_BYTES) return false;
    return true;
  }

  onReady(resume: () => void): void {
    this.resume = resume;
    for (const target of this.targets) {
      if (target.client.connection.pendingOutputBytes > PACE_HIGH_BYTES) {
        target.client.connection.whenDrained(() => this.maybeResume());
      }
    }
  }

  private maybeResume(): void {
    if (this.resume === null || !this.ready()) return;
    const resume = this.resume;
    this.resume = null;
    resume();
  }

  /** A replica left during the transfer; returns true when none is left (the caller aborts it). */
  drop(target: AttachedReplica): boolean {
    const at = this.targets.indexOf(target);
    if (at < 0) return false;
    this.targets.splice(at, 1);
    if (this.targets.length === 0) return true;
    this.maybeResume();
    return false;
  }

  /** The snapshot was fully written: every replica still here gets the closing mark. */
  finish(): void {
    const mark = Buffer.from(this.mark, 'latin1');
    for (const target of this.targets) target.write(mark);
  }

  abort(): void {
    this.producer?.abort();
  }
}

// Between a base image being produced and the temporary base file: the producer's chunks wait
// here (copied, since a snapshot's chunk is only a view) until the file takes them. Bounded:
// past QUEUE_LIMIT_BYTES the queue tells the producer it is not ready, and resumes it once the
// file has taken half of that.

import type { SnapshotSink } from '../snapshot.js';

const QUEUE_LIMIT_BYTES = 8 * 1024 * 1024;

export class RewriteQueue implements SnapshotSink {
  private chunks: Buffer[] = [];
  private queuedBytes = 0;
  private resume: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private ended = false;

  write(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
    this.queuedBytes += chunk.length;
    this.wakeTaker();
  }

  ready(): boolean {
    return this.queuedBytes < QUEUE_LIMIT_BYTES;
  }

  onReady(resume: () => void): void {
    this.resume = resume;
  }

  /** No more chunks will come (the image is complete, failed or was cancelled). */
  end(): void {
    this.ended = true;
    this.wakeTaker();
  }

  /** The next chunk, waiting for one; null once the queue has ended and is empty. */
  async take(): Promise<Buffer | null> {
    for (;;) {
      const next = this.chunks.shift();
      if (next !== undefined) {
        this.queuedBytes -= next.length;
        if (this.resume !== null && this.queuedBytes < QUEUE_LIMIT_BYTES / 2) {
          const resume = this.resume;
          this.resume = null;
          resume();
        }
        return next;
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private wakeTaker(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

// When the live stream leaves for the replicas, and what waits for it.
//
// The units a turn of the event loop produced go out together after the turn's I/O (one write
// per replica instead of one per command). Redis writes to its replicas in beforeSleep before
// the replies of the commands that produced the stream, so a client that got its write
// acknowledged and then reads a replica finds the write already on its way there, not behind
// its own read. The replies of clients flushed while a stream write is pending therefore wait
// for it too: they go out in the same callback, right after the replicas' writes.

import type { Client } from '../../engine/client.js';

/** A replica with stream bytes of this turn not yet written to its socket. */
export interface StreamHolder {
  flushStream(): void;
}

export class StreamFlush {
  /** Replicas with stream to write, each once (a replica schedules itself once per turn). */
  private replicas: StreamHolder[] = [];
  /**
   * Clients whose replies wait, each once (Client.replyAwaitsStream): arrays, not Sets, since a
   * Set cleared every turn regrows its table entry by entry, which profiles of a primary with
   * replicas showed at about 2% of its CPU.
   */
  private replies: Client[] = [];
  /** The lists' other halves: a flush swaps them in, so turns allocate no lists. */
  private spareReplicas: StreamHolder[] = [];
  private spareReplies: Client[] = [];
  private scheduled = false;

  constructor(private readonly sendReply: (client: Client) => void) {}

  /** A stream write waits for the end of the turn. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** The replica has units waiting: they leave at the end of the turn (call once per turn per replica). */
  schedule(replica: StreamHolder): void {
    this.replicas.push(replica);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** The client's reply leaves after the pending stream write (call only while `pending`). */
  deferReply(client: Client): void {
    if (client.replyAwaitsStream) return;
    client.replyAwaitsStream = true;
    this.replies.push(client);
  }

  /** Writes the pending stream now, then the replies that waited for it. */
  flush(): void {
    // A flush run early (a big reply could not wait) leaves the scheduled callback nothing to do.
    if (!this.scheduled) return;
    this.scheduled = false;
    const replicas = this.replicas;
    if (replicas.length > 0) {
      // Whatever a write schedules meanwhile goes in the other list, for the next flush.
      this.replicas = this.spareReplicas;
      for (let i = 0; i < replicas.length; i++) replicas[i].flushStream();
      replicas.length = 0;
      this.spareReplicas = replicas;
    }
    const clients = this.replies;
    if (clients.length === 0) return;
    this.replies = this.spareReplies;
    let i = 0;
    try {
      for (; i < clients.length; i++) {
        const client = clients[i];
        client.replyAwaitsStream = false;
        this.sendReply(client);
      }
    } finally {
      // Should a write throw, the clients left behind must still be able to wait again.
      for (; i < clients.length; i++) clients[i].replyAwaitsStream = false;
      clients.length = 0;
      this.spareReplies = clients;
    }
  }
}

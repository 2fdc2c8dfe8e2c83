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
  /** At most one entry per attached replica. */
  private readonly replicas = new Set<StreamHolder>();
  /** At most one entry per client: a client's reply buffer holds all it has to say. */
  private readonly replies = new Set<Client>();
  private scheduled = false;

  constructor(private readonly sendReply: (client: Client) => void) {}

  /** A stream write waits for the end of the turn. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** The replica has units waiting: they leave at the end of the turn. */
  schedule(replica: StreamHolder): void {
    this.replicas.add(replica);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** The client's reply leaves after the pending stream write (call only while `pending`). */
  deferReply(client: Client): void {
    this.replies.add(client);
  }

  /** Writes the pending stream now, then the replies that waited for it. */
  flush(): void {
    // A flush run early (a big reply could not wait) leaves the scheduled callback nothing to do.
    if (!this.scheduled) return;
    this.scheduled = false;
    for (const replica of this.replicas) replica.flushStream();
    this.replicas.clear();
    if (this.replies.size === 0) return;
    const clients = [...this.replies];
    this.replies.clear();
    for (const client of clients) this.sendReply(client);
  }
}

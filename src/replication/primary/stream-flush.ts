// When the live stream leaves for the replicas.
//
// The units a turn of the event loop produced go out together after the turn's I/O (one write
// per replica instead of one per command). Redis writes to its replicas in beforeSleep before
// the reply of the write that started the turn's stream, so a client that got its write
// acknowledged and then reads a replica finds the write already on its way there, not behind
// its own read: the stream leaves in the node's one end-of-turn flush (server/pending-writes.ts),
// ahead of that client's reply (Server.writePending keeps Redis's order).

/** A replica with stream bytes of this turn not yet written to its socket. */
export interface StreamHolder {
  flushStream(): void;
}

export class StreamFlush {
  /** Replicas with stream to write, each once (a replica schedules itself once per turn). */
  private replicas: StreamHolder[] = [];
  /** The list's other half: a flush swaps it in, so turns allocate no lists. */
  private spareReplicas: StreamHolder[] = [];
  private scheduled = false;

  /**
   * `streamStarted` is called when the turn's first stream write is scheduled: it makes the
   * node's end-of-turn flush run, which calls flush().
   */
  constructor(private readonly streamStarted: () => void) {}

  /** A stream write waits for the end of the turn. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** The replica has units waiting: they leave at the end of the turn (call once per turn per replica). */
  schedule(replica: StreamHolder): void {
    this.replicas.push(replica);
    if (this.scheduled) return;
    this.scheduled = true;
    this.streamStarted();
  }

  /** Writes the pending stream now. */
  flush(): void {
    // A flush run early (a big reply could not wait) leaves the turn end nothing to do.
    if (!this.scheduled) return;
    this.scheduled = false;
    const replicas = this.replicas;
    if (replicas.length === 0) return;
    // Whatever a write schedules meanwhile goes in the other list, for the next flush.
    this.replicas = this.spareReplicas;
    for (let i = 0; i < replicas.length; i++) replicas[i].flushStream();
    replicas.length = 0;
    this.spareReplicas = replicas;
  }
}

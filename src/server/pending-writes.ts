// Clients with output to write at the end of the event-loop turn: Redis's clients_pending_write,
// written in beforeSleep by handleClientsWithPendingWrites.
//
// A client's replies wait until every client with input in this turn has run its requests, then
// all leave together. Written as each client finished its read instead, every write could find
// the peer asleep and pay a wake-up of its CPU: with 50 pipelining clients a profile showed a
// quarter of the server's CPU in the kernel's sock_def_readable waking redis-benchmark, against
// 6% for redis-server, whose writes leave in one burst. Batched, server CPU per request at -P 16
// fell by about a third.

import type { Client } from '../engine/client.js';

export class PendingWrites {
  /** The clients, each once (Client.flushPending); swapped with `spare` by a flush. */
  private clients: Client[] = [];
  private spare: Client[] = [];
  private scheduled = false;
  private readonly flushAtTurnEnd = (): void => this.flush();

  /** `writeAll` writes the clients' output (closed clients included: it skips them). */
  constructor(private readonly writeAll: (clients: readonly Client[]) => void) {}

  /** Clients waiting for the end-of-turn flush. */
  get size(): number {
    return this.clients.length;
  }

  /** The client's output leaves at the end of this turn (or at an earlier flush). */
  add(client: Client): void {
    if (client.flushPending) return;
    client.flushPending = true;
    this.clients.push(client);
    this.requestFlush();
  }

  /**
   * The turn ends with a flush even if no client has output: what writeAll sends before the
   * clients' output (the replicas' stream) waits for it.
   */
  requestFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushAtTurnEnd);
  }

  /** Writes every pending client's output now (writeAll runs with none too). */
  flush(): void {
    this.scheduled = false;
    const clients = this.clients;
    // Whatever is added while these are written goes in the other list, for the next flush.
    this.clients = this.spare;
    for (let i = 0; i < clients.length; i++) clients[i].flushPending = false;
    try {
      this.writeAll(clients);
    } finally {
      clients.length = 0;
      this.spare = clients;
    }
  }
}

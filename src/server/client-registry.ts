// The node's clients: by id (CLIENT LIST/KILL, INFO), the MONITOR audience, and the CLIENT
// PAUSE entry points commands use.

import type { ClientState, ClientsApi } from '../commands/context.js';
import type { Client } from '../engine/client.js';
import type { ClientPause } from './client-pause.js';

export class ClientRegistry implements ClientsApi {
  readonly byIdMap = new Map<number, Client>();
  readonly monitors = new Set<ClientState>();

  constructor(private readonly clientPause: ClientPause) {}

  get size(): number {
    return this.byIdMap.size;
  }

  add(client: Client): void {
    this.byIdMap.set(client.id, client);
  }

  remove(client: Client): void {
    this.byIdMap.delete(client.id);
    this.monitors.delete(client);
  }

  all(): IterableIterator<Client> {
    return this.byIdMap.values();
  }

  byId(id: number): ClientState | undefined {
    return this.byIdMap.get(id);
  }

  addMonitor(client: ClientState): void {
    client.isMonitor = true;
    this.monitors.add(client);
  }

  removeMonitor(client: ClientState): void {
    client.isMonitor = false;
    this.monitors.delete(client);
  }

  pause(untilMs: number, writesOnly: boolean): void {
    this.clientPause.pause(untilMs, writesOnly);
  }

  unpause(): void {
    this.clientPause.unpause();
  }
}

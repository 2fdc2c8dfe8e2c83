// Client-side caching (Redis's tracking.c): the keys tracking clients read, by the ids of the
// clients that read them, and the invalidation messages sent when those keys change (RESP3 push
// frames, or for RESP2 a message on __redis__:invalidate to the client tracking redirects to).
// BCAST clients get, once per event-loop turn, every changed key under their prefixes. Until a
// client turns tracking on, a write costs one field check.

import type { ClientState, TrackingApi, TrackingOptions, TrackingState } from '../commands/context.js';
import { commandKeys } from '../commands/introspection.js';
import type { Command } from '../commands/types.js';
import { Client } from '../engine/client.js';

/** What tracking needs from the node. */
export interface TrackingHost {
  clientById(id: number): Client | undefined;
  clients(): Iterable<Client>;
  /** tracking-table-max-keys (0: no limit). */
  maxKeys(): number;
  /** A command is running (Redis's fixed_time_expire): not just the checks before it. */
  inCommand(): boolean;
}

interface PrefixState {
  /** Keys changed under the prefix this turn, with the client that changed each (NOLOOP). */
  keys: Map<string, Client | null>;
  clients: Set<Client>;
}

const INVALIDATE_PUSH = Buffer.from('>2\r\n$10\r\ninvalidate\r\n', 'latin1');
const INVALIDATE_MESSAGE = Buffer.from('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n', 'latin1');
const NULL_RESP2 = Buffer.from('$-1\r\n', 'latin1');
const NULL_RESP3 = Buffer.from('_\r\n', 'latin1');

function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

/** The array of keys an invalidation carries. */
function keysPayload(keys: readonly string[]): Buffer {
  let out = `*${keys.length}\r\n`;
  for (const k of keys) out += bulk(k);
  return Buffer.from(out, 'latin1');
}

/** The engine's client behind a command's view of it (Client implements ClientState). */
function engineClient(c: ClientState): Client {
  if (!(c instanceof Client)) throw new Error('not an engine client');
  return c;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Tracking implements TrackingApi {
  /** Key -> ids of the clients that may cache it (Redis's TrackingTable). */
  private table = new Map<string, Set<number>>();
  /** Ids stored across the whole table (INFO tracking_total_items). */
  totalItems = 0;
  private readonly prefixTable = new Map<string, PrefixState>();
  /** Clients with tracking on (INFO tracking_clients). */
  clientCount = 0;
  /** Set once any client turned tracking on: until then nothing is recorded on writes. */
  used = false;
  /** The client whose command runs now (Redis's current_client), null between commands. */
  current: Client | null = null;
  /** Invalidations for the current client, sent after its command's reply (null: a flush). */
  private pending: Array<string | null> = [];
  private broadcastScheduled = false;
  /** Rounds the table stayed over tracking-table-max-keys (the eviction effort grows with it). */
  private overLimitRounds = 0;

  constructor(private readonly host: TrackingHost) {}

  get totalKeys(): number {
    return this.table.size;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  // ------------------------------------------------------------- modes

  enable(state: ClientState, redirect: number, options: TrackingOptions, prefixes: readonly string[]): void {
    const client = engineClient(state);
    let t = client.tracking;
    if (t === null) {
      this.clientCount++;
      t = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: [] };
      client.tracking = t;
    }
    t.redirect = redirect;
    t.brokenRedirect = false;
    t.bcast = false;
    t.optin = options.optin;
    t.optout = options.optout;
    t.noloop = options.noloop;
    this.used = true;
    if (options.bcast) {
      t.bcast = true;
      if (prefixes.length === 0) this.addPrefix(client, t, '');
      for (const p of prefixes) this.addPrefix(client, t, p);
    }
  }

  private addPrefix(client: Client, t: TrackingState, prefix: string): void {
    let state = this.prefixTable.get(prefix);
    if (state === undefined) {
      state = { keys: new Map(), clients: new Set() };
      this.prefixTable.set(prefix, state);
    }
    if (state.clients.has(client)) return;
    state.clients.add(client);
    t.prefixes.push(prefix);
    t.prefixes.sort(byteOrder);
  }

  disable(state: ClientState): void {
    const client = engineClient(state);
    const t = client.tracking;
    if (t === null) return;
    if (t.bcast) {
      for (const prefix of t.prefixes) {
        const state = this.prefixTable.get(prefix);
        if (state === undefined) continue;
        state.clients.delete(client);
        if (state.clients.size === 0) this.prefixTable.delete(prefix);
      }
    }
    client.tracking = null;
    this.clientCount--;
  }

  // ------------------------------------------------------------- reads

  /**
   * A read-only command ran: its keys are remembered for the client (or for the script's caller,
   * the keys of the caller's command), unless OPTIN/OPTOUT and CLIENT CACHING say otherwise.
   */
  rememberKeys(client: Client, command: Command, argv: readonly string[]): void {
    const t = client.tracking;
    if (t === null || t.bcast) return;
    if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
    // Shard channels are keys for cluster routing only: they are not tracked.
    if (command.spec.flags.includes('pubsub')) return;
    for (const ref of commandKeys(command, argv)) {
      const key = argv[ref.pos];
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(client.id)) {
        ids.add(client.id);
        this.totalItems++;
      }
    }
  }

  /** After each command (Redis's resetClient): CLIENT CACHING lasts for the next command only. */
  afterCommand(client: Client): void {
    const t = client.tracking;
    if (t !== null && t.caching && !client.inMulti && !client.lastCommandName.startsWith('client|')) t.caching = false;
    if (this.pending.length > 0) this.sendPending(client);
  }

  // ------------------------------------------------------------- invalidation

  /** A key changed (signalModifiedKey): clients that may cache it are told, then forgotten. */
  invalidateKey(key: string, bcast = true): void {
    if (bcast && this.prefixTable.size > 0) this.rememberForBroadcast(key);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const current = this.current;
    for (const id of ids) {
      const target = this.host.clientById(id);
      const t = target?.tracking;
      // A client now in BCAST mode no longer gets the keys it read before switching.
      if (target === undefined || t === null || t === undefined || t.bcast) continue;
      if (t.noloop && target === current) continue;
      // The invalidation of the client's own command follows its reply; one caused before the
      // command runs (an eviction by its OOM check) precedes it.
      if (target === current && this.host.inCommand()) this.pending.push(key);
      else this.send(target, keysPayload([key]));
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  /** FLUSHDB / FLUSHALL: every tracking client gets a null invalidation; the table empties. */
  invalidateAll(): void {
    if (this.clientCount > 0) {
      for (const client of this.host.clients()) {
        if (client.tracking === null) continue;
        if (client === this.current && this.host.inCommand()) this.pending.push(null);
        else this.send(client, client.reply.resp === 3 ? NULL_RESP3 : NULL_RESP2);
      }
    }
    this.table = new Map();
    this.totalItems = 0;
  }

  private sendPending(client: Client): void {
    const keys = this.pending;
    this.pending = [];
    if (client.closed) return;
    for (const key of keys) {
      if (key === null) this.send(client, client.reply.resp === 3 ? NULL_RESP3 : NULL_RESP2);
      else this.send(client, keysPayload([key]));
    }
  }

  /** Redis's sendTrackingMessage: to the client, or to the one it redirects to. */
  private send(client: Client, payload: Buffer): void {
    const t = client.tracking;
    if (t === null) return;
    let target = client;
    let redirected = false;
    if (t.redirect !== 0) {
      const redirect = this.host.clientById(t.redirect);
      if (redirect === undefined || redirect.closed) {
        t.brokenRedirect = true;
        // The client learns it, if its protocol can carry the news.
        if (client.reply.resp === 3) client.push(Buffer.from(`>2\r\n${bulk('tracking-redir-broken')}:${t.redirect}\r\n`, 'latin1'));
        return;
      }
      target = redirect;
      redirected = true;
    }
    let head: Buffer;
    if (target.reply.resp === 3) head = INVALIDATE_PUSH;
    else if (redirected && target.isPubSub) head = INVALIDATE_MESSAGE;
    else return; // RESP2 without a redirect has no way to carry it
    target.push(Buffer.concat([head, payload]));
  }

  // ------------------------------------------------------------- broadcast

  private rememberForBroadcast(key: string): void {
    for (const [prefix, state] of this.prefixTable) {
      if (key.startsWith(prefix)) state.keys.set(key, this.current);
    }
    if (this.broadcastScheduled) return;
    this.broadcastScheduled = true;
    // Once per event-loop turn, after the replies of the commands that changed the keys.
    setImmediate(() => {
      this.broadcastScheduled = false;
      this.broadcast();
    });
  }

  private broadcast(): void {
    for (const state of this.prefixTable.values()) {
      if (state.keys.size === 0) continue;
      const keys = [...state.keys.keys()].sort(byteOrder);
      const common = keysPayload(keys);
      for (const client of state.clients) {
        if (client.tracking?.noloop === true) {
          // Keys this client changed itself are left out for it.
          const own = keys.filter((k) => state.keys.get(k) !== client);
          if (own.length > 0) this.send(client, keysPayload(own));
        } else {
          this.send(client, common);
        }
      }
      state.keys = new Map();
    }
  }

  // ------------------------------------------------------------- limit

  /**
   * tracking-table-max-keys: over the limit, tracked keys are invalidated (and forgotten) until
   * under it again, with an effort that grows each time the limit is still passed. Redis walks
   * its radix tree at random; here the oldest tracked keys go first.
   */
  enforceLimit(): void {
    const maxKeys = this.host.maxKeys();
    if (maxKeys === 0 || this.table.size <= maxKeys) {
      this.overLimitRounds = 0;
      return;
    }
    let effort = 100 * (this.overLimitRounds + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, false);
      if (this.table.size <= maxKeys) {
        this.overLimitRounds = 0;
        return;
      }
    }
    this.overLimitRounds++;
  }
}

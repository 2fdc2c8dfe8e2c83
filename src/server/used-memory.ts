// used_memory as this node counts it: what the dataset and the node's per-client and per-script
// state cost, not what the process holds. process.memoryUsage() moves with garbage collection
// (a DEL frees nothing until the next collection, and collections come when V8 chooses), so a
// limit judged against it would evict too much, then too little. Instead:
//
//   used = baseline + dataset + clients + scripts
//
// - baseline: the node's own fixed structures (Redis's used_memory_startup), a constant;
// - dataset: the running sums the databases keep (store/db.ts memoryBytes, priced by
//   store/memory-estimate.ts on every write), read in O(databases);
// - clients: query buffers (bytes and the arguments of an incomplete request), reply buffers
//   and the socket's unsent output, plus a fixed cost per client; O(clients), so it is sampled
//   at most every CLIENTS_SAMPLE_MIN_MS (longer with many clients: the sampling stays under
//   about 1% of the time);
// - scripts: the EVAL cache's bodies and the function libraries' code.
//
// The V8 runtime itself (code, the command table, the interpreters) is to this node what the
// binary and its static data are to redis-server: in used_memory_rss, not in used_memory.

import type { Client } from '../engine/client.js';
import type { Keyspace } from '../store/keyspace.js';
import { nowMs } from '../store/clock.js';

/**
 * The baseline: the heap growth measured while a Server is constructed and starts listening,
 * with no client and no key (16 dbs, per-command state, the scripting engine's empty caches):
 * 780-800 KB on Node 20 with the rooms built so far (test/unit/memory-calibration.test.ts
 * prints it and fails beyond half of this either way: re-measure when it does).
 */
export const STARTUP_BYTES = 768 * 1024;
const CLIENTS_SAMPLE_MIN_MS = 10;
/** Sampling interval per client, in ms: 5 us of interval per client keeps sampling near 1%. */
const CLIENTS_SAMPLE_MS_PER_CLIENT = 0.005;

export interface ScriptsMemory {
  /** Bytes of the EVAL cache (bodies and SHA1s). */
  readonly cachedScriptBytes: number;
}

export class UsedMemory {
  private clientsBytes = 0;
  private replicasBytes = 0;
  private scriptsBytes = 0;
  private sampledAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly clients: () => Iterable<Client>,
    private readonly clientCount: () => number,
    private readonly scripts: ScriptsMemory,
  ) {}

  /** The dataset's bytes: keys, values and deadlines of every db. */
  datasetBytes(): number {
    let bytes = 0;
    for (const db of this.keyspace.dbs) bytes += db.memoryBytes;
    return bytes;
  }

  /** used_memory now (clients and scripts as last sampled, sampled again when stale). */
  totalBytes(): number {
    const now = nowMs();
    const intervalMs = Math.max(CLIENTS_SAMPLE_MIN_MS, this.clientCount() * CLIENTS_SAMPLE_MS_PER_CLIENT);
    if (now - this.sampledAtMs >= intervalMs || now < this.sampledAtMs) this.sample(now);
    return STARTUP_BYTES + this.datasetBytes() + this.clientsBytes + this.replicasBytes + this.scriptsBytes;
  }

  /** Client buffers as of the last sample, replicas left out (INFO mem_clients_normal). */
  get normalClientsBytes(): number {
    return this.clientsBytes;
  }

  /**
   * What the attached replicas' connections hold as of the last sample: part of used_memory,
   * but not judged against maxmemory (Redis's freeMemoryGetNotCountedMemory leaves the
   * replication buffer beyond the backlog out, or a slow replica would make the node evict).
   */
  get replicaClientsBytes(): number {
    return this.replicasBytes;
  }

  /** EVAL cache and function libraries as of the last sample. */
  get scriptCachesBytes(): number {
    return this.scriptsBytes;
  }

  /**
   * The last sample no longer holds: output it counted has left (pushed messages written at the
   * end of the turn). The next reading samples again instead of judging maxmemory by it.
   */
  clientsChanged(): void {
    this.sampledAtMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * A normal client's buffers changed (it read, or was sent output): the sample takes its size
   * now, as Redis updates a client's usage at those moments (updateClientMemUsageAndBucket).
   */
  clientChanged(c: Client): void {
    if (c.isReplica) return;
    const bytes = c.memoryBytes(null);
    this.clientsBytes += bytes - c.sampledMemoryBytes;
    c.sampledMemoryBytes = bytes;
  }

  /**
   * The client closed: its memory leaves the figure now, as Redis frees a client's buffers when
   * it closes, not at the next sample (a command right after a crowd of clients with big output
   * closed would otherwise be judged against memory already free).
   */
  clientGone(c: Client): void {
    if (c.isReplica) this.replicasBytes = Math.max(0, this.replicasBytes - c.sampledMemoryBytes);
    else this.clientsBytes = Math.max(0, this.clientsBytes - c.sampledMemoryBytes);
    c.sampledMemoryBytes = 0;
  }

  /** Reads the client buffers and script caches again (the cron and INFO call this). */
  sample(now = nowMs()): void {
    this.sampledAtMs = now;
    let clients = 0;
    let replicas = 0;
    for (const c of this.clients()) {
      const bytes = c.memoryBytes(null);
      c.sampledMemoryBytes = bytes;
      if (c.isReplica) replicas += bytes;
      else clients += bytes;
    }
    this.clientsBytes = clients;
    this.replicasBytes = replicas;
    let scripts = this.scripts.cachedScriptBytes;
    for (const library of this.keyspace.functions.libraries.values()) scripts += library.code.length;
    this.scriptsBytes = scripts;
  }
}

// The primary side of replication: replicas attached to this node (Redis's server.slaves).
//
// - SYNC / PSYNC (syncCommand): a partial resync from the backlog (+CONTINUE) when the replica's
//   history and offset allow it, else a full sync (+FULLRESYNC <replid> <offset>): diskless (one
//   snapshot streamed to every replica waiting for it, after repl-diskless-sync-delay or once
//   repl-diskless-sync-max-replicas arrived) or disk-based (the persistence room's background
//   save, then the file). From the snapshot's instant the stream is kept for the replica; it goes
//   out once the replica is online (on its first ACK after a diskless sync).
// - REPLCONF (handshake options, ACK bookkeeping), WAIT, ROLE's primary form, INFO's slaveN
//   lines, min-replicas-to-write.
// - The 1 Hz cron: a newline to replicas waiting for their snapshot, PING into the stream every
//   repl-ping-replica-period, repl-timeout, repl-backlog-ttl, the count of good replicas.

import { constants as osConstants } from 'node:os';
import type { BlockingApi } from '../../commands/blocking.js';
import type { CommandContext, ServerStats } from '../../commands/context.js';
import type { Config } from '../../config/config.js';
import type { Client } from '../../engine/client.js';
import type { PropagatedUnit, Propagator } from '../../engine/propagation.js';
import { snapshotOptions } from '../../persistence/background-save.js';
import type { Persistence } from '../../persistence/persistence.js';
import { rdbFilePath } from '../../persistence/rdb-files.js';
import { SaveChild } from '../../persistence/save-child.js';
import { SnapshotProducer, type SnapshotOptions } from '../../persistence/snapshot.js';
import { encodeCommand } from '../../protocol/command-encoder.js';
import type { ReplyWriter } from '../../protocol/writer.js';
import type { ServerLog } from '../../server/log.js';
import type { Keyspace } from '../../store/keyspace.js';
import { describeSystemError } from '../../util/errno.js';
import { parseInt64 } from '../../util/numbers.js';
import { splitInlineArgs } from '../../util/split-args.js';
import type { InfoField, Replication } from '../replication.js';
import { AttachedReplica, newHandshake, replicaName, requirementKey, type Handshake, type ReplicaStream, type ReplicaStreamLinks } from './attached-replica.js';
import { BulkSender } from './bulk-sender.js';
import { DisklessTransfer, type TransferEnd } from './diskless-transfer.js';
import { StreamFlush } from './stream-flush.js';

/** The signal Redis stops its own fork children with (killRDBChild). */
const SIGUSR1_NUMBER = osConstants.signals.SIGUSR1;

/** What the primary side needs from the node. */
export interface PrimaryHost {
  readonly config: Config;
  readonly log: ServerLog;
  readonly keyspace: Keyspace;
  readonly persistence: Persistence;
  readonly propagator: Propagator;
  readonly blocking: BlockingApi;
  readonly stats: ServerStats;
  /** The engine's client behind a command's context. */
  clientById(id: number): Client | undefined;
  /** Closes a client over its output-buffer limits (logged and counted); true when it did. */
  enforceOutputLimit(client: Client): boolean;
  /**
   * The turn's stream starts: the node's end-of-turn writes run this turn, and send it before the
   * replies of the clients pending now and of the one whose write started it (Server.writePending).
   */
  streamStarted(): void;
}

/** shared.noreplicaserr without its '-'. */
export const NOREPLICAS_ERROR = 'NOREPLICAS Not enough good replicas to write.';
const WAIT_ON_REPLICA_ERROR = 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
/** NET_HOST_STR_LEN: the longest ip-address REPLCONF takes, terminator included. */
const HOST_STR_BYTES = 256;
const PING_COMMAND = encodeCommand(['PING']);
const GETACK_COMMAND = encodeCommand(['REPLCONF', 'GETACK', '*']);
const NEWLINE = Buffer.from('\n', 'latin1');

interface WaitingClient {
  client: Client;
  offset: number;
  numReplicas: number;
}

function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The AUX fields of a snapshot for replicas: Redis's rdbSaveInfo (repl-stream-db, repl-id, repl-offset) before aof-base. */
function withReplicationAux(aux: SnapshotOptions['aux'], streamDb: number, replid: string, offset: number): SnapshotOptions['aux'] {
  const kept = aux.filter(([name]) => !name.startsWith('repl-'));
  const at = kept.findIndex(([name]) => name === 'aof-base');
  const repl: Array<readonly [string, string]> = [['repl-stream-db', String(streamDb)], ['repl-id', replid], ['repl-offset', String(offset)]];
  return at < 0 ? [...kept, ...repl] : [...kept.slice(0, at), ...repl, ...kept.slice(at)];
}

export class PrimarySide {
  /** The attached replicas in the order they came (server.slaves). */
  readonly replicas: AttachedReplica[] = [];
  /** INFO stats: sync_full, sync_partial_ok, sync_partial_err. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** repl_good_slaves_count: online replicas whose last ACK is within min-replicas-max-lag. */
  goodReplicas = 0;
  /** min-replicas-to-write and min-replicas-max-lag both set (the write check's one field). */
  minReplicasActive = false;
  private readonly handshakes = new WeakMap<Client, Handshake>();
  private transfer: DisklessTransfer | null = null;
  private readonly senders = new Map<AttachedReplica, BulkSender>();
  /** repl_no_slaves_since: when the last replica left (repl-backlog-ttl counts from it). */
  private noReplicasSinceMs = Date.now();
  private lastCronSecond = 0;
  private cronLoops = 0;
  private waiting: WaitingClient[] = [];
  private getAckRequested = false;
  private turnScheduled = false;
  /** The live stream's per-turn write (the clients' replies follow it: see Server.flushClient). */
  readonly streamFlush: StreamFlush;
  /** What every attached replica streams through. */
  private readonly streamLinks: ReplicaStreamLinks;

  constructor(private readonly replication: Replication, private readonly host: PrimaryHost) {
    this.streamFlush = new StreamFlush(() => host.streamStarted());
    const stream: ReplicaStream = {
      // The backlog's own end, so that every offset handed out can be lent back by it.
      get endOffset() {
        return replication.backlog?.lastByteOffset ?? replication.masterReplOffset;
      },
      lendFrom: (offset) => {
        const backlog = replication.backlog;
        // Replicas are attached only while a backlog exists (created by the first, freed with none left).
        if (backlog === null) throw new Error('a replica streams with no replication backlog');
        return backlog.bytesFrom(offset);
      },
    };
    this.streamLinks = {
      stream,
      streamFlush: this.streamFlush,
      counter: host.stats,
      closedForOutputLimit: (replica) => host.enforceOutputLimit(replica.client),
    };
    host.persistence.onBackgroundSaveDone((ok) => this.diskSnapshotDone(ok));
    const syncMinReplicas = (): void => {
      this.minReplicasActive = host.config.num('min-replicas-to-write') > 0 && host.config.num('min-replicas-max-lag') > 0;
      this.refreshGoodReplicas(Date.now());
    };
    syncMinReplicas();
    host.config.onChange('min-replicas-to-write', syncMinReplicas);
    host.config.onChange('min-replicas-max-lag', syncMinReplicas);
  }

  private get log(): ServerLog {
    return this.host.log;
  }

  private handshakeOf(client: Client): Handshake {
    let handshake = this.handshakes.get(client);
    if (handshake === undefined) {
      handshake = newHandshake();
      this.handshakes.set(client, handshake);
    }
    return handshake;
  }

  private engineClient(ctx: CommandContext): Client {
    const client = this.host.clientById(ctx.client.id);
    if (client === undefined) throw new Error('replication commands need a network client');
    return client;
  }

  // ------------------------------------------------------------------ SYNC / PSYNC

  /** syncCommand: SYNC, or PSYNC <replid> <offset>. */
  sync(ctx: CommandContext, argv: readonly string[]): void {
    const client = this.engineClient(ctx);
    // Already a replica, or a MONITOR client (a replica in Redis's flags): nothing to do.
    if (client.isReplica || client.isMonitor) return;
    const isPsync = argv[0].toLowerCase() === 'psync';
    if (isPsync && argv.length > 3 && argv[3].toLowerCase() === 'failover') {
      // The primary of this replica hands its role over (FAILOVER): the replica becomes the
      // primary, and the PSYNC that follows continues the history it shares with it.
      this.log.warning(`Failover request received for replid ${argv[1]}.`);
      if (this.replication.primaryAddress === null) {
        ctx.reply.error("ERR PSYNC FAILOVER can't be sent to a master.");
        return;
      }
      if (argv[1].toLowerCase() !== this.replication.replid) {
        ctx.reply.error('ERR PSYNC FAILOVER replid must match my replid.');
        return;
      }
      this.replication.replicaSide?.unsetPrimary();
      this.log.notice(`MASTER MODE enabled (failover request from '${client.infoLine(argv)}')`);
    }
    if (this.replication.failover.state !== 'no-failover') {
      ctx.reply.error("NOMASTERLINK Can't SYNC while failing over");
      return;
    }
    if (this.replication.primaryAddress !== null && !this.replication.primaryLinkUp) {
      ctx.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (client.reply.lengthBytes > 0 || client.connection.pendingOutputBytes > 0) {
      ctx.reply.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const handshake = this.handshakeOf(client);
    if ((handshake.excludeData || handshake.excludeFunctions) && !handshake.capaEof) {
      ctx.reply.error('ERR Filtered replica requires EOF capability');
      return;
    }
    this.log.notice(`Replica ${replicaName(client, handshake)} asks for synchronization`);
    if (isPsync) {
      const offset = parseOffset(argv[2]);
      if (offset === null) {
        ctx.reply.error('ERR value is not an integer or out of range');
        this.log.warning(`Replica ${replicaName(client, handshake)} asks for synchronization but with a wrong offset`);
        return;
      }
      if (this.tryPartialResync(client, handshake, argv[1], offset)) {
        this.syncPartialOk++;
        return;
      }
      if (!argv[1].startsWith('?')) this.syncPartialErr++;
    }
    this.syncFull++;
    const replica = new AttachedReplica(client, handshake, !isPsync, Date.now(), this.streamLinks);
    this.attach(replica);
    if (this.replicas.length === 1 && this.replication.backlog === null) {
      // A backlog created from scratch starts a new history: no earlier one is valid.
      this.replication.changeReplicationId();
      this.replication.clearReplicationId2();
      this.replication.createBacklog();
      this.log.notice(`Replication backlog created, my new replication IDs are '${this.replication.replid}' and '${this.replication.replid2}'`);
    }
    const persistence = this.host.persistence;
    if (persistence.currentSave !== null) {
      // A save to disk runs: usable when it was started for replicas (one of them registers the
      // stream from its instant) with the same requirements.
      const other = this.replicas.find((r) => r !== replica && r.state === 'wait_bgsave_end' && (!r.handshake.rdbOnly || handshake.rdbOnly));
      if (other !== undefined && (!other.handshake.capaEof || handshake.capaEof) && (!other.handshake.capaPsync2 || handshake.capaPsync2) &&
          requirementKey(other.handshake) === requirementKey(handshake)) {
        if (!handshake.rdbOnly) replica.copyHeldFrom(other);
        this.setupFullResync(replica, other.psyncInitialOffset);
        this.log.notice('Waiting for end of BGSAVE for SYNC');
      } else {
        this.log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
      }
    } else if (this.transfer !== null) {
      this.log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
    } else if (this.host.config.bool('repl-diskless-sync') && handshake.capaEof && this.host.config.num('repl-diskless-sync-delay') > 0) {
      // Started by the cron, so that replicas arriving meanwhile share the snapshot.
      this.log.notice('Delay next BGSAVE for diskless SYNC');
    } else if (persistence.canStartBackgroundSave()) {
      this.startSnapshotForReplicas(requirementKey(handshake), handshake.capaEof);
    } else {
      this.log.notice('No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
    }
  }

  private attach(replica: AttachedReplica): void {
    replica.client.replicaLink = replica;
    this.replicas.push(replica);
  }

  /** masterTryPartialResynchronization: true when the replica continues from the backlog. */
  private tryPartialResync(client: Client, handshake: Handshake, replid: string, offset: number): boolean {
    const rep = this.replication;
    const sameId = replid.toLowerCase() === rep.replid;
    const secondId = replid.toLowerCase() === rep.replid2;
    const name = replicaName(client, handshake);
    if (!sameId && (!secondId || offset > rep.secondReplOffset)) {
      if (replid.startsWith('?')) {
        this.log.notice(`Full resync requested by replica ${name}`);
      } else if (!sameId && !secondId) {
        this.log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${rep.replid}' and '${rep.replid2}')`);
      } else {
        this.log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${rep.secondReplOffset}`);
      }
      return false;
    }
    const backlog = rep.backlog;
    if (backlog === null || !backlog.holds(offset)) {
      this.log.notice(`Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > rep.masterReplOffset) {
        this.log.warning(`Warning: replica ${name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    const replica = new AttachedReplica(client, handshake, false, Date.now(), this.streamLinks);
    replica.state = 'online';
    this.attach(replica);
    replica.write(Buffer.from(handshake.capaPsync2 ? `+CONTINUE ${rep.replid}\r\n` : '+CONTINUE\r\n', 'latin1'));
    const history = backlog.bytesFrom(offset);
    let sentBytes = 0;
    for (const part of history) sentBytes += part.length;
    if (history.length > 0) replica.write(history);
    replica.startStream();
    this.log.notice(`Partial resynchronization request from ${name} accepted. Sending ${sentBytes} bytes of backlog starting from offset ${offset}.`);
    this.refreshGoodReplicas(Date.now());
    return true;
  }

  /**
   * replicationSetupSlaveForFullResync: the replica's stream starts at `offset` (the snapshot's
   * instant); the next unit selects its db again, and a PSYNC replica learns the offset.
   */
  private setupFullResync(replica: AttachedReplica, offset: number): void {
    replica.psyncInitialOffset = offset;
    replica.state = 'wait_bgsave_end';
    this.host.propagator.resetSelectedDb();
    if (!replica.prePsync) {
      replica.write(Buffer.from(`+FULLRESYNC ${this.replication.replid} ${offset}\r\n`, 'latin1'));
    }
  }

  /** startBgsaveForReplication: a snapshot for the replicas waiting for one with these requirements. */
  private startSnapshotForReplicas(requirement: string, allTakeEof: boolean): void {
    const socketTarget = (this.host.config.bool('repl-diskless-sync') || requirement !== '') && allTakeEof;
    this.log.notice(`Starting BGSAVE for SYNC with target: ${socketTarget ? 'replicas sockets' : 'disk'}`);
    const waiting = this.replicas.filter((r) => r.state === 'wait_bgsave_start' && requirementKey(r.handshake) === requirement);
    const started = socketTarget ? this.startDisklessTransfer(waiting, requirement) : this.host.persistence.startBackgroundSave();
    if (!started) {
      this.log.warning('BGSAVE for replication failed');
      for (const replica of this.replicas.slice()) {
        if (replica.state !== 'wait_bgsave_start') continue;
        this.detach(replica);
        replica.client.replicaLink = null;
        replica.client.reply.error("ERR BGSAVE failed, replication can't continue");
        replica.client.closeAfterReply = true;
        replica.client.flush();
      }
      return;
    }
    if (!socketTarget) {
      const offset = this.replication.masterReplOffset;
      for (const replica of waiting) this.setupFullResync(replica, offset);
    }
  }

  /** rdbSaveToSlavesSockets: one snapshot streamed to `targets`. */
  private startDisklessTransfer(targets: AttachedReplica[], requirement: string): boolean {
    const { config, keyspace, persistence, propagator } = this.host;
    if (!persistence.canStartBackgroundSave() || targets.length === 0) return false;
    const rep = this.replication;
    const options = snapshotOptions(config, keyspace);
    const first = targets[0].handshake;
    const filtered: SnapshotOptions = {
      ...options,
      aux: withReplicationAux(options.aux, propagator.selectedDb < 0 ? 0 : propagator.selectedDb, rep.replid, rep.masterReplOffset),
      functionCodes: first.excludeFunctions ? [] : options.functionCodes,
    };
    let child: SaveChild;
    try {
      child = new SaveChild({ dir: '', namePrefix: '', nameSuffix: '', format: 'rdb', checksum: filtered.checksum, stats: persistence.forkStats, trailerOnly: true });
    } catch (err) {
      this.log.warning(`Can't save in background: fork: ${describeSystemError(err)}`);
      return false;
    }
    const transfer = new DisklessTransfer(targets, requirement, child);
    let producer: SnapshotProducer;
    try {
      producer = new SnapshotProducer(first.excludeData ? [] : keyspace.dbs, filtered, transfer);
    } catch (err) {
      child.kill();
      this.log.warning(`Can't save in background: ${describeSystemError(err)}`);
      return false;
    }
    const offset = rep.masterReplOffset;
    for (const replica of targets) this.setupFullResync(replica, offset);
    this.transfer = transfer;
    persistence.holdForReplicas(transfer);
    this.log.notice(`Background RDB transfer started by pid ${transfer.childPid}`);
    void transfer.run(producer, Date.now()).then((end) => this.disklessDone(transfer, end));
    return true;
  }

  /** backgroundSaveDoneHandlerSocket + updateSlavesWaitingBgsave for a socket target. */
  private disklessDone(transfer: DisklessTransfer, end: TransferEnd): void {
    if (this.transfer === transfer) this.transfer = null;
    this.host.persistence.releaseFromReplicas(transfer);
    const ok = end.kind === 'ok';
    if (ok) {
      this.log.warning(`Diskless rdb transfer, done reading from pipe, ${transfer.targets.length} replicas still up.`);
      this.log.notice('Background RDB transfer terminated with success');
    } else if (end.kind === 'error') {
      this.log.warning('Background transfer error');
    } else {
      // Stopped here (Redis's killRDBChild: SIGUSR1), or killed from outside.
      const signalNumber = end.kind === 'signal' ? end.signalNumber : SIGUSR1_NUMBER;
      this.log.warning(`Background transfer terminated by signal ${signalNumber}`);
    }
    for (const replica of transfer.targets.slice()) {
      if (replica.state !== 'wait_bgsave_end' || replica.client.closed) continue;
      if (!ok) {
        this.log.warning('SYNC failed. BGSAVE child returned an error');
        replica.client.close('full sync failed');
        continue;
      }
      this.log.notice(`Streamed RDB transfer with replica ${replica.name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
      // The stream waits for the replica's first ACK: the replica finds the snapshot's end by
      // its mark, which is simplest when nothing follows it.
      if (this.putOnline(replica)) replica.startStreamOnAck = true;
    }
    this.startPendingSync(Date.now());
  }

  /** A background save to the file ended: replicas attached to it get the file (or are dropped). */
  private diskSnapshotDone(ok: boolean): void {
    for (const replica of this.replicas.slice()) {
      if (replica.state !== 'wait_bgsave_end') continue;
      if (!ok) {
        this.log.warning('SYNC failed. BGSAVE child returned an error');
        replica.client.close('full sync failed');
        continue;
      }
      const sender = new BulkSender(replica, (outcome) => {
        this.senders.delete(replica);
        if (replica.client.closed) return;
        if (!outcome.ok) {
          this.log.warning(`Read error sending DB to replica: ${outcome.reason}`);
          replica.client.close('full sync failed');
          return;
        }
        if (this.putOnline(replica)) replica.startStream();
      });
      const started = sender.start(rdbFilePath(this.host.config));
      if (!started.ok) {
        this.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${started.reason}`);
        replica.client.close('full sync failed');
        continue;
      }
      replica.state = 'send_bulk';
      this.senders.set(replica, sender);
    }
    this.startPendingSync(Date.now());
  }

  /** replicaPutOnline: false for an rdb-only replica, which is closed once its snapshot is out. */
  private putOnline(replica: AttachedReplica): boolean {
    if (replica.handshake.rdbOnly) {
      replica.state = 'rdb_transmitted';
      this.log.notice(`RDB transfer completed, rdb only replica (${replica.name}) should be disconnected asap`);
      replica.client.closeAfterReply = true;
      replica.client.flush();
      return false;
    }
    replica.state = 'online';
    replica.ackTimeMs = Date.now();
    this.refreshGoodReplicas(replica.ackTimeMs);
    this.log.notice(`Synchronization with replica ${replica.name} succeeded`);
    return true;
  }

  /** shouldStartChildReplication + replicationStartPendingFork. */
  private startPendingSync(nowMs: number): void {
    if (!this.host.persistence.canStartBackgroundSave()) return;
    let requirement: string | null = null;
    let waitingCount = 0;
    let maxIdleMs = 0;
    let allTakeEof = true;
    for (const replica of this.replicas) {
      if (replica.state !== 'wait_bgsave_start') continue;
      const key = requirementKey(replica.handshake);
      if (requirement === null) requirement = key;
      else if (key !== requirement) continue;
      maxIdleMs = Math.max(maxIdleMs, nowMs - replica.client.lastInteractionMs);
      waitingCount++;
      allTakeEof &&= replica.handshake.capaEof;
    }
    if (requirement === null) return;
    const config = this.host.config;
    const maxReplicas = config.num('repl-diskless-sync-max-replicas');
    if (!config.bool('repl-diskless-sync') || (maxReplicas > 0 && waitingCount >= maxReplicas) ||
        unixSeconds(maxIdleMs) >= config.num('repl-diskless-sync-delay')) {
      this.startSnapshotForReplicas(requirement, allTakeEof);
    }
  }

  // ------------------------------------------------------------------ stream

  /**
   * The stream grew by `unit` (already in the backlog). A streaming replica reads it from the
   * backlog at the end of the turn; one whose snapshot runs keeps a copy of its own (a Buffer
   * that is a view of reused memory is copied first).
   */
  streamGrew(unit: PropagatedUnit | Buffer, bufferIsView = false): void {
    // Backwards: a replica closed for its output limit leaves the list at its own index only.
    const replicas = this.replicas;
    let chunk: Buffer | null = null;
    for (let i = replicas.length - 1; i >= 0; i--) {
      const replica = replicas[i];
      if (replica.isStreaming) {
        replica.streamGrew();
        continue;
      }
      if (!replica.keepsStream) continue;
      if (chunk === null) chunk = Buffer.isBuffer(unit) ? (bufferIsView ? Buffer.from(unit) : unit) : unit.owned();
      replica.keep(chunk);
      this.host.enforceOutputLimit(replica.client);
    }
  }

  // ------------------------------------------------------------------ REPLCONF

  /** REPLCONF <option> <value> ... */
  replconf(ctx: CommandContext, argv: readonly string[]): void {
    if (argv.length % 2 === 0) {
      ctx.reply.error('ERR syntax error');
      return;
    }
    const client = this.engineClient(ctx);
    const handshake = this.handshakeOf(client);
    for (let j = 1; j < argv.length; j += 2) {
      const option = argv[j].toLowerCase();
      const value = argv[j + 1];
      if (option === 'listening-port') {
        const port = parseOffset(value);
        if (port === null) {
          ctx.reply.error('ERR value is not an integer or out of range');
          return;
        }
        handshake.listeningPort = port;
      } else if (option === 'ip-address') {
        if (value.length >= HOST_STR_BYTES) {
          ctx.reply.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
          return;
        }
        handshake.announcedIp = value;
      } else if (option === 'capa') {
        // Capabilities this node does not know are ignored.
        if (value.toLowerCase() === 'eof') handshake.capaEof = true;
        else if (value.toLowerCase() === 'psync2') handshake.capaPsync2 = true;
      } else if (option === 'ack') {
        // Never replied to.
        this.ack(client, value);
        return;
      } else if (option === 'getack') {
        // Asked of a replica by its primary; a primary ignores it. Never replied to.
        this.replication.sendAckToPrimary();
        return;
      } else if (option === 'rdb-only') {
        const flag = parseOffset(value);
        if (flag === null) {
          ctx.reply.error('ERR value is not an integer or out of range');
          return;
        }
        if (flag < 0 || flag > 1) {
          ctx.reply.error('ERR value is out of range, value must between 0 and 1');
          return;
        }
        handshake.rdbOnly = flag === 1;
      } else if (option === 'rdb-filter-only') {
        const filters = splitInlineArgs(value);
        if (filters === null) {
          ctx.reply.error('ERR Missing rdb-filter-only values');
          return;
        }
        handshake.excludeData = true;
        handshake.excludeFunctions = true;
        for (const filter of filters) {
          if (filter.toLowerCase() !== 'functions') {
            ctx.reply.error(`ERR Unsupported rdb-filter-only option: ${filter}`);
            return;
          }
          handshake.excludeFunctions = false;
        }
      } else {
        ctx.reply.error(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
        return;
      }
    }
    ctx.reply.ok();
  }

  /** REPLCONF ACK <offset>: what the replica processed; a diskless replica's first one starts its stream. */
  private ack(client: Client, value: string): void {
    const replica = client.replicaLink;
    if (!(replica instanceof AttachedReplica)) return;
    const offset = parseOffset(value);
    if (offset === null) return;
    if (offset > replica.ackOffset) replica.ackOffset = offset;
    replica.ackTimeMs = Date.now();
    if (replica.startStreamOnAck && replica.state === 'online') replica.startStream();
    if (this.waiting.length > 0 || this.replication.failover.state === 'waiting-for-sync') this.scheduleTurnEnd();
  }

  // ------------------------------------------------------------------ WAIT

  /** WAIT numreplicas timeout. */
  wait(ctx: CommandContext, numReplicas: number, deadlineMs: number): void {
    const client = this.engineClient(ctx);
    if (this.replication.primaryAddress !== null) {
      ctx.reply.error(WAIT_ON_REPLICA_ERROR);
      return;
    }
    const offset = client.woff;
    const acked = this.countAcks(offset);
    if (acked >= numReplicas || client.inMulti || !this.host.blocking.canBlock(client)) {
      ctx.reply.integer(acked);
      return;
    }
    const entry: WaitingClient = { client, offset, numReplicas };
    this.waiting.push(entry);
    this.host.blocking.block(ctx, [], deadlineMs, {
      serve: () => false,
      timedOut: (blocked) => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        blocked.reply.integer(this.countAcks(offset));
      },
    });
    this.getAckRequested = true;
    this.scheduleTurnEnd();
  }

  /** WAIT's rejection on a replica (before argument parsing, as Redis). */
  get waitRefusal(): string | null {
    return this.replication.primaryAddress !== null ? WAIT_ON_REPLICA_ERROR : null;
  }

  /** replicationCountAcksByOffset. */
  countAcks(offset: number): number {
    let count = 0;
    for (const replica of this.replicas) if (replica.state === 'online' && replica.ackOffset >= offset) count++;
    return count;
  }

  /**
   * beforeSleep's part: one REPLCONF GETACK into the stream for every WAIT of this turn, and the
   * WAITs that enough ACKs satisfy released.
   */
  private scheduleTurnEnd(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      if (this.getAckRequested) {
        this.getAckRequested = false;
        if (this.replicas.length > 0) this.replication.feedOwn(GETACK_COMMAND);
      }
      this.releaseSatisfiedWaits();
      // After the turn's ACKs, not inside one: handing the role over closes clients.
      this.replication.failover.check();
    });
  }

  /** processClientsWaitingReplicas. */
  private releaseSatisfiedWaits(): void {
    for (const entry of this.waiting.slice()) {
      if (entry.client.closed) continue;
      if (this.countAcks(entry.offset) >= entry.numReplicas) this.host.blocking.unblockClient(entry.client, false);
    }
  }

  // ------------------------------------------------------------------ ROLE, INFO

  /** disconnectSlaves: every attached replica is closed (it reconnects and asks to PSYNC). */
  disconnectAll(): void {
    for (const replica of [...this.replicas]) replica.client.close('replication id or data set changed');
  }

  /** ROLE on a primary: master, the offset, and [ip, port, acked offset] per online replica. */
  roleReply(reply: ReplyWriter): void {
    reply.arrayLength(3);
    reply.bulk('master');
    reply.integer(this.replication.masterReplOffset);
    const online = this.replicas.filter((r) => r.state === 'online');
    reply.arrayLength(online.length);
    for (const replica of online) {
      reply.arrayLength(3);
      reply.bulk(replica.ip);
      reply.bulk(String(replica.handshake.listeningPort));
      reply.bulk(String(replica.ackOffset));
    }
  }

  /** INFO replication: connected_slaves, min_slaves_good_slaves, slaveN lines. */
  infoFields(): InfoField[] {
    const fields: InfoField[] = [['connected_slaves', this.replicas.length]];
    if (this.minReplicasActive) fields.push(['min_slaves_good_slaves', this.goodReplicas]);
    const nowSec = unixSeconds(Date.now());
    let id = 0;
    for (const replica of this.replicas) {
      const state = stateName(replica);
      if (state === '') continue;
      const lag = replica.state === 'online' ? nowSec - unixSeconds(replica.ackTimeMs) : 0;
      fields.push([`slave${id}`, `ip=${replica.ip},port=${replica.handshake.listeningPort},state=${state},offset=${replica.ackOffset},lag=${lag}`]);
      id++;
    }
    return fields;
  }

  /**
   * The oldest stream offset a replica has still to be sent: the snapshot's instant for one
   * whose stream is kept, else what its socket has not taken yet (Infinity: none).
   */
  oldestPendingOffset(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const replica of this.replicas) {
      let from: number;
      if (replica.isStreaming) from = replica.pendingFromOffset;
      else if (!replica.keepsStream) continue;
      else from = replica.psyncInitialOffset + 1;
      if (from < oldest) oldest = from;
    }
    return oldest;
  }

  /** CONFIG RESETSTAT (resetServerStats): the sync counters restart from zero. */
  resetStats(): void {
    this.syncFull = 0;
    this.syncPartialOk = 0;
    this.syncPartialErr = 0;
  }

  /**
   * INFO memory's replication figures from the one buffer the backlog and the replicas share:
   * past repl-backlog-size (with replicas attached) the excess counts as the replicas' memory.
   */
  memoryFigures(): { totalBytes: number; backlogBytes: number; replicasBytes: number } {
    const totalBytes = this.replication.backlogMemoryBytes;
    const sizeBytes = this.host.config.num('repl-backlog-size');
    if (this.replicas.length > 0 && totalBytes > sizeBytes) return { totalBytes, backlogBytes: sizeBytes, replicasBytes: totalBytes - sizeBytes };
    return { totalBytes, backlogBytes: totalBytes, replicasBytes: 0 };
  }

  // ------------------------------------------------------------------ min-replicas

  get enforced(): boolean {
    return this.minReplicasActive;
  }

  /** checkGoodReplicasStatus: the NOREPLICAS refusal of a write, or null. */
  get writeRefusal(): string | null {
    if (!this.minReplicasActive || this.replication.primaryAddress !== null) return null;
    return this.goodReplicas >= this.host.config.num('min-replicas-to-write') ? null : NOREPLICAS_ERROR;
  }

  /** refreshGoodSlavesCount. */
  private refreshGoodReplicas(nowMs: number): void {
    if (!this.minReplicasActive) return;
    const maxLagSec = this.host.config.num('min-replicas-max-lag');
    const nowSec = unixSeconds(nowMs);
    let good = 0;
    for (const replica of this.replicas) {
      if (replica.state === 'online' && nowSec - unixSeconds(replica.ackTimeMs) <= maxLagSec) good++;
    }
    this.goodReplicas = good;
  }

  // ------------------------------------------------------------------ shutdown

  /** isReadyToShutdown: every replica acknowledged the whole stream. */
  readyToShutdown(): boolean {
    const offset = this.replication.masterReplOffset;
    return this.replicas.every((replica) => replica.ackOffset === offset);
  }

  /** A shutdown waits for replicas: they are asked for an ACK now (sendGetackToReplicas). */
  requestAcks(): void {
    if (this.replicas.length > 0) this.replication.feedOwn(GETACK_COMMAND);
  }

  /** finishShutdown's report: each lagging replica, then how many are in sync. */
  logReplicasAtShutdown(): void {
    if (this.replicas.length === 0) return;
    const offset = this.replication.masterReplOffset;
    const nowSec = unixSeconds(Date.now());
    let lagging = 0;
    for (const replica of this.replicas) {
      if (replica.ackOffset === offset) continue;
      lagging++;
      const lag = replica.state === 'online' ? nowSec - unixSeconds(replica.ackTimeMs) : 0;
      this.log.warning(`Lagging replica ${replica.name} reported offset ${offset - replica.ackOffset} behind master, lag=${lag}, state=${stateName(replica)}.`);
    }
    this.log.notice(`${this.replicas.length - lagging} of ${this.replicas.length} replicas are in sync when shutting down.`);
  }

  // ------------------------------------------------------------------ clients leaving

  /**
   * A command of a replica produced a reply (it must not: the connection carries the stream):
   * logged with the client, which is closed; an error reply is logged as critical too.
   */
  replicaReplied(client: Client, reply: Buffer | Buffer[] | null): void {
    const command = client.lastCommandName;
    this.log.warning(`Replica generated a reply to command '${command}', disconnecting it: ${client.infoLine(null)}`);
    const first = reply === null ? null : Buffer.isBuffer(reply) ? reply : reply[0];
    if (first !== null && first !== undefined && first[0] === 0x2d) {
      const end = first.indexOf('\r\n');
      const text = first.toString('latin1', 1, end < 0 ? first.length : end).replace(/^ERR /, '');
      this.log.warning(`== CRITICAL == This master is sending an error to its replica: '${text}' after processing the command '${command}'`);
      this.host.stats.unexpectedErrorReplies++;
    }
    client.close('replica generated a reply');
  }

  /** freeClient's replication part: a replica (or a WAIT-ing client) is gone. */
  clientClosed(client: Client): void {
    if (this.waiting.length > 0) this.waiting = this.waiting.filter((w) => w.client !== client);
    const replica = client.replicaLink;
    if (!(replica instanceof AttachedReplica)) return;
    this.log.warning(`Connection with replica ${replica.name} lost.`);
    this.detach(replica);
  }

  private detach(replica: AttachedReplica): void {
    const at = this.replicas.indexOf(replica);
    if (at < 0) return;
    this.replicas.splice(at, 1);
    if (replica.state === 'wait_bgsave_end' && this.transfer === null) this.stopUnneededDiskSave();
    const transfer = this.transfer;
    if (transfer !== null && transfer.drop(replica)) {
      this.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
      transfer.abort();
    }
    this.senders.get(replica)?.cancel();
    this.senders.delete(replica);
    if (this.replicas.length === 0) this.noReplicasSinceMs = Date.now();
    this.refreshGoodReplicas(Date.now());
    this.replication.backlog?.release();
  }

  /**
   * The last replica waiting for a save to disk is gone: with no save points the file serves
   * nobody, so the save stops (Redis's freeClient kills the RDB child), which also lets the next
   * full sync start a fresh one at once. With save points the file is the user's: it goes on.
   */
  private stopUnneededDiskSave(): void {
    const persistence = this.host.persistence;
    if (persistence.hasSavePoints || persistence.currentSave === null) return;
    if (this.replicas.some((r) => r.state === 'wait_bgsave_end')) return;
    persistence.abortBackgroundSave();
  }

  // ------------------------------------------------------------------ cron

  /** Called by the server's cron; Redis's replicationCron runs once a second. */
  cron(nowMs: number): void {
    if (this.replicas.length > 0) this.startPendingSync(nowMs);
    const second = unixSeconds(nowMs);
    if (second === this.lastCronSecond) return;
    this.lastCronSecond = second;
    this.replicationCron(nowMs);
  }

  private replicationCron(nowMs: number): void {
    const config = this.host.config;
    if (this.replicas.length > 0 && this.cronLoops % config.num('repl-ping-replica-period') === 0 && !this.replication.failover.holdsPings) {
      // Into the stream (not the AOF): replicas time their primary out by it.
      this.replication.feedOwn(PING_COMMAND);
    }
    for (const replica of this.replicas) {
      const presync = replica.state === 'wait_bgsave_start' || (replica.state === 'wait_bgsave_end' && this.transfer === null);
      if (presync) replica.write(NEWLINE);
    }
    const timeoutSec = config.num('repl-timeout');
    const nowSec = unixSeconds(nowMs);
    for (const replica of this.replicas.slice()) {
      if (replica.state === 'online' && !replica.prePsync && nowSec - unixSeconds(replica.ackTimeMs) > timeoutSec) {
        this.log.warning(`Disconnecting timedout replica (streaming sync): ${replica.name}`);
        replica.client.close('replica timeout');
        continue;
      }
      if (replica.state === 'wait_bgsave_end' && this.transfer !== null && replica.lastPartialWriteMs !== 0 &&
          nowSec - unixSeconds(replica.lastPartialWriteMs) > timeoutSec) {
        this.log.warning(`Disconnecting timedout replica (full sync): ${replica.name}`);
        replica.client.close('replica timeout');
      }
    }
    const ttlSec = config.num('repl-backlog-ttl');
    if (this.replicas.length === 0 && ttlSec > 0 && this.replication.backlog !== null && this.replication.primaryAddress === null &&
        nowSec - unixSeconds(this.noReplicasSinceMs) > ttlSec) {
      // Without a backlog the offset stops counting: the history can no longer be continued.
      this.replication.changeReplicationId();
      this.replication.clearReplicationId2();
      this.replication.freeBacklog();
      this.log.notice(`Replication backlog freed after ${ttlSec} seconds without connected replicas.`);
    }
    this.refreshGoodReplicas(nowMs);
    // Replicas' sockets drained since the last write: what only they kept can go.
    this.replication.backlog?.release();
    this.cronLoops++;
  }
}

/** replstateToString. */
function stateName(replica: AttachedReplica): string {
  switch (replica.state) {
    case 'wait_bgsave_start':
    case 'wait_bgsave_end':
      return 'wait_bgsave';
    case 'send_bulk':
    case 'online':
      return replica.state;
    default:
      return '';
  }
}

/** getLongLongFromObject: a decimal int64 (an offset, a port), as a number. */
function parseOffset(text: string): number | null {
  const value = parseInt64(text);
  return value === null ? null : Number(value);
}

// The replica side of replication: this node following a primary (Redis's replication.c, the
// "SLAVE" half). REPLICAOF sets the primary; the link then goes through Redis's states:
//
//   connect -> connecting -> handshake (PING, [AUTH], REPLCONF listening-port/[ip-address]/capa,
//   PSYNC) -> sync (the RDB payload, then its load) -> connected (the stream applied)
//
// +CONTINUE resumes from the cached primary (the position kept when a link dropped, or this
// node's own history when it was a primary until now); +FULLRESYNC receives an RDB image (to a
// temporary file renamed over dbfilename, or kept in memory with repl-diskless-load) and loads
// it. A cron every second sends REPLCONF ACK, reconnects, and applies repl-timeout.

import type { NodeAlerts } from '../../engine/node-alerts.js';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import type { Client } from '../../engine/client.js';
import type { Connection } from '../../engine/connection.js';
import { encodeCommand } from '../../protocol/command-encoder.js';
import { rdbFilePath, type LoadingState } from '../../persistence/rdb-files.js';
import type { ServerLog } from '../../server/log.js';
import type { Db } from '../../store/db.js';
import { DurableFileWriter } from '../../util/durable-file.js';
import { describeSystemError } from '../../util/errno.js';
import { formatPeerAddress } from '../../util/net-address.js';
import type { InfoField, PrimaryLinkRole, Replication, ReplicaSideView } from '../replication.js';
import { LineTooLongError, LinkBuffer } from './link-buffer.js';
import { parsePayloadHeader, RdbTransfer, type PayloadSink } from './rdb-transfer.js';
import { PrimaryLinkConnection, StreamApplier, type PrimaryPosition } from './stream-applier.js';
import { GrowingFileSource, SyncImageLoad, SyncLoadError } from './sync-load.js';
import { OwnKeyExpiry } from './own-key-expiry.js';

/** Redis's repl_state, with the handshake's steps folded into three. */
export type LinkState = 'none' | 'connect' | 'connecting' | 'ping' | 'handshake' | 'psync' | 'transfer' | 'connected';


export interface ReplicaSideHost {
  readonly config: Config;
  /** Raised when the node starts following a primary (READONLY and MASTERDOWN may apply). */
  readonly nodeAlerts: NodeAlerts;
  readonly log: ServerLog;
  readonly replication: Replication;
  /** The next unit of this node's stream starts with a SELECT (slaveseldb = -1). */
  resetSelectedDb(): void;
  /** The TCP port this node listens on (REPLCONF listening-port). */
  listeningPort(): number;
  /**
   * A client for the primary's stream over `connection`: listed among the clients (flag M),
   * authenticated, exempt from the loading, disk-error and read-only refusals.
   */
  createPrimaryClient(connection: Connection): Client;
  /**
   * Runs `apply`, one read's worth of the primary's commands, as one batch: one dispatcher
   * window, no key expiring (a primary's command sees keys past their deadline), the client's
   * replies handed to its connection once at the end.
   */
  applyBatch(client: Client, apply: () => void): void;
  /**
   * One command of a batch for the primary's client (its reply stays in the client's buffer), with
   * the big arguments the parser kept as Buffers (RespParser.takeBigArgs).
   */
  runRequest(client: Client, argv: string[], bigArgs: Array<Buffer | undefined> | null): void;
  setLoading(state: LoadingState | null): void;
  /** A dataset is being loaded (start-up, DEBUG RELOAD, a full sync). */
  readonly loadingDataset: boolean;
  /** Bytes of the primary's snapshot or stream were read (Redis's stat_net_repl_input_bytes). */
  noteReplicationInput(byteCount: number): void;
  readonly bgsaveInProgress: boolean;
  /** killRDBChild: the running BGSAVE stops and its temporary file goes. */
  abortBackgroundSave(): void;
  /** emptyData: every db and the function libraries emptied (WATCH and blocked clients told). */
  emptyData(): void;
  /** Fresh, empty dbs for a swapdb load. */
  newTempDbs(): Db[];
  /** The dbs' contents were replaced by a swapdb load (WATCH and blocked clients told). */
  datasetReplaced(): void;
  /** The node's dbs. */
  readonly dbs: readonly Db[];
  /** Compiles a library of a loaded image: null, or why it failed. */
  restoreLibrary(code: string): string | null;
  clearFunctions(): void;
  /** rdb_last_load_keys_loaded / _expired. */
  noteLoaded(keysLoaded: number, keysExpired: number): void;
  /** server.dirty++ (a diskless load changed the dataset without a save). */
  markDirty(): void;
  /** Clients blocked on keys are released with an error (the node stops being a primary). */
  disconnectBlockedClients(): void;
  /** INFO's unexpected_error_replies counter, and the error count, for replies to the primary. */
  countUnexpectedErrorReply(): void;
  /** Keys stop (or start again) expiring on their own: a replica's expiries come from its primary. */
  followsPrimary(follows: boolean): void;
  /** A script runs past busy-reply-threshold (the primary's stream waits). */
  scriptBusy(): boolean;
  /** stopAppendOnly before an image is loaded. */
  stopAof(): void;
  /** restartAOFAfterSYNC's attempt (appendonly yes and stopped): false when it could not start. */
  restartAof(): boolean;
  /** Redis exits when the AOF cannot be turned on again after a sync. */
  exitProcess(code: number): void;
  /** The db the node's own stream last selected (-1: the next unit starts with a SELECT). */
  selectedStreamDb(): number;
}


/** A link whose full sync is being received: where the payload goes and how it will be loaded. */
interface Transfer {
  /** Null until the `$...` header line has arrived. */
  payload: RdbTransfer | null;
  diskless: boolean;
  /** The temporary file (disk-based load). */
  file: DurableFileWriter | null;
  /**
   * The load parsing the payload as it arrives: from the socket (diskless), or from the
   * temporary file as it grows (disk-based into an empty dataset); a disk-based sync into a
   * dataset that has keys starts it once the file is complete, as Redis flushes only then.
   */
  load: SyncImageLoad | null;
  /** The file read by a disk-based load. */
  fileSource: GrowingFileSource | null;
  /** Where the load puts the keys: fresh Dbs swapped in on success, or the node's own. */
  loadDbs: readonly Db[] | null;
  /** Resolves once the payload is complete (true), or when the transfer is given up (false). */
  received: Promise<boolean>;
  settleReceived: (complete: boolean) => void;
  /** The link is paused because the parser holds enough unread bytes. */
  pausedForLoad: boolean;
  /** The load's keys were thrown away (once). */
  discarded: boolean;
  /** Bytes that came after the payload's end (the stream's start), kept while the image loads. */
  after: Buffer[];
  /** Set once the payload is complete, while the load finishes (the link is paused). */
  loading: boolean;
  /**
   * A diskless load: the load state from the payload's first byte, as Redis reads the image
   * from the socket (LOADING, or async loading, for the whole transfer); null otherwise.
   */
  loadState: LoadingState | null;
}

interface LinkedPrimary {
  applier: StreamApplier;
  /** When the link last received anything (the primary's lastinteraction), ms. */
  lastIoMs: number;
  /** A primary that answered SYNC, not PSYNC: it takes no ACKs (CLIENT_PRE_PSYNC). */
  prePsync: boolean;
}

/**
 * The link's read buffer (Redis's master query buffer reads as much as the socket holds): every
 * read lands here through the socket's `onread`, with no Readable stream and no Buffer per read,
 * and is consumed before the callback returns (the stream in place, other phases by copying).
 * 64 KB, Node's own read size, so a replica catching up takes as few reads as it did before.
 */
const LINK_READ_BUFFER_BYTES = 64 * 1024;

/** Seconds of a Unix time in ms, as Redis compares server.unixtime values. */
function unixSec(ms: number): number {
  return Math.floor(ms / 1000);
}

export class ReplicaSide implements ReplicaSideView {
  /** masterhost / masterport; null on a primary. */
  private primary: { host: string; port: number } | null = null;
  private linkState: LinkState = 'none';
  private socket: Socket | null = null;
  private readonly input = new LinkBuffer();
  /** See LINK_READ_BUFFER_BYTES; allocated with the first link. */
  private readBuffer: Buffer | null = null;
  /** Handshake replies still expected, in order. */
  private expectedReplies: Array<'auth' | 'port' | 'ip' | 'capa'> = [];
  /** repl_transfer_lastio (ms). */
  private lastIoMs = 0;
  /** repl_down_since (ms), 0 while the link is up or was never down. */
  private downSinceMs = 0;
  /** From +FULLRESYNC: the primary's replication ID and the offset of the image. */
  private syncReplid = '';
  private syncOffset = -1;
  private transfer: Transfer | null = null;
  private linked: LinkedPrimary | null = null;
  /** The cached master: where a PSYNC can resume. */
  private cached: PrimaryPosition | null = null;
  private cronTimer: NodeJS.Timeout | null = null;
  private lastNewlineSec = 0;
  /** Keys this writable replica's own clients gave a deadline: expired here, not by the primary. */
  readonly ownKeys: OwnKeyExpiry;

  constructor(private readonly host: ReplicaSideHost) {
    this.ownKeys = new OwnKeyExpiry(host.dbs);
  }

  /** Redis's repl_state. */
  get state(): LinkState {
    return this.linkState;
  }

  private set state(state: LinkState) {
    this.linkState = state;
  }

  // ------------------------------------------------------------------ role changes

  /** The primary followed, or null. */
  get primaryAddress(): { host: string; port: number } | null {
    return this.primary;
  }

  /** REPLICAOF host port: 'already' when that primary is already the one followed. */
  replicaOf(host: string, port: number, requestedBy: string): 'ok' | 'already' {
    const current = this.primary;
    if (current !== null && current.host.toLowerCase() === host.toLowerCase() && current.port === port) {
      this.host.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
      return 'already';
    }
    this.setPrimary(host, port);
    this.host.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${requestedBy}')`);
    return 'ok';
  }

  /** REPLICAOF NO ONE. */
  replicaOfNoOne(requestedBy: string): void {
    if (this.primary === null) return;
    this.unsetPrimary();
    this.host.log.notice(`MASTER MODE enabled (user request from '${requestedBy}')`);
  }

  /** replicationSetMaster. */
  setPrimary(host: string, port: number): void {
    const wasPrimary = this.primary === null;
    // Cleared first: dropping the current primary's client caches it without reconnecting.
    this.setAddress(null);
    if (this.linked !== null) this.dropPrimaryClient('primary changed');
    this.host.disconnectBlockedClients();
    this.setAddress({ host, port });
    this.cancelHandshake(false);
    if (wasPrimary) {
      this.discardCached();
      this.cacheUsingMyself();
    }
    this.state = 'connect';
    this.startCron();
    this.host.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect();
  }

  /**
   * The replicaof directive at start-up: the node is a replica from the start and the cron
   * connects (Redis sets repl_state to CONNECT while reading its configuration).
   */
  followAtStartup(host: string, port: number): void {
    this.setAddress({ host, port });
    this.state = 'connect';
    this.startCron();
  }

  /**
   * loadDataFromDisk's replication part: the repl-* AUX fields of the RDB file loaded at
   * start-up. A replica resumes its primary's history from there (a cached master made of its
   * own ID and offset, for a partial resync); a primary keeps it as its secondary ID, so its
   * replicas can continue.
   */
  resumeFromRdb(aux: ReadonlyMap<string, string>, expiredAtLoad: ReadonlyArray<readonly [number, string]> = []): void {
    const replid = aux.get('repl-id');
    const offsetText = aux.get('repl-offset');
    const streamDbText = aux.get('repl-stream-db');
    if (replid === undefined || replid.length !== 40 || offsetText === undefined || streamDbText === undefined) return;
    const offset = Number.parseInt(offsetText, 10);
    const streamDb = Number.parseInt(streamDbText, 10);
    if (!Number.isSafeInteger(offset) || offset === -1 || !Number.isSafeInteger(streamDb) || streamDb === -1) return;
    const replication = this.host.replication;
    if (this.primary !== null) {
      replication.replid = replid;
      replication.masterReplOffset = offset;
      this.discardCached();
      this.cacheUsingMyself();
      (this.cached as PrimaryPosition).dbIndex = streamDb;
      return;
    }
    replication.replid2 = replid;
    replication.secondReplOffset = offset + 1;
    replication.masterReplOffset = offset;
    replication.createBacklog();
    // The keys the load dropped as expired are deleted in the stream, after the file's offset
    // (Redis feeds their DELs while loading with RDBFLAGS_FEED_REPL): replicas resuming from
    // that offset get them.
    const command = this.host.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL';
    let selected = -1;
    for (const [dbIndex, key] of expiredAtLoad) {
      if (dbIndex !== selected) {
        replication.feed(encodeCommand(['SELECT', String(dbIndex)]));
        selected = dbIndex;
      }
      replication.feed(encodeCommand([command, key]));
    }
  }

  /**
   * rdbPopulateSaveInfo: where the dataset stands in a replication stream, for an RDB file's
   * repl-* fields; null for a primary without a backlog or a replica with no primary state.
   */
  savePosition(): { streamDb: number; replid: string; offset: number } | null {
    const replication = this.host.replication;
    let streamDb: number;
    if (this.primary === null) {
      if (replication.backlog === null) return null;
      // No write since a full sync: 0 is safe, the next unit starts with a SELECT.
      streamDb = Math.max(0, this.host.selectedStreamDb());
    } else if (this.linked !== null) {
      streamDb = this.linked.applier.client.dbIndex;
    } else if (this.cached !== null) {
      streamDb = Math.max(0, this.cached.dbIndex);
    } else {
      return null;
    }
    return { streamDb, replid: replication.replid, offset: replication.masterReplOffset };
  }

  /** replicationUnsetMaster (REPLICAOF NO ONE, and a cluster node that stops replicating). */
  unsetPrimary(): void {
    this.setAddress(null);
    if (this.linked !== null) this.dropPrimaryClient('master mode enabled');
    this.discardCached();
    this.cancelHandshake(false);
    const replication = this.host.replication;
    replication.shiftReplicationId();
    this.host.log.warning(`Setting secondary replication ID to ${replication.replid2}, valid up to offset: ${replication.secondReplOffset}. New replication ID is ${replication.replid}`);
    replication.disconnectReplicas();
    this.state = 'none';
    this.host.resetSelectedDb();
    this.downSinceMs = 0;
    this.stopCron();
    // The file may have been stopped for a sync that never finished.
    this.restartAof(0);
  }

  private setAddress(address: { host: string; port: number } | null): void {
    this.primary = address;
    if (address !== null) this.host.nodeAlerts.raise();
    this.host.replication.primaryAddress = address;
    // CONFIG GET replicaof and CONFIG REWRITE show the primary followed now.
    this.host.config.setFromArgs('replicaof', address === null ? ['no', 'one'] : [address.host, String(address.port)]);
    this.host.followsPrimary(address !== null);
    if (address === null) this.ownKeys.clear();
  }

  /** The server is closing: the link goes, quietly. */
  close(): void {
    this.stopCron();
    const socket = this.socket;
    this.socket = null;
    this.linked?.applier.stop();
    socket?.destroy();
    this.abortTransfer();
  }

  // ------------------------------------------------------------------ connection

  /** connectWithMaster. */
  private connect(): void {
    const primary = this.primary;
    if (primary === null) return;
    if (this.host.loadingDataset) {
      // Start-up loading yields to the event loop (clients get LOADING, the cluster bus runs), and
      // a cluster UPDATE can make this node a replica meanwhile. A sync now would replace the
      // dataset under the loader, which would then apply the rest of its file on top (and its
      // AOF rewrite would retire the files being read): the cron connects once loading is over,
      // as Redis's replicationCron does, which never runs during a load.
      this.state = 'connect';
      return;
    }
    this.input.takeAll();
    const readBuffer = this.readBuffer ??= Buffer.allocUnsafe(LINK_READ_BUFFER_BYTES);
    // bind-source-addr: the link leaves from that local address (Redis's connConnect source_addr).
    const sourceAddress = this.host.config.str('bind-source-addr');
    const socket = netConnect({
      host: primary.host,
      port: primary.port,
      ...(sourceAddress === '' ? {} : { localAddress: sourceAddress }),
      onread: {
        buffer: readBuffer,
        callback: (nread: number, buf: Buffer): boolean => {
          if (socket === this.socket) this.onRead(buf, nread);
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    this.socket = socket;
    this.lastIoMs = Date.now();
    this.state = 'connecting';
    this.host.log.notice('MASTER <-> REPLICA sync started');
    socket.on('connect', () => {
      if (socket !== this.socket) return;
      this.host.log.notice('Non blocking connect for SYNC fired the event.');
      this.state = 'ping';
      socket.write(encodeCommand(['PING']));
    });
    socket.on('error', (err) => {
      if (socket === this.socket) this.onSocketError(err);
    });
    socket.on('close', () => {
      if (socket === this.socket) this.onSocketClosed();
    });
  }

  private onSocketError(err: Error): void {
    if (this.state === 'connecting') {
      this.host.log.warning(`Error condition on socket for SYNC: ${describeSystemError(err)}`);
      this.linkFailed();
      return;
    }
    // The close event follows and says what the state was.
    this.host.log.verbose(`Replication link error: ${describeSystemError(err)}`);
  }

  private onSocketClosed(): void {
    switch (this.state) {
      case 'connected':
        this.dropPrimaryClient('connection lost');
        return;
      case 'transfer':
        if (this.transfer?.loading === true) return; // seen once the image is loaded
        if (this.transfer !== null && this.transfer.loadState !== null) {
          this.disklessLoadInterrupted(this.transfer);
          return;
        }
        this.host.log.warning('I/O error trying to sync with MASTER: connection lost');
        this.cancelHandshake(true);
        return;
      case 'ping':
      case 'handshake':
      case 'psync':
        this.host.log.warning('Failed to read response from the server: Connection reset by peer');
        this.host.log.warning('Master did not respond to command during SYNC handshake');
        this.linkFailed();
        return;
      case 'connecting':
        this.linkFailed();
        return;
      default:
    }
  }

  /** syncWithMaster's error path: the link closes, the cron connects again. */
  private linkFailed(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.abortTransfer();
    if (this.primary !== null) this.state = 'connect';
  }

  /**
   * A read of `nread` bytes into the link's read buffer: the stream is applied from it in place;
   * the handshake and the payload keep what they read, so they get a copy (a few lines, and
   * the image's bytes, which Node copied out of its own read buffer as well).
   */
  private onRead(buf: Buffer, nread: number): void {
    const nowMs = Date.now();
    this.lastIoMs = nowMs;
    const linked = this.linked;
    if (this.state === 'connected') {
      // Redis counts the payload's and the stream's bytes as replication input, not the handshake's.
      this.host.noteReplicationInput(nread);
      if (linked !== null) {
        linked.lastIoMs = nowMs;
        linked.applier.receive(buf.subarray(0, nread));
      }
      return;
    }
    this.onData(Buffer.from(buf.subarray(0, nread)));
  }

  /** Bytes of the handshake or the payload phase, owned by the callee. */
  private onData(chunk: Buffer): void {
    try {
      switch (this.state) {
        case 'transfer':
          this.receivePayload(chunk);
          return;
        case 'ping':
        case 'handshake':
        case 'psync':
          this.input.push(chunk);
          this.advanceHandshake();
          return;
        default:
      }
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      this.host.log.warning(`Bad protocol from MASTER: ${err.message}`);
      this.cancelHandshake(true);
    }
  }

  // ------------------------------------------------------------------ handshake

  private send(argv: readonly string[]): void {
    this.socket?.write(encodeCommand(argv));
  }

  private advanceHandshake(): void {
    for (;;) {
      if (this.state === 'ping') {
        const reply = this.input.readLine();
        if (reply === null) return;
        if (!reply.startsWith('+') && !reply.startsWith('-NOAUTH') && !reply.startsWith('-NOPERM') && !reply.startsWith('-ERR operation not permitted')) {
          this.host.log.warning(`Error reply to PING from master: '${reply}'`);
          this.linkFailed();
          return;
        }
        this.host.log.notice('Master replied to PING, replication can continue...');
        this.sendHandshake();
        continue;
      }
      if (this.state === 'handshake') {
        const expected = this.expectedReplies[0];
        const reply = this.input.readLine();
        if (reply === null) return;
        this.expectedReplies.shift();
        if (reply.startsWith('-')) {
          if (expected === 'auth') {
            this.host.log.warning(`Unable to AUTH to MASTER: ${reply}`);
            this.linkFailed();
            return;
          }
          const what = expected === 'port' ? 'REPLCONF listening-port' : expected === 'ip' ? 'REPLCONF ip-address' : 'REPLCONF capa';
          this.host.log.notice(`(Non critical) Master does not understand ${what}: ${reply}`);
        }
        if (this.expectedReplies.length === 0) this.sendPsync();
        continue;
      }
      if (this.state === 'psync') {
        const reply = this.input.readLine();
        if (reply === null) return;
        // Newlines before the reply keep the link alive while the primary prepares.
        if (reply === '') continue;
        this.onPsyncReply(reply);
        return;
      }
      return;
    }
  }

  /** AUTH, REPLCONF listening-port, ip-address and capa, pipelined; the replies are read in order. */
  private sendHandshake(): void {
    const config = this.host.config;
    const masterauth = config.str('masterauth');
    const masteruser = config.str('masteruser');
    this.expectedReplies = [];
    if (masterauth !== '') {
      this.send(masteruser !== '' ? ['AUTH', masteruser, masterauth] : ['AUTH', masterauth]);
      this.expectedReplies.push('auth');
    }
    const announcedPort = config.num('replica-announce-port');
    this.send(['REPLCONF', 'listening-port', String(announcedPort !== 0 ? announcedPort : this.host.listeningPort())]);
    this.expectedReplies.push('port');
    const announceIp = config.str('replica-announce-ip');
    if (announceIp !== '') {
      this.send(['REPLCONF', 'ip-address', announceIp]);
      this.expectedReplies.push('ip');
    }
    this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.expectedReplies.push('capa');
    this.state = 'handshake';
  }

  /** slaveTryPartialResynchronization's writing half. */
  private sendPsync(): void {
    this.syncOffset = -1;
    const cached = this.cached;
    let argv: string[];
    if (cached !== null) {
      const offset = String(cached.reploff + 1);
      this.host.log.notice(`Trying a partial resynchronization (request ${cached.replid}:${offset}).`);
      argv = ['PSYNC', cached.replid, offset];
    } else {
      this.host.log.notice('Partial resynchronization not possible (no cached master)');
      argv = ['PSYNC', '?', '-1'];
    }
    // A primary handing its role over (FAILOVER) asks the target to become the primary.
    if (this.host.replication.failover.inProgress) argv.push('FAILOVER');
    this.send(argv);
    this.state = 'psync';
  }

  /** slaveTryPartialResynchronization's reading half, then syncWithMaster's choice. */
  private onPsyncReply(reply: string): void {
    const log = this.host.log;
    const failover = this.host.replication.failover;
    if (failover.inProgress && !reply.startsWith('+FULLRESYNC') && !reply.startsWith('+CONTINUE')) {
      this.logPsyncRefusal(reply);
      // This node is a primary again (the failover is aborted).
      failover.psyncAnswered(false);
      return;
    }
    if (reply.startsWith('+FULLRESYNC')) {
      const parts = reply.split(' ');
      if (parts.length < 3 || parts[1].length !== 40) {
        log.warning('Master replied with wrong +FULLRESYNC syntax.');
        // The next PSYNC must not match anything: the ID is blanked.
        this.syncReplid = '';
      } else {
        this.syncReplid = parts[1];
        this.syncOffset = Number.parseInt(parts[2], 10) || 0;
        log.notice(`Full resync from master: ${this.syncReplid}:${this.syncOffset}`);
      }
      failover.psyncAnswered(true);
      this.startTransfer();
      return;
    }
    if (reply.startsWith('+CONTINUE')) {
      log.notice('Successful partial resynchronization with master.');
      const cached = this.cached as PrimaryPosition;
      const newId = reply.slice(10).trim();
      if (newId.length === 40 && newId !== cached.replid) {
        log.warning(`Master replication ID changed to ${newId}`);
        const replication = this.host.replication;
        replication.replid2 = cached.replid;
        replication.secondReplOffset = replication.masterReplOffset + 1;
        replication.replid = newId;
        cached.replid = newId;
        replication.disconnectReplicas();
      }
      this.resurrectCached();
      log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      failover.psyncAnswered(true);
      const rest = this.input.takeAll();
      if (rest.length > 0 && this.linked !== null) {
        this.host.noteReplicationInput(rest.length);
        this.linked.applier.receive(rest);
      }
      return;
    }
    if (this.logPsyncRefusal(reply) === 'later') {
      this.linkFailed();
      return;
    }
    log.notice('Retrying with SYNC...');
    this.socket?.write('SYNC\r\n');
    this.startTransfer();
  }

  /** slaveTryPartialResynchronization's logs of an error reply: 'later' for a transient one. */
  private logPsyncRefusal(reply: string): 'later' | 'unsupported' {
    const log = this.host.log;
    if (reply.startsWith('-NOMASTERLINK') || reply.startsWith('-LOADING')) {
      log.notice(`Master is currently unable to PSYNC but should be in the future: ${reply}`);
      return 'later';
    }
    if (reply.startsWith('-ERR')) {
      log.notice(`Master does not support PSYNC or is in error state (reply: ${reply})`);
    } else {
      log.warning(`Unexpected reply to PSYNC from master: ${reply}`);
    }
    return 'unsupported';
  }

  // ------------------------------------------------------------------ full sync

  /** useDisklessLoad. */
  private disklessLoad(): boolean {
    const mode = this.host.config.str('repl-diskless-load');
    if (mode === 'swapdb') return true;
    return mode === 'on-empty-db' && this.host.dbs.every((db) => db.size === 0);
  }

  private startTransfer(): void {
    const diskless = this.disklessLoad();
    let file: DurableFileWriter | null = null;
    if (!diskless) {
      const config = this.host.config;
      const tempName = `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`;
      try {
        file = new DurableFileWriter(rdbFilePath(config), join(config.str('dir'), tempName));
      } catch (err) {
        this.host.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${describeSystemError(err)}`);
        this.linkFailed();
        return;
      }
    }
    let settleReceived: (complete: boolean) => void = () => undefined;
    const received = new Promise<boolean>((resolve) => {
      settleReceived = resolve;
    });
    this.transfer = {
      payload: null, diskless, file, load: null, fileSource: null, loadDbs: null, received, settleReceived,
      pausedForLoad: false, discarded: false, after: [], loading: false, loadState: null,
    };
    this.state = 'transfer';
    this.lastIoMs = Date.now();
    const rest = this.input.takeAll();
    if (rest.length > 0) this.receivePayload(rest);
  }

  /** readSyncBulkPayload. */
  private receivePayload(chunk: Buffer): void {
    const transfer = this.transfer;
    if (transfer === null) return;
    this.host.noteReplicationInput(chunk.length);
    if (transfer.loading) {
      transfer.after.push(chunk);
      return;
    }
    const log = this.host.log;
    if (transfer.payload === null) {
      this.input.push(chunk);
      for (;;) {
        const line = this.input.readLine();
        if (line === null) return;
        if (line.startsWith('-')) {
          log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
          this.cancelHandshake(true);
          return;
        }
        // A newline is the primary's keepalive while it prepares the snapshot.
        if (line === '') continue;
        const header = parsePayloadHeader(line);
        if (header === null) {
          log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
          this.cancelHandshake(true);
          return;
        }
        const target = transfer.diskless ? 'to parser' : 'to disk';
        log.notice('mark' in header
          ? `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${target}`
          : `MASTER <-> REPLICA sync: receiving ${header.sizeBytes} bytes from master ${target}`);
        if (!this.startPayload(transfer, header)) return;
        chunk = this.input.takeAll();
        break;
      }
    }
    let rest: Buffer | null;
    try {
      rest = (transfer.payload as RdbTransfer).push(chunk);
    } catch (err) {
      log.warning(`Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${describeSystemError(err)}`);
      this.cancelHandshake(true);
      return;
    }
    if (rest === null) {
      // Bounded read-ahead: the socket waits while the parser holds enough (onLoadProgress resumes it).
      if (transfer.diskless && transfer.load !== null && !transfer.load.wantsInput) {
        transfer.pausedForLoad = true;
        this.socket?.pause();
      }
      return;
    }
    if (rest.length > 0) transfer.after.push(rest);
    transfer.loading = true;
    this.socket?.pause();
    this.payloadComplete(transfer);
  }

  /**
   * The payload's header arrived: where its bytes go. A diskless load parses them from now on;
   * a disk-based one writes the file, read back as it grows by a load into fresh Dbs when the
   * dataset is empty (swapped in at the end, so clients keep seeing the old, empty, dataset
   * meanwhile, as with Redis's disk-based load). False when the sync was given up.
   */
  private startPayload(transfer: Transfer, header: { mark: string } | { sizeBytes: number }): boolean {
    const host = this.host;
    let sink: PayloadSink;
    if (transfer.diskless) {
      const swapdb = host.config.str('repl-diskless-load') === 'swapdb';
      this.prepareLoad(true);
      const load = this.startLoad(transfer, swapdb ? host.newTempDbs() : host.dbs, null);
      const async = swapdb && host.replication.replid === this.syncReplid;
      transfer.loadState = { startSec: Math.floor(Date.now() / 1000), totalBytes: 'mark' in header ? 0 : header.sizeBytes, loadedBytes: 0, rdbUsedMemBytes: 0, cancelled: false, async };
      load.beginLoading(transfer.loadState);
      sink = { write: (bytes) => load.append(bytes) };
    } else {
      const file = transfer.file as DurableFileWriter;
      if (host.dbs.every((db) => db.size === 0)) {
        try {
          transfer.fileSource = new GrowingFileSource(file.tempPath);
        } catch (err) {
          host.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${describeSystemError(err)}`);
          this.cancelHandshake(true);
          return false;
        }
        this.startLoad(transfer, host.newTempDbs(), transfer.fileSource);
      }
      sink = {
        write: (bytes) => {
          file.write(bytes);
          const source = transfer.fileSource;
          if (source === null) return;
          source.writtenBytes += bytes.length;
          transfer.load?.poke();
        },
      };
    }
    transfer.payload = new RdbTransfer(header, sink);
    return true;
  }

  /** Starts the load of the payload into `dbs`; its end finishes the sync. */
  private startLoad(transfer: Transfer, dbs: readonly Db[], source: GrowingFileSource | null): SyncImageLoad {
    const host = this.host;
    const load = new SyncImageLoad({
      config: host.config, log: host.log, setLoading: (state) => host.setLoading(state),
      keepAlive: () => this.sendNewline(), onProgress: () => this.onLoadProgress(transfer),
    }, dbs, source);
    transfer.load = load;
    transfer.loadDbs = dbs;
    void this.finishLoad(transfer, load);
    return load;
  }

  /** The parser consumed bytes: a socket paused for it reads again. */
  private onLoadProgress(transfer: Transfer): void {
    if (!transfer.pausedForLoad || transfer.loading || this.transfer !== transfer || !(transfer.load as SyncImageLoad).wantsInput) return;
    transfer.pausedForLoad = false;
    this.lastIoMs = Date.now();
    this.socket?.resume();
  }

  /** The whole payload arrived: the load reads its end (after the file is put in place). */
  private payloadComplete(transfer: Transfer): void {
    const host = this.host;
    if (transfer.diskless) {
      (transfer.load as SyncImageLoad).endInput();
      transfer.settleReceived(true);
      return;
    }
    const file = transfer.file as DurableFileWriter;
    const fileBytes = file.bytesWritten;
    try {
      file.commitSync();
      transfer.file = null;
    } catch (err) {
      host.log.warning(`Failed trying to rename the temp DB into ${host.config.str('dbfilename')} in MASTER <-> REPLICA synchronization: ${describeSystemError(err)}`);
      this.cancelHandshake(true);
      return;
    }
    this.prepareLoad(false);
    let load = transfer.load;
    if (load === null) {
      let source: GrowingFileSource;
      try {
        source = new GrowingFileSource(rdbFilePath(host.config));
      } catch (err) {
        host.log.warning(`Failed trying to load the MASTER synchronization DB from disk: ${describeSystemError(err)}`);
        this.cancelHandshake(true);
        return;
      }
      source.writtenBytes = fileBytes;
      transfer.fileSource = source;
      load = this.startLoad(transfer, host.dbs, source);
    }
    transfer.loadState = { startSec: Math.floor(Date.now() / 1000), totalBytes: fileBytes, loadedBytes: load.loadedBytes, rdbUsedMemBytes: 0, cancelled: false };
    load.beginLoading(transfer.loadState);
    load.endInput();
    transfer.settleReceived(true);
  }

  /**
   * readSyncBulkPayload's steps before the image is read: a running save and the AOF stop, and
   * the dataset is emptied unless the image loads beside it (swapdb).
   */
  private prepareLoad(diskless: boolean): void {
    const host = this.host;
    if (host.bgsaveInProgress) {
      if (!diskless) {
        host.log.notice(`Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process ${process.pid} and removing its temp file to avoid any race`);
      }
      host.abortBackgroundSave();
    }
    host.stopAof();
    if (!(diskless && this.host.config.str('repl-diskless-load') === 'swapdb')) {
      this.attachToNewPrimary();
      host.log.notice('MASTER <-> REPLICA sync: Flushing old data');
      host.emptyData();
      this.ownKeys.clear();
    }
    host.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
  }

  /** The link dropped before the whole image of a diskless load arrived (rdbLoad's short read). */
  private disklessLoadInterrupted(transfer: Transfer): void {
    const log = this.host.log;
    const loaded = transfer.load?.loadedBytes ?? 0;
    log.warning(`Internal error in RDB reading offset ${loaded}, function at rdb.c:0 -> Unexpected EOF reading RDB file`);
    log.warning('Failed trying to load the MASTER synchronization DB from socket: connection lost');
    this.cancelHandshake(true);
  }

  /** Waits for the load and the payload's end: then the link becomes the primary's client. */
  private async finishLoad(transfer: Transfer, load: SyncImageLoad): Promise<void> {
    const host = this.host;
    const log = host.log;
    let functionCodes: readonly string[];
    try {
      const result = await load.run();
      if (!(await transfer.received) || this.transfer !== transfer) return;
      host.noteLoaded(result.keysLoaded, result.keysExpired);
      functionCodes = result.functionCodes;
    } catch (err) {
      if (!(err instanceof SyncLoadError)) throw err;
      // A load given up with its transfer has been cleaned up already.
      if (this.transfer !== transfer) return;
      log.warning(`Failed trying to load the MASTER synchronization DB from ${transfer.diskless ? 'socket' : 'disk'}: ${err.message}`);
      this.cancelHandshake(true);
      return;
    }
    const payload = transfer.payload as RdbTransfer;
    const dbs = transfer.loadDbs as readonly Db[];
    if (dbs !== host.dbs) {
      const swapdb = transfer.diskless;
      if (swapdb) this.attachToNewPrimary();
      if (swapdb) log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      host.dbs.forEach((db, i) => db.swapContents(dbs[i]));
      this.ownKeys.clear();
      host.clearFunctions();
      host.datasetReplaced();
      for (const db of dbs) db.flush();
      if (swapdb) log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    for (const code of functionCodes) {
      const error = host.restoreLibrary(code);
      if (error !== null) log.warning(`Failed loading library, ${error}`);
    }
    if (transfer.diskless) host.markDirty();
    this.transfer = null;
    const replication = host.replication;
    replication.replid = this.syncReplid;
    replication.masterReplOffset = this.syncOffset;
    replication.clearReplicationId2();
    if (replication.backlog === null) replication.createBacklog();
    this.createPrimaryClient({ replid: this.syncReplid, reploff: this.syncOffset, dbIndex: -1 }, this.syncOffset === -1);
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    // A diskless primary starts the stream when this first ACK arrives.
    if (payload.usesMark) this.sendAck();
    this.restartAof(0);
    const socket = this.socket;
    if (socket === null || socket.destroyed) {
      this.dropPrimaryClient('connection lost');
      return;
    }
    socket.resume();
    const linked = this.linked;
    for (const chunk of transfer.after) linked?.applier.receive(chunk);
  }

  /** restartAOFAfterSYNC: ten tries a second apart, then Redis gives up and exits. */
  private restartAof(tries: number): void {
    if (this.host.restartAof()) return;
    if (tries + 1 >= 10) {
      this.host.log.warning('FATAL: this replica instance finished the synchronization with its master, but the AOF can\'t be turned on. Exiting now.');
      this.host.exitProcess(1);
      return;
    }
    this.host.log.warning('Failed enabling the AOF after successful master synchronization! Trying it again in one second.');
    setTimeout(() => this.restartAof(tries + 1), 1000).unref();
  }

  /** replicationAttachToNewMaster: the data set changes, so nothing earlier can be resumed. */
  private attachToNewPrimary(): void {
    this.discardCached();
    const replication = this.host.replication;
    replication.disconnectReplicas();
    replication.freeBacklog();
  }

  /** replicationSendNewlineToMaster: at most once a second while loading. */
  private sendNewline(): void {
    const sec = unixSec(Date.now());
    if (sec === this.lastNewlineSec) return;
    this.lastNewlineSec = sec;
    this.socket?.write('\n');
  }

  /** replicationAbortSyncTransfer's file part, and the load of the payload given up with it. */
  private abortTransfer(): void {
    const transfer = this.transfer;
    this.transfer = null;
    if (transfer === null) return;
    if (transfer.file !== null) transfer.file.abort();
    transfer.settleReceived(false);
    this.discardLoad(transfer);
  }

  /**
   * A load that will not complete: stopped, its keys dropped (fresh Dbs flushed; a diskless
   * load into the node's own Dbs empties them, as Redis's failed socket load does; a disk-based
   * one leaves what it loaded, as rdbLoad's failure does).
   */
  private discardLoad(transfer: Transfer): void {
    if (transfer.discarded) return;
    transfer.discarded = true;
    const load = transfer.load;
    if (load === null) return;
    load.cancel();
    const host = this.host;
    if (transfer.loadState !== null) host.setLoading(null);
    const dbs = transfer.loadDbs as readonly Db[];
    if (dbs !== host.dbs) {
      for (const db of dbs) db.flush();
      if (transfer.diskless) host.log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
    } else if (transfer.diskless) {
      host.emptyData();
    }
  }

  /** cancelReplicationHandshake: true when a handshake or transfer was stopped. */
  private cancelHandshake(reconnect: boolean): boolean {
    const state = this.state;
    if (state !== 'transfer' && state !== 'connecting' && state !== 'ping' && state !== 'handshake' && state !== 'psync') return false;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.abortTransfer();
    this.state = 'connect';
    if (!reconnect || this.primary === null) return true;
    this.host.log.notice(`Reconnecting to MASTER ${this.primary.host}:${this.primary.port} after failure`);
    this.connect();
    return true;
  }

  // ------------------------------------------------------------------ the primary's client

  /** replicationCreateMasterClient over the current socket; the link is then up. */
  private createPrimaryClient(position: PrimaryPosition, prePsync: boolean): void {
    const socket = this.socket as Socket;
    const host = this.host;
    let applier: StreamApplier | null = null;
    const connection = new PrimaryLinkConnection(
      formatPeerAddress(socket.remoteAddress, socket.remotePort),
      socket.localAddress === undefined ? '' : formatPeerAddress(socket.localAddress, socket.localPort ?? 0),
      socketFd(socket),
      () => {
        // CLIENT KILL TYPE master (or any close of the client): the link goes.
        if (this.linked?.applier === applier) this.dropPrimaryClient('client killed');
      },
      () => applier?.resume(),
    );
    const client = host.createPrimaryClient(connection);
    const countError = client.reply.onError;
    client.reply.onError = (text) => {
      countError?.(text);
      host.countUnexpectedErrorReply();
      host.log.warning(`== CRITICAL == This replica is sending an error to its master: '${text.slice(0, 4096)}' after processing the command '${client.lastCommandName === 'NULL' ? '<unknown>' : client.lastCommandName}'`);
    };
    if (position.dbIndex >= 0) client.selectDb(position.dbIndex);
    applier = new StreamApplier({
      applyBatch: (c, apply) => host.applyBatch(c, apply),
      runRequest: (c, argv, bigArgs) => host.runRequest(c, argv, bigArgs),
      feed: (bytes) => host.replication.feed(bytes),
      feedView: (bytes) => host.replication.feedView(bytes),
      protocolError: (message, sample) => {
        host.log.warning(`Protocol error (${message}) from client: ${client.infoLine(null)}. Query buffer during protocol error: '${sample.replace(/[^\x20-\x7e]/g, '.')}'`);
        this.dropPrimaryClient('protocol error', false);
      },
      overBound: (bytes) => {
        host.log.warning(`Closing the link with the MASTER: ${bytes} bytes received and not applied are over client-query-buffer-limit`);
        this.dropPrimaryClient('query buffer limit', false);
      },
      busy: () => host.scriptBusy(),
      get unappliedLimitBytes() { return host.config.num('client-query-buffer-limit'); },
    }, client, position.reploff, position.replid);
    this.linked = { applier, lastIoMs: Date.now(), prePsync };
    this.state = 'connected';
    this.downSinceMs = 0;
  }

  /** replicationResurrectCachedMaster. */
  private resurrectCached(): void {
    const cached = this.cached as PrimaryPosition;
    this.cached = null;
    this.createPrimaryClient(cached, false);
    // A restarted node resuming from its RDB's replication info has no backlog yet.
    if (this.host.replication.backlog === null) this.host.replication.createBacklog();
  }

  /**
   * freeClient of the primary's client: with `cache`, its position is kept for a PSYNC
   * (replicationCacheMaster), then replicationHandleMasterDisconnection reconnects at once.
   */
  private dropPrimaryClient(reason: string, cache = true): void {
    const linked = this.linked;
    if (linked === null) return;
    this.linked = null;
    const log = this.host.log;
    log.notice('Connection with master lost.');
    linked.applier.stop();
    if (!linked.applier.client.closed) linked.applier.client.close(reason);
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    if (cache && !linked.prePsync) {
      log.notice('Caching the disconnected master state.');
      this.cached = linked.applier.position();
    } else {
      this.discardCached();
    }
    this.state = this.primary === null ? 'none' : 'connect';
    this.downSinceMs = Date.now();
    if (this.primary !== null) {
      log.notice(`Reconnecting to MASTER ${this.primary.host}:${this.primary.port}`);
      this.connect();
    }
  }

  /** replicationCacheMasterUsingMyself: this node's own history, to PSYNC with its new primary. */
  private cacheUsingMyself(): void {
    this.host.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    const replication = this.host.replication;
    this.cached = { replid: replication.replid, reploff: replication.masterReplOffset, dbIndex: -1 };
  }

  /** replicationDiscardCachedMaster. */
  private discardCached(): void {
    if (this.cached === null) return;
    this.host.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  /** REPLCONF GETACK reaching this node as a command: the ACK goes to the primary now. */
  sendAckNow(): void {
    this.sendAck();
  }

  /** replicationSendAck. */
  private sendAck(): void {
    const linked = this.linked;
    if (linked !== null) this.send(['REPLCONF', 'ACK', String(linked.applier.reploff)]);
  }

  // ------------------------------------------------------------------ cron

  private startCron(): void {
    if (this.cronTimer !== null) return;
    this.cronTimer = setInterval(() => this.cron(), 1000);
    this.cronTimer.unref();
  }

  private stopCron(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
  }

  /** replicationCron's replica half. */
  private cron(): void {
    const primary = this.primary;
    // Nothing happens while a dataset loads (Redis's cron does not run then either).
    if (primary === null || this.transfer?.loading === true || this.host.loadingDataset) return;
    const log = this.host.log;
    const nowSec = unixSec(Date.now());
    const timeoutSec = this.host.config.num('repl-timeout');
    const state = this.state;
    if ((state === 'connecting' || state === 'ping' || state === 'handshake' || state === 'psync') && nowSec - unixSec(this.lastIoMs) > timeoutSec) {
      log.warning('Timeout connecting to the MASTER...');
      this.cancelHandshake(true);
    }
    // A link paused because the parser holds enough is not silent: the parser reads on (Redis
    // reads the socket only as rdbLoad asks for bytes, and does not time the transfer out meanwhile).
    if (this.state === 'transfer' && this.transfer?.pausedForLoad !== true && nowSec - unixSec(this.lastIoMs) > timeoutSec) {
      log.warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      this.cancelHandshake(true);
    }
    if (this.state === 'connected' && this.linked !== null && nowSec - unixSec(this.linked.lastIoMs) > timeoutSec) {
      log.warning('MASTER timeout: no data nor PING received...');
      this.dropPrimaryClient('timeout');
    }
    if (this.state === 'connect' && !this.host.loadingDataset) {
      log.notice(`Connecting to MASTER ${primary.host}:${primary.port}`);
      this.connect();
    }
    if (this.linked !== null && !this.linked.prePsync) this.sendAck();
  }

  // ------------------------------------------------------------------ INFO, ROLE, checks

  /** The link is up (master_link_status:up). */
  get linkUp(): boolean {
    return this.state === 'connected';
  }

  /** INFO replication's replica fields (master_host ... replica_announced). */
  info(): InfoField[] {
    const primary = this.primary;
    if (primary === null) return [];
    const now = Date.now();
    const nowSec = unixSec(now);
    const config = this.host.config;
    const linked = this.linked;
    const position = linked !== null ? { reploff: linked.applier.reploff, read: linked.applier.readReploff }
      : this.cached !== null ? { reploff: this.cached.reploff, read: this.cached.reploff } : { reploff: 1, read: 1 };
    const fields: InfoField[] = [
      ['master_host', primary.host],
      ['master_port', primary.port],
      ['master_link_status', this.state === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', linked !== null ? nowSec - unixSec(linked.lastIoMs) : -1],
      ['master_sync_in_progress', this.state === 'transfer' ? 1 : 0],
      ['slave_read_repl_offset', position.read],
      ['slave_repl_offset', position.reploff],
    ];
    if (this.state === 'transfer') {
      const payload = this.transfer?.payload ?? null;
      const total = payload === null ? -1 : payload.sizeBytes;
      const read = payload === null ? 0 : payload.readBytes;
      const perc = total !== 0 ? (read / total) * 100 : 0;
      fields.push(
        ['master_sync_total_bytes', total],
        ['master_sync_read_bytes', read],
        ['master_sync_left_bytes', total - read],
        ['master_sync_perc', Object.is(perc, -0) ? '-0.00' : perc.toFixed(2)],
        ['master_sync_last_io_seconds_ago', nowSec - unixSec(this.lastIoMs)],
      );
    }
    if (this.state !== 'connected') {
      fields.push(['master_link_down_since_seconds', this.downSinceMs !== 0 ? nowSec - unixSec(this.downSinceMs) : -1]);
    }
    fields.push(
      ['slave_priority', config.num('replica-priority')],
      ['slave_read_only', config.bool('replica-read-only') ? 1 : 0],
      ['replica_announced', config.bool('replica-announced') ? 1 : 0],
    );
    return fields;
  }

  /**
   * How long the primary has been silent, in ms at second granularity as Redis's data_age:
   * since the last bytes from it while linked, since the link went down otherwise.
   */
  primaryDataAgeMs(): number {
    const nowSec = unixSec(Date.now());
    if (this.linked !== null) return (nowSec - unixSec(this.linked.lastIoMs)) * 1000;
    return (nowSec - unixSec(this.downSinceMs)) * 1000;
  }

  /**
   * Redis's replicationGetSlaveOffset: how far this replica has applied its primary's stream, from
   * the live link or else the cached position; 0 when it has neither, as during a full sync's
   * load (the cluster then reports it as loading and leaves it out of CLUSTER SLOTS).
   */
  processedOffset(): number {
    if (this.primary === null) return 0;
    const offset = this.linked !== null ? this.linked.applier.reploff : this.cached !== null ? this.cached.reploff : 0;
    return Math.max(0, offset);
  }

  /** ROLE's replica form; null on a primary. */
  role(): PrimaryLinkRole | null {
    const primary = this.primary;
    if (primary === null) return null;
    const state = this.state;
    const shown = state === 'ping' || state === 'handshake' || state === 'psync' ? 'handshake' : state === 'transfer' ? 'sync' : state;
    return { host: primary.host, port: primary.port, state: shown, offset: this.linked !== null ? this.linked.applier.reploff : -1 };
  }

  get following(): boolean {
    return this.primary !== null;
  }

  /** The READONLY refusal applies (a replica with replica-read-only). */
  get readOnly(): boolean {
    return this.primary !== null && this.host.config.bool('replica-read-only');
  }

  /** The MASTERDOWN refusal applies (link down and replica-serve-stale-data no). */
  get staleDataRefused(): boolean {
    return this.primary !== null && this.state !== 'connected' && !this.host.config.bool('replica-serve-stale-data');
  }
}

/** The socket's file descriptor, for CLIENT LIST fd= (-1 when Node does not expose it). */
function socketFd(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

// What a sentinel knows about each instance it watches: monitored primaries ("masters"), their
// replicas and the other sentinels watching them (Redis's sentinelRedisInstance), the address
// of each, and the shared link (two connections and the failure-detection times) to it.

import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import type { RespLink } from '../protocol/resp-link.js';

/** Instance flags, Redis's SRI_* bits (SENTINEL MASTER shows them by name). */
export const SRI_MASTER = 1 << 0;
export const SRI_SLAVE = 1 << 1;
export const SRI_SENTINEL = 1 << 2;
export const SRI_S_DOWN = 1 << 3;
export const SRI_O_DOWN = 1 << 4;
export const SRI_MASTER_DOWN = 1 << 5;
export const SRI_FAILOVER_IN_PROGRESS = 1 << 6;
export const SRI_PROMOTED = 1 << 7;
export const SRI_RECONF_SENT = 1 << 8;
export const SRI_RECONF_INPROG = 1 << 9;
export const SRI_RECONF_DONE = 1 << 10;
export const SRI_FORCE_FAILOVER = 1 << 11;
export const SRI_SCRIPT_KILL_SENT = 1 << 12;
export const SRI_MASTER_REBOOT = 1 << 13;

/** Failover states, in order (a later state compares greater). */
export const enum FailoverState {
  None = 0,
  WaitStart = 1,
  SelectSlave = 2,
  SendSlaveofNoOne = 3,
  WaitPromotion = 4,
  ReconfSlaves = 5,
  UpdateConfig = 6,
}

export const FAILOVER_STATE_NAMES = [
  'none', 'wait_start', 'select_slave', 'send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config',
];

export const DEFAULT_SLAVE_PRIORITY = 100;
export const DEFAULT_PARALLEL_SYNCS = 1;

export interface SentinelAddr {
  hostname: string;
  /** "" when a hostname could not be resolved (resolve-hostnames yes keeps such an address). */
  ip: string;
  port: number;
}

export type AddrError = 'ENOENT' | 'EINVAL' | 'EBUSY';

/**
 * A hostname's address from /etc/hosts, the one synchronous source of names (instances are
 * created inside commands and config loading, which cannot wait for DNS).
 */
function lookupHostsFile(hostname: string): string | null {
  let text: string;
  try {
    text = readFileSync('/etc/hosts', 'latin1');
  } catch {
    // No hosts file: the name is unresolvable, as getaddrinfo would report without DNS.
    return null;
  }
  const wanted = hostname.toLowerCase();
  let v6: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [ip, ...names] = line.split(/\s+/);
    if (!names.some((n) => n.toLowerCase() === wanted)) continue;
    if (isIP(ip) === 4) return ip;
    if (isIP(ip) === 6 && v6 === null) v6 = ip;
  }
  return v6;
}

/** Redis's anetResolve: an IP literal always; a name only when hostnames may be resolved. */
export function resolveHost(hostname: string, resolveHostnames: boolean): string | null {
  if (isIP(hostname) !== 0) return hostname;
  if (!resolveHostnames) return null;
  return lookupHostsFile(hostname);
}

export function addrOrHostnameEqual(a: SentinelAddr, b: SentinelAddr): boolean {
  return a.port === b.port && (a.ip === b.ip || a.hostname.toLowerCase() === b.hostname.toLowerCase());
}

/** The link to an instance: shared by the entries of one sentinel across several masters. */
export class InstanceLink {
  refcount = 1;
  /** True while either connection (or the commands one, for a sentinel) is missing. */
  disconnected = true;
  pendingCommands = 0;
  cc: RespLink | null = null;
  pc: RespLink | null = null;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  /** Last time a PING got an acceptable reply. */
  lastAvailTime: number;
  /** When the oldest unanswered PING was sent; 0 once answered. Starts at creation time. */
  actPingTime: number;
  lastPingTime = 0;
  /** Last reply to a PING, whatever it was. */
  lastPongTime: number;
  lastReconnTime = 0;

  constructor(nowMs: number) {
    this.actPingTime = nowMs;
    this.lastAvailTime = nowMs;
    this.lastPongTime = nowMs;
  }

  closeCommands(): void {
    if (this.cc === null) return;
    const cc = this.cc;
    this.cc = null;
    this.pendingCommands = 0;
    this.disconnected = true;
    cc.close();
  }

  closePubSub(): void {
    if (this.pc === null) return;
    const pc = this.pc;
    this.pc = null;
    this.disconnected = true;
    pc.close();
  }
}

export class Instance {
  flags: number;
  name: string;
  runid: string | null = null;
  configEpoch = 0;
  addr: SentinelAddr;
  link: InstanceLink;
  /** Set when the entry is gone, so replies still arriving on a shared link are ignored. */
  released = false;
  lastPubTime: number;
  lastHelloTime: number;
  lastMasterDownReplyTime: number;
  sDownSinceTime = 0;
  oDownSinceTime = 0;
  downAfterPeriodMs: number;
  masterRebootDownAfterPeriodMs = 0;
  masterRebootSinceTime = 0;
  /** When INFO was last received (0: never). */
  infoRefresh = 0;
  /** Commands renamed on the instance: sent under their new names. Lower-case keys. */
  readonly renamedCommands = new Map<string, string>();
  roleReported: number;
  roleReportedTime: number;
  slaveConfChangeTime: number;
  // Master only.
  sentinels = new Map<string, Instance>();
  slaves = new Map<string, Instance>();
  quorum: number;
  parallelSyncs = DEFAULT_PARALLEL_SYNCS;
  authPass: string | null = null;
  authUser: string | null = null;
  // Replica only.
  masterLinkDownTimeMs = 0;
  slavePriority = DEFAULT_SLAVE_PRIORITY;
  replicaAnnounced = 1;
  slaveReconfSentTime = 0;
  readonly master: Instance | null;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slaveReplOffset = 0;
  // Failover.
  /** Master: the sentinel elected for leader_epoch. Sentinel: whom it voted for. */
  leader: string | null = null;
  leaderEpoch = 0;
  failoverEpoch = 0;
  failoverState: FailoverState = FailoverState.None;
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverTimeoutMs: number;
  failoverDelayLogged = 0;
  promotedSlave: Instance | null = null;
  notificationScript: string | null = null;
  clientReconfigScript: string | null = null;
  /** The last INFO text (SENTINEL INFO-CACHE). */
  info: string | null = null;

  constructor(options: {
    flags: number; name: string; addr: SentinelAddr; quorum: number; master: Instance | null;
    nowMs: number; defaultDownAfterMs: number; defaultFailoverTimeoutMs: number;
  }) {
    const now = options.nowMs;
    this.flags = options.flags;
    this.name = options.name;
    this.addr = options.addr;
    this.link = new InstanceLink(now);
    this.lastPubTime = now;
    this.lastHelloTime = now;
    this.lastMasterDownReplyTime = now;
    this.master = options.master;
    this.downAfterPeriodMs = options.master ? options.master.downAfterPeriodMs : options.defaultDownAfterMs;
    this.quorum = options.quorum;
    this.failoverTimeoutMs = options.defaultFailoverTimeoutMs;
    this.roleReported = options.flags & (SRI_MASTER | SRI_SLAVE);
    this.roleReportedTime = now;
    this.slaveConfChangeTime = now;
  }

  get isMaster(): boolean {
    return (this.flags & SRI_MASTER) !== 0;
  }

  get isSlave(): boolean {
    return (this.flags & SRI_SLAVE) !== 0;
  }

  get isSentinel(): boolean {
    return (this.flags & SRI_SENTINEL) !== 0;
  }

  typeName(): string {
    if (this.flags & SRI_MASTER) return 'master';
    if (this.flags & SRI_SLAVE) return 'slave';
    if (this.flags & SRI_SENTINEL) return 'sentinel';
    return 'unknown';
  }

  /** The name to send `command` under (a replica uses its master's renames). */
  mapCommand(command: string): string {
    const owner = this.master ?? this;
    return owner.renamedCommands.get(command.toLowerCase()) ?? command;
  }

  /** Releases the entry and its link share; the link closes when its last owner goes. */
  release(): void {
    this.released = true;
    for (const s of this.sentinels.values()) s.release();
    for (const s of this.slaves.values()) s.release();
    this.link.refcount--;
    if (this.link.refcount === 0) {
      this.link.closeCommands();
      this.link.closePubSub();
    }
    if ((this.flags & SRI_SLAVE) && (this.flags & SRI_PROMOTED) && this.master && this.master.promotedSlave === this) {
      this.master.promotedSlave = null;
    }
  }
}

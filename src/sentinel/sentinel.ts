// The sentinel's state (Redis's `struct sentinelState`): its id and epoch, the monitored masters
// with their replicas and fellow sentinels, TILT, the global settings of sentinel.conf; the
// event function every change goes through (log line, pub/sub message, notification script);
// and the timer that drives monitoring (monitor.ts) and failover (failover.ts).

import { randomBytes, randomInt } from 'node:crypto';
import type { ServerLog } from '../server/log.js';
import {
  addrOrHostnameEqual, FailoverState, Instance, resolveHost, SRI_FAILOVER_IN_PROGRESS, SRI_MASTER, SRI_SLAVE,
  type AddrError, type SentinelAddr,
} from './instance.js';
import { handleInstance } from './monitor.js';
import { switchToPromotedSlave } from './failover.js';
import { ScriptQueue } from './scripts.js';

export type EventLevel = 'debug' | 'verbose' | 'notice' | 'warning';

/** The periods SENTINEL DEBUG shows and changes (milliseconds), with Redis's defaults. */
export class SentinelTimings {
  infoPeriod = 10000;
  pingPeriod = 1000;
  askPeriod = 1000;
  publishPeriod = 2000;
  defaultDownAfter = 30000;
  tiltTrigger = 2000;
  tiltPeriod = 30000;
  slaveReconfTimeout = 10000;
  minLinkReconnectPeriod = 15000;
  electionTimeout = 10000;
  scriptMaxRuntime = 60000;
  scriptRetryDelay = 30000;
  defaultFailoverTimeout = 180000;
}

export const HELLO_CHANNEL = '__sentinel__:hello';
/** Random spread of failover start times, so sentinels do not all ask for votes at once. */
export const MAX_DESYNC_MS = 1000;
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1 << 0;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 1 << 1;
/** Redis's CONFIG_DEFAULT_HZ: the timer runs at 10-19 Hz, a different rate every tick. */
const DEFAULT_HZ = 10;

/** What the sentinel needs from the node it runs in. */
export interface SentinelHost {
  readonly log: ServerLog;
  publish(channel: string, message: string): void;
  /** The port this sentinel listens on (announced in hellos unless announce-port is set). */
  port(): number;
  /** requirepass: used towards other sentinels when sentinel-pass is not set. */
  requirePass(): string;
  /** Rewrites the config file with the sentinel's state; null or the error text. */
  rewriteConfig(): string | null;
  /** SENTINEL SIMULATE-FAILURE's crash. */
  exit(status: number): void;
}

export class Sentinel {
  myid = '';
  currentEpoch = 0;
  readonly masters = new Map<string, Instance>();
  tilt = false;
  tiltStartTime = 0;
  previousTime = Date.now();
  announceIp: string | null = null;
  announcePort = 0;
  simfailureFlags = 0;
  denyScriptsReconfig = true;
  sentinelAuthPass: string | null = null;
  sentinelAuthUser: string | null = null;
  resolveHostnames = false;
  announceHostnames = false;
  readonly timings = new SentinelTimings();
  readonly scripts: ScriptQueue;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly host: SentinelHost) {
    this.scripts = new ScriptQueue(this);
  }

  // ---- addresses ----

  /** Redis's createSentinelAddr; `acceptUnresolved` keeps a name that cannot be resolved. */
  createAddr(hostname: string, port: number, acceptUnresolved: boolean): SentinelAddr | AddrError {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return 'EINVAL';
    let ip = resolveHost(hostname, this.resolveHostnames);
    if (ip === null) {
      this.host.log.warning(`Failed to resolve hostname '${hostname}'`);
      if (this.resolveHostnames && acceptUnresolved) ip = '';
      else return 'ENOENT';
    }
    return { hostname, ip, port };
  }

  announceAddr(a: SentinelAddr): string {
    return this.announceHostnames ? a.hostname : a.ip;
  }

  announceAddrAndPort(a: SentinelAddr): string {
    const host = this.announceAddr(a);
    return host.includes(':') ? `[${host}]:${a.port}` : `${host}:${a.port}`;
  }

  /** Redis's sentinelAddrEqualsHostname: does `hostname` name the address `a`? */
  addrEqualsHostname(a: SentinelAddr, hostname: string | null): boolean {
    if (hostname === null) return false;
    const ip = resolveHost(hostname, this.resolveHostnames);
    if (ip === null) return (this.resolveHostnames ? a.hostname : a.ip).toLowerCase() === hostname.toLowerCase();
    return a.ip.toLowerCase() === ip.toLowerCase();
  }

  // ---- instances ----

  /**
   * Redis's createSentinelRedisInstance: a master (added to the masters), or a replica or
   * sentinel of `master`. Fails with the address error, or EBUSY for a duplicate.
   */
  createInstance(name: string | null, flags: number, hostname: string, port: number, quorum: number, master: Instance | null): Instance | AddrError {
    const addr = this.createAddr(hostname, port, true);
    if (typeof addr === 'string') return addr;
    const key = flags & SRI_SLAVE ? this.announceAddrAndPort(addr) : (name ?? '');
    const table = flags & SRI_MASTER ? this.masters : flags & SRI_SLAVE ? master!.slaves : master!.sentinels;
    if (table.has(key)) return 'EBUSY';
    const ri = new Instance({
      flags, name: key, addr, quorum, master, nowMs: Date.now(),
      defaultDownAfterMs: this.timings.defaultDownAfter, defaultFailoverTimeoutMs: this.timings.defaultFailoverTimeout,
    });
    table.set(key, ri);
    return ri;
  }

  lookupSlave(master: Instance, host: string, port: number): Instance | undefined {
    const addr = this.createAddr(host, port, false);
    if (typeof addr === 'string') return undefined;
    return master.slaves.get(this.announceAddrAndPort(addr));
  }

  /** Redis's getSentinelRedisInstanceByAddrAndRunID (either criterion may be null). */
  findByAddrAndRunId(instances: ReadonlyMap<string, Instance>, host: string | null, port: number, runid: string | null): Instance | undefined {
    let addr: SentinelAddr | null = null;
    if (host !== null) {
      const a = this.createAddr(host, port, true);
      if (typeof a === 'string') return undefined;
      addr = a;
    }
    for (const ri of instances.values()) {
      if (runid !== null && ri.runid === null) continue;
      if ((runid === null || ri.runid === runid) && (addr === null || addrOrHostnameEqual(ri.addr, addr))) return ri;
    }
    return undefined;
  }

  /** Shares the link of the same sentinel (by run id) already known under another master. */
  tryConnectionSharing(ri: Instance): boolean {
    if (ri.runid === null || ri.link.refcount > 1) return false;
    for (const master of this.masters.values()) {
      if (master === ri.master) continue;
      const match = this.findByAddrAndRunId(master.sentinels, null, 0, ri.runid);
      if (match === undefined || match === ri) continue;
      ri.link.refcount--;
      if (ri.link.refcount === 0) {
        ri.link.closeCommands();
        ri.link.closePubSub();
      }
      ri.link = match.link;
      match.link.refcount++;
      return true;
    }
    return false;
  }

  removeSentinelByRunId(master: Instance, runid: string | null): number {
    if (runid === null) return 0;
    let removed = 0;
    for (const [key, ri] of master.sentinels) {
      if (ri.runid === runid) {
        master.sentinels.delete(key);
        ri.release();
        removed++;
      }
    }
    return removed;
  }

  /** Redis's sentinelUpdateSentinelAddressInAllMasters after a sentinel changed address. */
  updateSentinelAddressInAllMasters(ri: Instance): number {
    let reconfigured = 0;
    for (const master of this.masters.values()) {
      const match = this.findByAddrAndRunId(master.sentinels, null, 0, ri.runid);
      if (match === undefined) continue;
      match.link.closeCommands();
      match.link.closePubSub();
      if (match === ri) continue;
      match.addr = { ...ri.addr };
      reconfigured++;
    }
    if (reconfigured > 0) this.event('notice', '+sentinel-address-update', ri, `%@ ${reconfigured} additional matching instances`);
    return reconfigured;
  }

  /** SENTINEL RESET's work on one master (SENTINEL_RESET_NO_SENTINELS keeps the sentinels). */
  resetMaster(ri: Instance, keepSentinels: boolean, generateEvent: boolean): void {
    for (const slave of ri.slaves.values()) slave.release();
    ri.slaves = new Map();
    if (!keepSentinels) {
      for (const s of ri.sentinels.values()) s.release();
      ri.sentinels = new Map();
    }
    ri.link.closeCommands();
    ri.link.closePubSub();
    ri.flags &= SRI_MASTER;
    ri.leader = null;
    ri.failoverState = FailoverState.None;
    ri.failoverStateChangeTime = 0;
    ri.failoverStartTime = 0;
    ri.promotedSlave = null;
    ri.runid = null;
    ri.slaveMasterHost = null;
    const now = Date.now();
    ri.link.actPingTime = now;
    ri.link.lastPingTime = 0;
    ri.link.lastAvailTime = now;
    ri.link.lastPongTime = now;
    ri.roleReportedTime = now;
    ri.roleReported = SRI_MASTER;
    if (generateEvent) this.event('warning', '+reset-master', ri, '%@');
  }

  /** Redis's sentinelResetMasterAndChangeAddress (the +switch-master step). */
  resetMasterAndChangeAddress(master: Instance, hostname: string, port: number): boolean {
    const newAddr = this.createAddr(hostname, port, false);
    if (typeof newAddr === 'string') return false;
    const slaves: SentinelAddr[] = [];
    for (const slave of master.slaves.values()) {
      if (addrOrHostnameEqual(slave.addr, newAddr)) continue;
      slaves.push({ ...slave.addr });
    }
    if (!addrOrHostnameEqual(newAddr, master.addr)) slaves.push({ ...master.addr });
    this.resetMaster(master, true, false);
    master.addr = newAddr;
    master.oDownSinceTime = 0;
    master.sDownSinceTime = 0;
    for (const a of slaves) {
      const slave = this.createInstance(null, SRI_SLAVE, a.hostname, a.port, master.quorum, master);
      if (typeof slave !== 'string') this.event('notice', '+slave', slave, '%@');
    }
    this.flushConfig();
    return true;
  }

  /** The address clients should use: the promoted replica's once it acknowledged its role. */
  currentMasterAddress(master: Instance): SentinelAddr {
    if ((master.flags & SRI_FAILOVER_IN_PROGRESS) && master.promotedSlave !== null && master.failoverState >= FailoverState.ReconfSlaves) {
      return master.promotedSlave.addr;
    }
    return master.addr;
  }

  propagateDownAfterPeriod(master: Instance): void {
    for (const ri of master.slaves.values()) ri.downAfterPeriodMs = master.downAfterPeriodMs;
    for (const ri of master.sentinels.values()) ri.downAfterPeriodMs = master.downAfterPeriodMs;
  }

  /** True when neither SDOWN nor ODOWN was seen in the last `ms`. */
  noDownFor(ri: Instance, ms: number): boolean {
    const mostRecent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
    return mostRecent === 0 || Date.now() - mostRecent > ms;
  }

  // ---- events ----

  /**
   * Redis's sentinelEvent: logs `type msg`, publishes msg on the channel named `type` (not for
   * debug events), and runs the master's notification script for warnings. A text starting
   * with "%@" gets the instance's identity in its place.
   */
  event(level: EventLevel, type: string, ri: Instance | null, text: string): void {
    let msg = text;
    if (ri !== null && text.startsWith('%@')) {
      const master = ri.flags & SRI_MASTER ? null : ri.master;
      let id = `${ri.typeName()} ${ri.name} ${this.announceAddr(ri.addr)} ${ri.addr.port}`;
      if (master !== null) id += ` @ ${master.name} ${this.announceAddr(master.addr)} ${master.addr.port}`;
      msg = id + text.slice(2);
    }
    const line = `${type} ${msg}`;
    if (level === 'warning') this.host.log.warning(line);
    else if (level === 'notice') this.host.log.notice(line);
    else if (level === 'verbose') this.host.log.verbose(line);
    else this.host.log.debug(line);
    if (level !== 'debug') this.host.publish(type, msg);
    if (level === 'warning' && ri !== null) {
      const master = ri.flags & SRI_MASTER ? ri : ri.master;
      if (master !== null && master.notificationScript !== null) this.scripts.schedule(master.notificationScript, [type, msg]);
    }
  }

  /** +monitor for every configured master, at start-up. */
  generateInitialMonitorEvents(): void {
    for (const ri of this.masters.values()) this.event('warning', '+monitor', ri, `%@ quorum ${ri.quorum}`);
  }

  // ---- configuration on disk ----

  /** Redis's sentinelFlushConfig: rewrites the config file with the state; false on failure. */
  flushConfig(): boolean {
    const error = this.host.rewriteConfig();
    if (error === null) {
      this.host.log.notice('Sentinel new configuration saved on disk');
      return true;
    }
    this.host.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${error}`);
    return false;
  }

  /** Picks an id when the config had none, persists it, and logs it (sentinelIsRunning). */
  ensureId(): void {
    if (this.myid === '') {
      this.myid = randomBytes(20).toString('hex');
      this.flushConfig();
    }
    this.host.log.warning(`Sentinel ID is ${this.myid}`);
  }

  // ---- timer ----

  start(): void {
    this.previousTime = Date.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const ri of this.masters.values()) ri.release();
    this.masters.clear();
  }

  private schedule(): void {
    // The timer's rate changes every tick (10-19 Hz), so sentinels started together drift apart
    // and do not keep asking for votes at the same instant.
    const hz = DEFAULT_HZ + randomInt(DEFAULT_HZ);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, Math.floor(1000 / hz));
  }

  /** One run of Redis's sentinelTimer. */
  tick(): void {
    this.checkTiltCondition();
    this.handleDict(this.masters);
    this.scripts.runPending();
    this.scripts.killTimedOut();
  }

  private handleDict(instances: Map<string, Instance>): void {
    let switchToPromoted: Instance | null = null;
    for (const ri of [...instances.values()]) {
      if (ri.released) continue;
      handleInstance(this, ri);
      if (ri.flags & SRI_MASTER) {
        this.handleDict(ri.slaves);
        this.handleDict(ri.sentinels);
        if (ri.failoverState === FailoverState.UpdateConfig) switchToPromoted = ri;
      }
    }
    if (switchToPromoted !== null) switchToPromotedSlave(this, switchToPromoted);
  }

  /**
   * TILT: the timer ran late by more than tilt-trigger, or time went backwards. Everything
   * would look timed out, so the sentinel only watches (does not act) for tilt-period.
   */
  private checkTiltCondition(): void {
    const now = Date.now();
    const delta = now - this.previousTime;
    if (delta < 0 || delta > this.timings.tiltTrigger) {
      this.tilt = true;
      this.tiltStartTime = Date.now();
      this.event('warning', '+tilt', null, '#tilt mode entered');
    }
    this.previousTime = Date.now();
  }

  simFailureCrash(): void {
    this.host.log.warning('Sentinel CRASH because of SENTINEL simulate-failure');
    this.host.exit(99);
  }
}

// Monitoring: the links to instances (a command connection and, for masters and replicas, a
// pub/sub one), the periodic INFO / PING / hello PUBLISH, what INFO replies teach (replicas,
// roles, replication links), hello messages (other sentinels, newer configurations), and the
// SDOWN / ODOWN judgements with SENTINEL IS-MASTER-DOWN-BY-ADDR. Redis's sentinel.c, in the
// same steps and with the same timing rules.

import {
  FailoverState, SRI_FAILOVER_IN_PROGRESS, SRI_MASTER, SRI_MASTER_DOWN, SRI_MASTER_REBOOT, SRI_O_DOWN, SRI_PROMOTED,
  SRI_RECONF_DONE, SRI_RECONF_INPROG, SRI_RECONF_SENT, SRI_S_DOWN, SRI_SCRIPT_KILL_SENT, SRI_SENTINEL, SRI_SLAVE,
  type Instance, type InstanceLink,
} from './instance.js';
import { RespLink, type RespReply } from '../protocol/resp-link.js';
import { HELLO_CHANNEL, SIMFAILURE_CRASH_AFTER_PROMOTION, type Sentinel } from './sentinel.js';
import { askMasterStateToOtherSentinels, callClientReconfScript, failoverStateMachine, sendSlaveOf, startFailoverIfNeeded } from './failover.js';

/** Commands a link may have waiting before periodic ones are skipped (per link owner). */
const MAX_PENDING_COMMANDS = 100;

/** Sends a command on the instance's command connection; the handler sees only live replies. */
export function sendCommand(s: Sentinel, ri: Instance, argv: string[], handler: ((reply: RespReply) => void) | null): boolean {
  const link = ri.link;
  const cc = link.cc;
  if (cc === null) return false;
  const ok = cc.send(argv, (reply) => {
    link.pendingCommands--;
    if (!ri.released && handler !== null) handler(reply);
  });
  if (ok) link.pendingCommands++;
  return ok;
}

function sendAuthIfNeeded(s: Sentinel, ri: Instance, conn: RespLink): void {
  let pass: string | null = null;
  let user: string | null = null;
  if (ri.flags & SRI_MASTER) {
    pass = ri.authPass;
    user = ri.authUser;
  } else if (ri.flags & SRI_SLAVE) {
    pass = ri.master!.authPass;
    user = ri.master!.authUser;
  } else if (ri.flags & SRI_SENTINEL) {
    if (s.sentinelAuthPass !== null) {
      pass = s.sentinelAuthPass;
      user = s.sentinelAuthUser;
    } else {
      // Older configurations share requirepass for both directions between sentinels.
      const requirepass = s.host.requirePass();
      pass = requirepass === '' ? null : requirepass;
    }
  }
  if (pass === null) return;
  const argv = user === null ? [ri.mapCommand('AUTH'), pass] : [ri.mapCommand('AUTH'), user, pass];
  sendOn(ri, conn, argv, null);
}

/** Sends on a given connection of the link (the pub/sub one included), counting it as pending. */
function sendOn(ri: Instance, conn: RespLink, argv: string[], handler: ((reply: RespReply) => void) | null): void {
  const link = ri.link;
  if (conn.send(argv, (reply) => {
    link.pendingCommands--;
    if (!ri.released && handler !== null) handler(reply);
  })) link.pendingCommands++;
}

function setClientName(s: Sentinel, ri: Instance, conn: RespLink, type: string): void {
  sendOn(ri, conn, [ri.mapCommand('CLIENT'), 'SETNAME', `sentinel-${s.myid.slice(0, 8)}-${type}`], null);
}

function openConnection(link: InstanceLink, ri: Instance, which: 'cc' | 'pc'): RespLink {
  const conn = new RespLink(ri.addr.ip, ri.addr.port);
  conn.onDisconnect = () => {
    if (which === 'cc' && link.cc === conn) {
      link.cc = null;
      link.pendingCommands = 0;
      link.disconnected = true;
    } else if (which === 'pc' && link.pc === conn) {
      link.pc = null;
      link.disconnected = true;
    }
  };
  return conn;
}

/** Redis's sentinelReconnectInstance: (re)opens the missing connections, at most once a ping period. */
function reconnectInstance(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  if (!link.disconnected) return;
  if (ri.addr.port === 0) return;
  const now = Date.now();
  if (now - link.lastReconnTime < s.timings.pingPeriod) return;
  link.lastReconnTime = now;
  if (link.cc === null) {
    if (s.resolveHostnames) {
      const fresh = s.createAddr(ri.addr.hostname, ri.addr.port, false);
      if (typeof fresh !== 'string') ri.addr = fresh;
    }
    if (ri.addr.ip === '') {
      s.event('debug', '-cmd-link-reconnection', ri, '%@ #Failed to establish connection');
    } else {
      const cc = openConnection(link, ri, 'cc');
      link.cc = cc;
      link.pendingCommands = 0;
      link.ccConnTime = Date.now();
      sendAuthIfNeeded(s, ri, cc);
      setClientName(s, ri, cc, 'cmd');
      // A PING right away, so a new link proves itself without waiting a period.
      sendPing(s, ri);
    }
  }
  if ((ri.flags & (SRI_MASTER | SRI_SLAVE)) && link.pc === null && ri.addr.ip !== '') {
    const pc = openConnection(link, ri, 'pc');
    link.pc = pc;
    link.pcConnTime = Date.now();
    sendAuthIfNeeded(s, ri, pc);
    setClientName(s, ri, pc, 'pubsub');
    pc.subscribe([ri.mapCommand('SUBSCRIBE'), HELLO_CHANNEL], (reply) => {
      if (!ri.released) receiveHello(s, ri, reply);
    });
  }
  if (link.cc !== null && ((ri.flags & SRI_SENTINEL) || link.pc !== null)) link.disconnected = false;
}

/** A master that is one in our view and its own, up, and recently heard from. */
export function masterLooksSane(s: Sentinel, master: Instance): boolean {
  return (master.flags & SRI_MASTER) !== 0
    && master.roleReported === SRI_MASTER
    && (master.flags & (SRI_S_DOWN | SRI_O_DOWN)) === 0
    && Date.now() - master.infoRefresh < s.timings.infoPeriod * 2;
}

/** Redis's sentinelRefreshInstanceInfo: reads an INFO reply, then acts on what changed. */
export function refreshInstanceInfo(s: Sentinel, ri: Instance, info: string): void {
  ri.info = info;
  ri.masterLinkDownTimeMs = 0;
  let role = 0;
  for (const l of info.split('\r\n')) {
    if (l.length >= 47 && l.startsWith('run_id:')) {
      const runid = l.slice(7, 47);
      if (ri.runid === null) {
        ri.runid = runid;
      } else if (ri.runid !== runid) {
        s.event('notice', '+reboot', ri, '%@');
        if ((ri.flags & SRI_MASTER) && ri.masterRebootDownAfterPeriodMs !== 0) {
          ri.flags |= SRI_MASTER_REBOOT;
          ri.masterRebootSinceTime = Date.now();
        }
        ri.runid = runid;
      }
    }
    if ((ri.flags & SRI_MASTER) && l.length >= 7 && l.startsWith('slave') && l.charCodeAt(5) >= 48 && l.charCodeAt(5) <= 57) {
      const found = replicaAddressOf(l);
      if (found !== null && s.lookupSlave(ri, found.ip, found.port) === undefined) {
        const slave = s.createInstance(null, SRI_SLAVE, found.ip, found.port, ri.quorum, ri);
        if (typeof slave !== 'string') {
          s.event('notice', '+slave', slave, '%@');
          s.flushConfig();
        }
      }
    }
    if (l.length >= 32 && l.startsWith('master_link_down_since_seconds')) {
      ri.masterLinkDownTimeMs = parseIntPrefix(l.slice(31)) * 1000;
    }
    if (l.length >= 11 && l.startsWith('role:master')) role = SRI_MASTER;
    else if (l.length >= 10 && l.startsWith('role:slave')) role = SRI_SLAVE;
    if (role === SRI_SLAVE) {
      if (l.length >= 12 && l.startsWith('master_host:')) {
        const host = l.slice(12);
        if (ri.slaveMasterHost === null || host.toLowerCase() !== ri.slaveMasterHost.toLowerCase()) {
          ri.slaveMasterHost = host;
          ri.slaveConfChangeTime = Date.now();
        }
      }
      if (l.length >= 12 && l.startsWith('master_port:')) {
        const port = parseIntPrefix(l.slice(12));
        if (ri.slaveMasterPort !== port) {
          ri.slaveMasterPort = port;
          ri.slaveConfChangeTime = Date.now();
        }
      }
      if (l.length >= 19 && l.startsWith('master_link_status:')) ri.slaveMasterLinkUp = l.slice(19).toLowerCase() === 'up';
      if (l.length >= 15 && l.startsWith('slave_priority:')) ri.slavePriority = parseIntPrefix(l.slice(15));
      if (l.length >= 18 && l.startsWith('slave_repl_offset:')) ri.slaveReplOffset = parseIntPrefix(l.slice(18));
      if (l.length >= 18 && l.startsWith('replica_announced:')) ri.replicaAnnounced = parseIntPrefix(l.slice(18));
    }
  }
  ri.infoRefresh = Date.now();

  if (role !== ri.roleReported) {
    ri.roleReportedTime = Date.now();
    ri.roleReported = role;
    if (role === SRI_SLAVE) ri.slaveConfChangeTime = Date.now();
    const coherent = (ri.flags & (SRI_MASTER | SRI_SLAVE)) === role;
    s.event('verbose', coherent ? '+role-change' : '-role-change', ri, `%@ new reported role is ${role === SRI_MASTER ? 'master' : 'slave'}`);
  }
  // The acting half: nothing of it while in TILT.
  if (s.tilt) return;
  const master = ri.master;
  if ((ri.flags & SRI_SLAVE) && role === SRI_MASTER && master !== null) {
    if ((ri.flags & SRI_PROMOTED) && (master.flags & SRI_FAILOVER_IN_PROGRESS) && master.failoverState === FailoverState.WaitPromotion) {
      // The promoted replica acknowledged: the failover's epoch becomes the master's config
      // epoch, which makes every other sentinel take this configuration.
      master.configEpoch = master.failoverEpoch;
      master.failoverState = FailoverState.ReconfSlaves;
      master.failoverStateChangeTime = Date.now();
      s.flushConfig();
      s.event('warning', '+promoted-slave', ri, '%@');
      if (s.simfailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) s.simFailureCrash();
      s.event('warning', '+failover-state-reconf-slaves', master, '%@');
      callClientReconfScript(s, master, 'leader', 'start', master.addr, ri.addr);
      forceHelloUpdateForMaster(s, master);
    } else {
      // A replica turned master on its own: put it back, once the configuration settled.
      const waitTime = s.timings.publishPeriod * 4;
      if (!(ri.flags & SRI_PROMOTED) && masterLooksSane(s, master) && s.noDownFor(ri, waitTime) && Date.now() - ri.roleReportedTime > waitTime) {
        if (sendSlaveOf(s, ri, master.addr)) s.event('notice', '+convert-to-slave', ri, '%@');
      }
    }
  }
  if ((ri.flags & SRI_SLAVE) && role === SRI_SLAVE && master !== null
    && (ri.slaveMasterPort !== master.addr.port || !s.addrEqualsHostname(master.addr, ri.slaveMasterHost))) {
    const waitTime = master.failoverTimeoutMs;
    if (masterLooksSane(s, master) && s.noDownFor(ri, waitTime) && Date.now() - ri.slaveConfChangeTime > waitTime) {
      if (sendSlaveOf(s, ri, master.addr)) s.event('notice', '+fix-slave-config', ri, '%@');
    }
  }
  if ((ri.flags & SRI_SLAVE) && role === SRI_SLAVE && (ri.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) && master !== null) {
    const promoted = master.promotedSlave;
    if ((ri.flags & SRI_RECONF_SENT) && ri.slaveMasterHost !== null && promoted !== null
      && s.addrEqualsHostname(promoted.addr, ri.slaveMasterHost) && ri.slaveMasterPort === promoted.addr.port) {
      ri.flags &= ~SRI_RECONF_SENT;
      ri.flags |= SRI_RECONF_INPROG;
      s.event('notice', '+slave-reconf-inprog', ri, '%@');
    }
    if ((ri.flags & SRI_RECONF_INPROG) && ri.slaveMasterLinkUp) {
      ri.flags &= ~SRI_RECONF_INPROG;
      ri.flags |= SRI_RECONF_DONE;
      s.event('notice', '+slave-reconf-done', ri, '%@');
    }
  }
}

/** atoi/strtoll: the leading integer of `text`, 0 when there is none. */
function parseIntPrefix(text: string): number {
  const m = /^\s*[+-]?\d+/.exec(text);
  return m === null ? 0 : Number(m[0]);
}

/** The ip and port of an INFO `slaveN:` line, old (ip,port,state) or new (ip=..,port=..) form. */
function replicaAddressOf(line: string): { ip: string; port: number } | null {
  if (!line.includes('ip=')) {
    const colon = line.indexOf(':');
    if (colon < 0) return null;
    const parts = line.slice(colon + 1).split(',');
    if (parts.length < 3) return null;
    return { ip: parts[0], port: parseIntPrefix(parts[1]) };
  }
  const ipAt = line.indexOf('ip=');
  const portAt = line.indexOf('port=');
  if (portAt < 0) return null;
  const ip = line.slice(ipAt + 3).split(',')[0];
  const port = line.slice(portAt + 5).split(',')[0];
  return { ip, port: parseIntPrefix(port) };
}

function onPingReply(s: Sentinel, ri: Instance, reply: RespReply): void {
  const link = ri.link;
  if (reply.type === 'status' || reply.type === 'error') {
    const text = reply.text;
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      link.lastAvailTime = Date.now();
      link.actPingTime = 0;
      if ((ri.flags & SRI_MASTER_REBOOT) && text.startsWith('PONG')) ri.flags &= ~SRI_MASTER_REBOOT;
    } else if (text.startsWith('BUSY') && (ri.flags & SRI_S_DOWN) && !(ri.flags & SRI_SCRIPT_KILL_SENT)) {
      // Down because of a busy script: kill it, once.
      sendCommand(s, ri, [ri.mapCommand('SCRIPT'), 'KILL'], null);
      ri.flags |= SRI_SCRIPT_KILL_SENT;
    }
  }
  link.lastPongTime = Date.now();
}

export function sendPing(s: Sentinel, ri: Instance): boolean {
  const ok = sendCommand(s, ri, [ri.mapCommand('PING')], (reply) => onPingReply(s, ri, reply));
  if (ok) {
    ri.link.lastPingTime = Date.now();
    // Still waiting for an earlier PING: the wait counts from that one.
    if (ri.link.actPingTime === 0) ri.link.actPingTime = ri.link.lastPingTime;
  }
  return ok;
}

/**
 * Redis's sentinelProcessHelloMessage: `ip,port,runid,current_epoch,master_name,master_ip,
 * master_port,master_config_epoch`, from a master's or replica's hello channel or PUBLISHed to
 * this sentinel directly.
 */
export function processHelloMessage(s: Sentinel, hello: string): void {
  const token = hello.split(',');
  if (token.length !== 8) return;
  const master = s.masters.get(token[4]);
  if (master === undefined) return;
  const port = parseIntPrefix(token[1]);
  const masterPort = parseIntPrefix(token[6]);
  let si = s.findByAddrAndRunId(master.sentinels, token[0], port, token[2]);
  const currentEpoch = parseUnsigned(token[3]);
  const masterConfigEpoch = parseUnsigned(token[7]);
  if (si === undefined) {
    const removed = s.removeSentinelByRunId(master, token[2]);
    if (removed > 0) {
      s.event('notice', '+sentinel-address-switch', master, `%@ ip ${token[0]} port ${port} for ${token[2]}`);
    } else {
      const other = s.findByAddrAndRunId(master.sentinels, token[0], port, null);
      if (other !== undefined) {
        s.event('notice', '+sentinel-invalid-addr', other, '%@');
        const obsolete = other.runid;
        for (const m of s.masters.values()) s.removeSentinelByRunId(m, obsolete);
      }
    }
    const created = s.createInstance(token[2], SRI_SENTINEL, token[0], port, master.quorum, master);
    if (typeof created !== 'string') {
      si = created;
      if (removed === 0) s.event('notice', '+sentinel', si, '%@');
      si.runid = token[2];
      s.tryConnectionSharing(si);
      if (removed > 0) s.updateSentinelAddressInAllMasters(si);
      s.flushConfig();
    }
  }
  if (currentEpoch > s.currentEpoch) {
    s.currentEpoch = currentEpoch;
    s.flushConfig();
    s.event('warning', '+new-epoch', master, `${s.currentEpoch}`);
  }
  if (si !== undefined && master.configEpoch < masterConfigEpoch) {
    master.configEpoch = masterConfigEpoch;
    if (masterPort !== master.addr.port || !s.addrEqualsHostname(master.addr, token[5])) {
      s.event('warning', '+config-update-from', si, '%@');
      s.event('warning', '+switch-master', master, `${master.name} ${s.announceAddr(master.addr)} ${master.addr.port} ${token[5]} ${masterPort}`);
      const oldAddr = { ...master.addr };
      s.resetMasterAndChangeAddress(master, token[5], masterPort);
      callClientReconfScript(s, master, 'observer', 'start', oldAddr, master.addr);
    }
  }
  if (si !== undefined) si.lastHelloTime = Date.now();
}

/** strtoull of a decimal epoch (non-digits end it). */
function parseUnsigned(text: string): number {
  const m = /^\s*\d+/.exec(text);
  return m === null ? 0 : Number(m[0]);
}

function receiveHello(s: Sentinel, ri: Instance, reply: RespReply): void {
  // Any traffic on the pub/sub connection (our own hellos come back too) proves it alive.
  ri.link.pcLastActivity = Date.now();
  if (reply.type !== 'array' || reply.items.length !== 3) return;
  const [kind, , payload] = reply.items;
  if (kind.type !== 'bulk' || reply.items[1].type !== 'bulk' || payload.type !== 'bulk' || kind.text !== 'message') return;
  if (payload.text.includes(s.myid)) return;
  processHelloMessage(s, payload.text);
}

/** PUBLISHes this sentinel's hello (and its view of the master) through `ri`. */
export function sendHello(s: Sentinel, ri: Instance): boolean {
  const master = ri.flags & SRI_MASTER ? ri : ri.master!;
  const masterAddr = s.currentMasterAddress(master);
  if (ri.link.disconnected || ri.link.cc === null) return false;
  let announceIp = s.announceIp;
  if (announceIp === null) {
    const local = ri.link.cc.localAddress;
    if (local === '') return false;
    announceIp = local.startsWith('::ffff:') ? local.slice(7) : local;
  }
  const announcePort = s.announcePort !== 0 ? s.announcePort : s.host.port();
  const payload = `${announceIp},${announcePort},${s.myid},${s.currentEpoch},`
    + `${master.name},${s.announceAddr(masterAddr)},${masterAddr.port},${master.configEpoch}`;
  return sendCommand(s, ri, [ri.mapCommand('PUBLISH'), HELLO_CHANNEL, payload], (reply) => {
    // Only a delivered hello counts; otherwise it is retried on the next tick.
    if (reply.type !== 'error') ri.lastPubTime = Date.now();
  });
}

function forceHelloUpdate(s: Sentinel, instances: ReadonlyMap<string, Instance>): void {
  for (const ri of instances.values()) {
    if (ri.lastPubTime >= s.timings.publishPeriod + 1) ri.lastPubTime -= s.timings.publishPeriod + 1;
  }
}

/** Makes the next tick send hellos about `master` everywhere (a new configuration spreads fast). */
export function forceHelloUpdateForMaster(s: Sentinel, master: Instance): void {
  if (!(master.flags & SRI_MASTER)) return;
  if (master.lastPubTime >= s.timings.publishPeriod + 1) master.lastPubTime -= s.timings.publishPeriod + 1;
  forceHelloUpdate(s, master.sentinels);
  forceHelloUpdate(s, master.slaves);
}

/** Redis's sentinelSendPeriodicCommands: INFO, PING and hello, each on its own period. */
function sendPeriodicCommands(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  if (link.disconnected) return;
  if (link.pendingCommands >= MAX_PENDING_COMMANDS * link.refcount) return;
  const now = Date.now();
  // Replicas of a master that is down or being failed over, or that lost their own master
  // link, are polled every second.
  const infoPeriod = (ri.flags & SRI_SLAVE) && ((ri.master!.flags & (SRI_O_DOWN | SRI_FAILOVER_IN_PROGRESS)) || ri.masterLinkDownTimeMs !== 0)
    ? 1000
    : s.timings.infoPeriod;
  const pingPeriod = Math.min(ri.downAfterPeriodMs, s.timings.pingPeriod);
  if ((ri.flags & SRI_SENTINEL) === 0 && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) {
    sendCommand(s, ri, [ri.mapCommand('INFO')], (reply) => {
      if (reply.type === 'bulk') refreshInstanceInfo(s, ri, reply.text);
    });
  }
  if (now - link.lastPongTime > pingPeriod && now - link.lastPingTime > pingPeriod / 2) sendPing(s, ri);
  if (now - ri.lastPubTime > s.timings.publishPeriod) sendHello(s, ri);
}

/** Redis's sentinelCheckSubjectivelyDown, with its reconnection of idle-looking links. */
function checkSubjectivelyDown(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  const now = Date.now();
  let elapsed = 0;
  if (link.actPingTime) elapsed = now - link.actPingTime;
  else if (link.disconnected) elapsed = now - link.lastAvailTime;
  if (link.cc !== null && now - link.ccConnTime > s.timings.minLinkReconnectPeriod && link.actPingTime !== 0
    && now - link.actPingTime > ri.downAfterPeriodMs / 2 && now - link.lastPongTime > ri.downAfterPeriodMs / 2) {
    link.closeCommands();
  }
  if (link.pc !== null && now - link.pcConnTime > s.timings.minLinkReconnectPeriod
    && now - link.pcLastActivity > s.timings.publishPeriod * 3) {
    link.closePubSub();
  }
  const down = elapsed > ri.downAfterPeriodMs
    || ((ri.flags & SRI_MASTER) && ri.roleReported === SRI_SLAVE && now - ri.roleReportedTime > ri.downAfterPeriodMs + s.timings.infoPeriod * 2)
    || ((ri.flags & SRI_MASTER_REBOOT) && now - ri.masterRebootSinceTime > ri.masterRebootDownAfterPeriodMs);
  if (down) {
    if ((ri.flags & SRI_S_DOWN) === 0) {
      s.event('warning', '+sdown', ri, '%@');
      ri.sDownSinceTime = Date.now();
      ri.flags |= SRI_S_DOWN;
    }
  } else if (ri.flags & SRI_S_DOWN) {
    s.event('warning', '-sdown', ri, '%@');
    ri.flags &= ~(SRI_S_DOWN | SRI_SCRIPT_KILL_SENT);
  }
}

/** ODOWN: SDOWN here and at least `quorum` sentinels (this one included) agreeing. */
function checkObjectivelyDown(s: Sentinel, master: Instance): void {
  let quorum = 0;
  let odown = false;
  if (master.flags & SRI_S_DOWN) {
    quorum = 1;
    for (const ri of master.sentinels.values()) if (ri.flags & SRI_MASTER_DOWN) quorum++;
    if (quorum >= master.quorum) odown = true;
  }
  if (odown) {
    if ((master.flags & SRI_O_DOWN) === 0) {
      s.event('warning', '+odown', master, `%@ #quorum ${quorum}/${master.quorum}`);
      master.flags |= SRI_O_DOWN;
      master.oDownSinceTime = Date.now();
    }
  } else if (master.flags & SRI_O_DOWN) {
    s.event('warning', '-odown', master, '%@');
    master.flags &= ~SRI_O_DOWN;
  }
}

/** Redis's sentinelHandleRedisInstance: the monitoring half, then (outside TILT) the acting half. */
export function handleInstance(s: Sentinel, ri: Instance): void {
  reconnectInstance(s, ri);
  sendPeriodicCommands(s, ri);
  if (s.tilt) {
    if (Date.now() - s.tiltStartTime < s.timings.tiltPeriod) return;
    s.tilt = false;
    s.event('warning', '-tilt', null, '#tilt mode exited');
  }
  checkSubjectivelyDown(s, ri);
  if (ri.flags & SRI_MASTER) {
    checkObjectivelyDown(s, ri);
    if (startFailoverIfNeeded(s, ri)) askMasterStateToOtherSentinels(s, ri, true);
    failoverStateMachine(s, ri);
    askMasterStateToOtherSentinels(s, ri, false);
  }
}


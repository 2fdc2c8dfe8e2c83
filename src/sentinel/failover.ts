// Failover: asking the other sentinels whether a master is down (and for their vote), the leader
// election by epochs, the choice of the replica to promote, and the state machine that promotes
// it, re-points the other replicas (parallel-syncs at a time) and switches the master's address.

import { randomInt } from 'node:crypto';
import {
  FailoverState, SRI_FAILOVER_IN_PROGRESS, SRI_FORCE_FAILOVER, SRI_MASTER, SRI_MASTER_DOWN, SRI_O_DOWN, SRI_PROMOTED,
  SRI_RECONF_DONE, SRI_RECONF_INPROG, SRI_RECONF_SENT, SRI_S_DOWN, type Instance, type SentinelAddr,
} from './instance.js';
import { refreshInstanceInfo, sendCommand } from './monitor.js';
import { MAX_DESYNC_MS, SIMFAILURE_CRASH_AFTER_ELECTION, type Sentinel } from './sentinel.js';

/**
 * Redis's sentinelSendSlaveOf: in one transaction, REPLICAOF (or NO ONE when `addr` is null),
 * CONFIG REWRITE, and CLIENT KILL of normal and pub/sub clients so they ask again where the
 * master is. Replies are not read: the effect shows in the next INFO.
 */
export function sendSlaveOf(s: Sentinel, ri: Instance, addr: SentinelAddr | null): boolean {
  const host = addr === null ? 'NO' : s.announceAddr(addr);
  const port = addr === null ? 'ONE' : String(addr.port);
  const commands: string[][] = [
    [ri.mapCommand('MULTI')],
    [ri.mapCommand('SLAVEOF'), host, port],
    [ri.mapCommand('CONFIG'), 'REWRITE'],
    [ri.mapCommand('CLIENT'), 'KILL', 'TYPE', 'normal'],
    [ri.mapCommand('CLIENT'), 'KILL', 'TYPE', 'pubsub'],
    [ri.mapCommand('EXEC')],
  ];
  for (const argv of commands) {
    if (!sendCommand(s, ri, argv, null)) return false;
  }
  return true;
}

/** Runs the master's client-reconfig-script: <name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>. */
export function callClientReconfScript(s: Sentinel, master: Instance, role: 'leader' | 'observer', state: string, from: SentinelAddr, to: SentinelAddr): void {
  if (master.clientReconfigScript === null) return;
  s.scripts.schedule(master.clientReconfigScript, [
    master.name, role, state, s.announceAddr(from), String(from.port), s.announceAddr(to), String(to.port),
  ]);
}

/**
 * Redis's sentinelAskMasterStateToOtherSentinels: SENTINEL IS-MASTER-DOWN-BY-ADDR to every
 * connected sentinel while the master is SDOWN here (with our id once a failover started, to
 * ask for a vote); answers older than five ask periods are forgotten.
 */
export function askMasterStateToOtherSentinels(s: Sentinel, master: Instance, forced: boolean): void {
  for (const ri of master.sentinels.values()) {
    const elapsed = Date.now() - ri.lastMasterDownReplyTime;
    if (elapsed > s.timings.askPeriod * 5) {
      ri.flags &= ~SRI_MASTER_DOWN;
      ri.leader = null;
    }
    if ((master.flags & SRI_S_DOWN) === 0) continue;
    if (ri.link.disconnected) continue;
    if (!forced && Date.now() - ri.lastMasterDownReplyTime < s.timings.askPeriod) continue;
    sendCommand(s, ri, [
      ri.mapCommand('SENTINEL'), 'is-master-down-by-addr', s.announceAddr(master.addr), String(master.addr.port),
      String(s.currentEpoch), master.failoverState > FailoverState.None ? s.myid : '*',
    ], (reply) => {
      if (reply.type !== 'array' || reply.items.length !== 3) return;
      const [down, leader, epoch] = reply.items;
      if (down.type !== 'integer' || leader.type !== 'bulk' || epoch.type !== 'integer') return;
      ri.lastMasterDownReplyTime = Date.now();
      if (down.value === 1) ri.flags |= SRI_MASTER_DOWN;
      else ri.flags &= ~SRI_MASTER_DOWN;
      if (leader.text !== '*') {
        if (ri.leaderEpoch !== epoch.value) s.host.log.warning(`${ri.name} voted for ${leader.text} ${epoch.value}`);
        ri.leader = leader.text;
        ri.leaderEpoch = epoch.value;
      }
    });
  }
}

/**
 * Votes for `reqRunid` in `reqEpoch` unless a vote was already given in that epoch or a later
 * one; returns the vote held (runid) and its epoch.
 */
export function voteLeader(s: Sentinel, master: Instance, reqEpoch: number, reqRunid: string): { leader: string | null; epoch: number } {
  if (reqEpoch > s.currentEpoch) {
    s.currentEpoch = reqEpoch;
    s.flushConfig();
    s.event('warning', '+new-epoch', master, `${s.currentEpoch}`);
  }
  if (master.leaderEpoch < reqEpoch && s.currentEpoch <= reqEpoch) {
    master.leader = reqRunid;
    master.leaderEpoch = s.currentEpoch;
    s.flushConfig();
    s.event('warning', '+vote-for-leader', master, `${master.leader} ${master.leaderEpoch}`);
    // Having voted for another sentinel, wait before trying a failover of our own.
    if (master.leader.toLowerCase() !== s.myid.toLowerCase()) master.failoverStartTime = Date.now() + randomInt(MAX_DESYNC_MS);
  }
  return { leader: master.leader, epoch: master.leaderEpoch };
}

/**
 * The leader of `epoch`, if one has the votes of a majority of the sentinels known for this
 * master and at least `quorum` of them; this sentinel casts its own vote on the way.
 */
function getLeader(s: Sentinel, master: Instance, epoch: number): string | null {
  const counters = new Map<string, number>();
  const voters = master.sentinels.size + 1;
  for (const ri of master.sentinels.values()) {
    if (ri.leader !== null && ri.leaderEpoch === s.currentEpoch) counters.set(ri.leader, (counters.get(ri.leader) ?? 0) + 1);
  }
  let winner: string | null = null;
  let maxVotes = 0;
  for (const [runid, votes] of counters) {
    if (votes > maxVotes) {
      maxVotes = votes;
      winner = runid;
    }
  }
  const vote = voteLeader(s, master, epoch, winner ?? s.myid);
  if (vote.leader !== null && vote.epoch === epoch) {
    const votes = (counters.get(vote.leader) ?? 0) + 1;
    counters.set(vote.leader, votes);
    if (votes > maxVotes) {
      maxVotes = votes;
      winner = vote.leader;
    }
  }
  const votersQuorum = Math.floor(voters / 2) + 1;
  if (winner !== null && (maxVotes < votersQuorum || maxVotes < master.quorum)) winner = null;
  return winner;
}

export function startFailover(s: Sentinel, master: Instance): void {
  master.failoverState = FailoverState.WaitStart;
  master.flags |= SRI_FAILOVER_IN_PROGRESS;
  master.failoverEpoch = ++s.currentEpoch;
  s.event('warning', '+new-epoch', master, `${s.currentEpoch}`);
  s.event('warning', '+try-failover', master, '%@');
  master.failoverStartTime = Date.now() + randomInt(MAX_DESYNC_MS);
  master.failoverStateChangeTime = Date.now();
}

/** ctime(3)'s text without the newline, in local time: "Thu Nov 26 08:22:11 2026". */
function ctimeText(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** Starts a failover of an ODOWN master unless one runs or one started under 2 failover-timeouts ago. */
export function startFailoverIfNeeded(s: Sentinel, master: Instance): boolean {
  if (!(master.flags & SRI_O_DOWN)) return false;
  if (master.flags & SRI_FAILOVER_IN_PROGRESS) return false;
  if (Date.now() - master.failoverStartTime < master.failoverTimeoutMs * 2) {
    if (master.failoverDelayLogged !== master.failoverStartTime) {
      const clockMs = Math.floor((master.failoverStartTime + master.failoverTimeoutMs * 2) / 1000) * 1000;
      master.failoverDelayLogged = master.failoverStartTime;
      s.host.log.warning(`Next failover delay: I will not start a failover before ${ctimeText(clockMs)}`);
    }
    return false;
  }
  startFailover(s, master);
  return true;
}

/**
 * The replica to promote: not down or disconnected, answering PINGs, with recent INFO, not
 * disconnected from the master for too long, priority not 0; then the lowest priority, the
 * largest replication offset, the smallest run id.
 */
export function selectSlave(s: Sentinel, master: Instance): Instance | null {
  const now = Date.now();
  let maxMasterDownTime = 0;
  if (master.flags & SRI_S_DOWN) maxMasterDownTime += now - master.sDownSinceTime;
  maxMasterDownTime += master.downAfterPeriodMs * 10;
  const candidates: Instance[] = [];
  for (const slave of master.slaves.values()) {
    if (slave.flags & (SRI_S_DOWN | SRI_O_DOWN)) continue;
    if (slave.link.disconnected) continue;
    if (now - slave.link.lastAvailTime > s.timings.pingPeriod * 5) continue;
    if (slave.slavePriority === 0) continue;
    const infoValidity = master.flags & SRI_S_DOWN ? s.timings.pingPeriod * 5 : s.timings.infoPeriod * 3;
    if (now - slave.infoRefresh > infoValidity) continue;
    if (slave.masterLinkDownTimeMs > maxMasterDownTime) continue;
    candidates.push(slave);
  }
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => {
    if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
    if (a.slaveReplOffset > b.slaveReplOffset) return -1;
    if (a.slaveReplOffset < b.slaveReplOffset) return 1;
    if (a.runid === null && b.runid === null) return 0;
    if (a.runid === null) return 1;
    if (b.runid === null) return -1;
    const x = a.runid.toLowerCase();
    const y = b.runid.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return candidates[0];
}

export function abortFailover(master: Instance): void {
  master.flags &= ~(SRI_FAILOVER_IN_PROGRESS | SRI_FORCE_FAILOVER);
  master.failoverState = FailoverState.None;
  master.failoverStateChangeTime = Date.now();
  if (master.promotedSlave !== null) {
    master.promotedSlave.flags &= ~SRI_PROMOTED;
    master.promotedSlave = null;
  }
}

function waitStart(s: Sentinel, ri: Instance): void {
  const leader = getLeader(s, ri, ri.failoverEpoch);
  const isLeader = leader !== null && leader.toLowerCase() === s.myid.toLowerCase();
  if (!isLeader && !(ri.flags & SRI_FORCE_FAILOVER)) {
    const electionTimeout = Math.min(s.timings.electionTimeout, ri.failoverTimeoutMs);
    if (Date.now() - ri.failoverStartTime > electionTimeout) {
      s.event('warning', '-failover-abort-not-elected', ri, '%@');
      abortFailover(ri);
    }
    return;
  }
  s.event('warning', '+elected-leader', ri, '%@');
  if (s.simfailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) s.simFailureCrash();
  ri.failoverState = FailoverState.SelectSlave;
  ri.failoverStateChangeTime = Date.now();
  s.event('warning', '+failover-state-select-slave', ri, '%@');
  // The next state needs no reply from anyone: take it now rather than a tick later.
  selectSlaveState(s, ri);
}

function selectSlaveState(s: Sentinel, ri: Instance): void {
  const slave = selectSlave(s, ri);
  if (slave === null) {
    s.event('warning', '-failover-abort-no-good-slave', ri, '%@');
    abortFailover(ri);
    return;
  }
  s.event('warning', '+selected-slave', slave, '%@');
  slave.flags |= SRI_PROMOTED;
  ri.promotedSlave = slave;
  ri.failoverState = FailoverState.SendSlaveofNoOne;
  ri.failoverStateChangeTime = Date.now();
  s.event('notice', '+failover-state-send-slaveof-noone', slave, '%@');
  sendSlaveOfNoOne(s, ri);
}

function sendSlaveOfNoOne(s: Sentinel, ri: Instance): void {
  const promoted = ri.promotedSlave!;
  if (promoted.link.disconnected) {
    if (Date.now() - ri.failoverStateChangeTime > ri.failoverTimeoutMs) {
      s.event('warning', '-failover-abort-slave-timeout', ri, '%@');
      abortFailover(ri);
    }
    return;
  }
  if (!sendSlaveOf(s, promoted, null)) return;
  s.event('notice', '+failover-state-wait-promotion', promoted, '%@');
  ri.failoverState = FailoverState.WaitPromotion;
  ri.failoverStateChangeTime = Date.now();
  // The promotion shows in the replica's INFO: ask for it now instead of within a second.
  sendCommand(s, promoted, [promoted.mapCommand('INFO')], (reply) => {
    if (reply.type === 'bulk') refreshInstanceInfo(s, promoted, reply.text);
  });
}

function waitPromotion(s: Sentinel, ri: Instance): void {
  if (Date.now() - ri.failoverStateChangeTime > ri.failoverTimeoutMs) {
    s.event('warning', '-failover-abort-slave-timeout', ri, '%@');
    abortFailover(ri);
  }
}

function detectEnd(s: Sentinel, master: Instance): void {
  const elapsed = Date.now() - master.failoverStateChangeTime;
  const promoted = master.promotedSlave;
  if (promoted === null || (promoted.flags & SRI_S_DOWN)) return;
  let notReconfigured = 0;
  let timeout = false;
  for (const slave of master.slaves.values()) {
    if (slave.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) continue;
    if (slave.flags & SRI_S_DOWN) continue;
    notReconfigured++;
  }
  if (elapsed > master.failoverTimeoutMs) {
    notReconfigured = 0;
    timeout = true;
    s.event('warning', '+failover-end-for-timeout', master, '%@');
  }
  if (notReconfigured === 0) {
    s.event('warning', '+failover-end', master, '%@');
    master.failoverState = FailoverState.UpdateConfig;
    master.failoverStateChangeTime = Date.now();
  }
  if (timeout) {
    // Best effort for the replicas still not re-pointed.
    for (const slave of master.slaves.values()) {
      if (slave.flags & (SRI_PROMOTED | SRI_RECONF_DONE | SRI_RECONF_SENT)) continue;
      if (slave.link.disconnected) continue;
      if (sendSlaveOf(s, slave, promoted.addr)) {
        s.event('notice', '+slave-reconf-sent-be', slave, '%@');
        slave.flags |= SRI_RECONF_SENT;
      }
    }
  }
}

/** Re-points up to parallel-syncs replicas at a time to the promoted one. */
function reconfNextSlave(s: Sentinel, master: Instance): void {
  let inProgress = 0;
  for (const slave of master.slaves.values()) if (slave.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) inProgress++;
  for (const slave of master.slaves.values()) {
    if (inProgress >= master.parallelSyncs) break;
    if (slave.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) continue;
    if ((slave.flags & SRI_RECONF_SENT) && Date.now() - slave.slaveReconfSentTime > s.timings.slaveReconfTimeout) {
      s.event('notice', '-slave-reconf-sent-timeout', slave, '%@');
      slave.flags &= ~SRI_RECONF_SENT;
      slave.flags |= SRI_RECONF_DONE;
    }
    if (slave.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) continue;
    if (slave.link.disconnected) continue;
    if (sendSlaveOf(s, slave, master.promotedSlave!.addr)) {
      slave.flags |= SRI_RECONF_SENT;
      slave.slaveReconfSentTime = Date.now();
      s.event('notice', '+slave-reconf-sent', slave, '%@');
      inProgress++;
    }
  }
  detectEnd(s, master);
}

/** +switch-master: the master entry takes the promoted replica's address. */
export function switchToPromotedSlave(s: Sentinel, master: Instance): void {
  const ref = master.promotedSlave ?? master;
  s.event('warning', '+switch-master', master,
    `${master.name} ${s.announceAddr(master.addr)} ${master.addr.port} ${s.announceAddr(ref.addr)} ${ref.addr.port}`);
  s.resetMasterAndChangeAddress(master, ref.addr.hostname, ref.addr.port);
}

export function failoverStateMachine(s: Sentinel, ri: Instance): void {
  if (!(ri.flags & SRI_MASTER) || !(ri.flags & SRI_FAILOVER_IN_PROGRESS)) return;
  switch (ri.failoverState) {
    case FailoverState.WaitStart: waitStart(s, ri); break;
    case FailoverState.SelectSlave: selectSlaveState(s, ri); break;
    case FailoverState.SendSlaveofNoOne: sendSlaveOfNoOne(s, ri); break;
    case FailoverState.WaitPromotion: waitPromotion(s, ri); break;
    case FailoverState.ReconfSlaves: reconfNextSlave(s, ri); break;
    default: break;
  }
}

// The sentinel's command table: the commands Redis 7.0 flags for sentinel mode (PING, AUTH,
// HELLO, CLIENT, COMMAND, SUBSCRIBE & co, SHUTDOWN) from the shared families, the sentinel's
// own INFO, ROLE and PUBLISH (which only takes hello messages), and SENTINEL with its
// subcommands. Handlers reach the sentinel through the closure that builds the table.

import type { CommandContext } from '../commands/context.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import type { CommandFlag, CommandSpec } from '../commands/types.js';
import { replyHelp } from '../commands/help.js';
import { globMatch } from '../util/glob.js';
import type { Instance } from './instance.js';
import { FAILOVER_STATE_NAMES, SRI_FAILOVER_IN_PROGRESS, SRI_FORCE_FAILOVER, SRI_MASTER, SRI_MASTER_DOWN, SRI_MASTER_REBOOT, SRI_O_DOWN, SRI_PROMOTED, SRI_RECONF_DONE, SRI_RECONF_INPROG, SRI_RECONF_SENT, SRI_S_DOWN, SRI_SCRIPT_KILL_SENT, SRI_SENTINEL, SRI_SLAVE, resolveHost } from './instance.js';
import { createInstanceError, isExecutable, yesNo } from './config-file.js';
import { processHelloMessage } from './monitor.js';
import { selectSlave, startFailover, voteLeader } from './failover.js';
import { HELLO_CHANNEL, SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION, type Sentinel, type SentinelTimings } from './sentinel.js';

const ERR_NO_MASTER = 'ERR No such master with that name';
const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';

const SENTINEL_HELP = [
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  "    Check if the master specified by ip:port is down from current Sentinel's",
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  "    Remove master from Sentinel's monitor list.",
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
];

/** SENTINEL DEBUG's parameters: name as shown, option as given, field. */
const DEBUG_PARAMETERS: ReadonlyArray<[string, string, keyof SentinelTimings]> = [
  ['INFO-PERIOD', 'info-period', 'infoPeriod'],
  ['PING-PERIOD', 'ping-period', 'pingPeriod'],
  ['ASK-PERIOD', 'ask-period', 'askPeriod'],
  ['PUBLISH-PERIOD', 'publish-period', 'publishPeriod'],
  ['DEFAULT-DOWN-AFTER', 'default-down-after', 'defaultDownAfter'],
  ['DEFAULT-FAILOVER-TIMEOUT', 'default-failover-timeout', 'defaultFailoverTimeout'],
  ['TILT-TRIGGER', 'tilt-trigger', 'tiltTrigger'],
  ['TILT-PERIOD', 'tilt-period', 'tiltPeriod'],
  ['SLAVE-RECONF-TIMEOUT', 'slave-reconf-timeout', 'slaveReconfTimeout'],
  ['MIN-LINK-RECONNECT-PERIOD', 'min-link-reconnect-period', 'minLinkReconnectPeriod'],
  ['ELECTION-TIMEOUT', 'election-timeout', 'electionTimeout'],
  ['SCRIPT-MAX-RUNTIME', 'script-max-runtime', 'scriptMaxRuntime'],
  ['SCRIPT-RETRY-DELAY', 'script-retry-delay', 'scriptRetryDelay'],
];

/** Redis's string2ll: a canonical signed 64-bit decimal, or null. */
function parseLongLong(text: string): number | null {
  if (!/^(0|-?[1-9]\d{0,18})$/.test(text)) return null;
  const v = BigInt(text);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return Number(v);
}

/** A map reply of field/value pairs (a flat array in RESP2). */
type Fields = Array<[string, string | number]>;

function replyFields(ctx: CommandContext, fields: Fields): void {
  ctx.reply.mapLength(fields.length);
  for (const [k, v] of fields) {
    ctx.reply.bulk(k);
    ctx.reply.bulk(typeof v === 'number' ? String(v) : v);
  }
}

function flagsText(ri: Instance): string {
  const names: string[] = [];
  const f = ri.flags;
  if (f & SRI_S_DOWN) names.push('s_down');
  if (f & SRI_O_DOWN) names.push('o_down');
  if (f & SRI_MASTER) names.push('master');
  if (f & SRI_SLAVE) names.push('slave');
  if (f & SRI_SENTINEL) names.push('sentinel');
  if (ri.link.disconnected) names.push('disconnected');
  if (f & SRI_MASTER_DOWN) names.push('master_down');
  if (f & SRI_FAILOVER_IN_PROGRESS) names.push('failover_in_progress');
  if (f & SRI_PROMOTED) names.push('promoted');
  if (f & SRI_RECONF_SENT) names.push('reconf_sent');
  if (f & SRI_RECONF_INPROG) names.push('reconf_inprog');
  if (f & SRI_RECONF_DONE) names.push('reconf_done');
  if (f & SRI_FORCE_FAILOVER) names.push('force_failover');
  if (f & SRI_SCRIPT_KILL_SENT) names.push('script_kill_sent');
  return names.join(',');
}

/** Redis's addReplySentinelRedisInstance: the fields of SENTINEL MASTER/REPLICAS/SENTINELS. */
function instanceFields(s: Sentinel, ri: Instance): Fields {
  const now = Date.now();
  const fields: Fields = [
    ['name', ri.name],
    ['ip', s.announceAddr(ri.addr)],
    ['port', ri.addr.port],
    ['runid', ri.runid ?? ''],
    ['flags', flagsText(ri)],
    ['link-pending-commands', ri.link.pendingCommands],
    ['link-refcount', ri.link.refcount],
  ];
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) fields.push(['failover-state', FAILOVER_STATE_NAMES[ri.failoverState] ?? 'unknown']);
  fields.push(
    ['last-ping-sent', ri.link.actPingTime ? now - ri.link.actPingTime : 0],
    ['last-ok-ping-reply', now - ri.link.lastAvailTime],
    ['last-ping-reply', now - ri.link.lastPongTime],
  );
  if (ri.flags & SRI_S_DOWN) fields.push(['s-down-time', now - ri.sDownSinceTime]);
  if (ri.flags & SRI_O_DOWN) fields.push(['o-down-time', now - ri.oDownSinceTime]);
  fields.push(['down-after-milliseconds', ri.downAfterPeriodMs]);
  if (ri.flags & (SRI_MASTER | SRI_SLAVE)) {
    fields.push(
      ['info-refresh', ri.infoRefresh ? now - ri.infoRefresh : 0],
      ['role-reported', ri.roleReported === SRI_MASTER ? 'master' : 'slave'],
      ['role-reported-time', now - ri.roleReportedTime],
    );
  }
  if (ri.flags & SRI_MASTER) {
    fields.push(
      ['config-epoch', ri.configEpoch],
      ['num-slaves', ri.slaves.size],
      ['num-other-sentinels', ri.sentinels.size],
      ['quorum', ri.quorum],
      ['failover-timeout', ri.failoverTimeoutMs],
      ['parallel-syncs', ri.parallelSyncs],
    );
    if (ri.notificationScript !== null) fields.push(['notification-script', ri.notificationScript]);
    if (ri.clientReconfigScript !== null) fields.push(['client-reconfig-script', ri.clientReconfigScript]);
  }
  if (ri.flags & SRI_SLAVE) {
    fields.push(
      ['master-link-down-time', ri.masterLinkDownTimeMs],
      ['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err'],
      ['master-host', ri.slaveMasterHost ?? '?'],
      ['master-port', ri.slaveMasterPort],
      ['slave-priority', ri.slavePriority],
      ['slave-repl-offset', ri.slaveReplOffset],
      ['replica-announced', ri.replicaAnnounced],
    );
  }
  if (ri.flags & SRI_SENTINEL) {
    fields.push(
      ['last-hello-message', now - ri.lastHelloTime],
      ['voted-leader', ri.leader ?? '?'],
      ['voted-leader-epoch', ri.leaderEpoch],
    );
  }
  return fields;
}

function replyInstances(ctx: CommandContext, s: Sentinel, instances: ReadonlyMap<string, Instance>): void {
  // Replicas that asked not to be announced are left out.
  const shown = [...instances.values()].filter((ri) => !((ri.flags & SRI_SLAVE) && !ri.replicaAnnounced));
  ctx.reply.arrayLength(shown.length);
  for (const ri of shown) replyFields(ctx, instanceFields(s, ri));
}

function masterOrError(ctx: CommandContext, s: Sentinel, name: string): Instance | null {
  const ri = s.masters.get(name);
  if (ri === undefined) {
    ctx.reply.error(ERR_NO_MASTER);
    return null;
  }
  return ri;
}

function flushConfigAndReply(ctx: CommandContext, s: Sentinel): void {
  if (s.flushConfig()) ctx.reply.ok();
  else ctx.reply.error('ERR Failed to save config file. Check server logs.');
}

/** SENTINEL CKQUORUM's count: usable sentinels (this one included) against quorum and majority. */
function quorumReachable(master: Instance): { usable: number; noQuorum: boolean; noAuth: boolean } {
  let usable = 1;
  const voters = master.sentinels.size + 1;
  for (const ri of master.sentinels.values()) {
    if (ri.flags & (SRI_S_DOWN | SRI_O_DOWN)) continue;
    usable++;
  }
  return { usable, noQuorum: usable < master.quorum, noAuth: usable < Math.floor(voters / 2) + 1 };
}

function sentinelSet(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const ri = masterOrError(ctx, s, argv[2]);
  if (ri === null) return;
  let changes = 0;
  const badFormat = (index: number, option: string): void => {
    ctx.reply.error(`ERR Invalid argument '${argv[index]}' for SENTINEL SET '${option}'`);
    if (changes > 0) s.flushConfig();
  };
  const scriptsDenied = 'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration';
  for (let j = 3; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const option = argv[j];
    const lower = option.toLowerCase();
    const oldJ = j;
    let redacted = false;
    const positive = (allowZero: boolean): number | null => {
      const v = parseLongLong(argv[++j]);
      if (v === null || (allowZero ? v < 0 : v <= 0)) return null;
      return v;
    };
    if (lower === 'down-after-milliseconds' && moreArgs > 0) {
      const v = positive(false);
      if (v === null) return badFormat(j, option);
      ri.downAfterPeriodMs = v;
      s.propagateDownAfterPeriod(ri);
    } else if (lower === 'failover-timeout' && moreArgs > 0) {
      const v = positive(false);
      if (v === null) return badFormat(j, option);
      ri.failoverTimeoutMs = v;
    } else if (lower === 'parallel-syncs' && moreArgs > 0) {
      const v = positive(false);
      if (v === null) return badFormat(j, option);
      ri.parallelSyncs = v;
    } else if ((lower === 'notification-script' || lower === 'client-reconfig-script') && moreArgs > 0) {
      const value = argv[++j];
      if (s.denyScriptsReconfig) {
        ctx.reply.error(scriptsDenied);
        if (changes > 0) s.flushConfig();
        return;
      }
      if (value !== '' && !isExecutable(value)) {
        ctx.reply.error(lower === 'notification-script'
          ? 'ERR Notification script seems non existing or non executable'
          : 'ERR Client reconfiguration script seems non existing or non executable');
        if (changes > 0) s.flushConfig();
        return;
      }
      if (lower === 'notification-script') ri.notificationScript = value === '' ? null : value;
      else ri.clientReconfigScript = value === '' ? null : value;
    } else if (lower === 'auth-pass' && moreArgs > 0) {
      const value = argv[++j];
      ri.authPass = value === '' ? null : value;
      dropInstanceConnections(ri);
      redacted = true;
    } else if (lower === 'auth-user' && moreArgs > 0) {
      const value = argv[++j];
      ri.authUser = value === '' ? null : value;
      dropInstanceConnections(ri);
    } else if (lower === 'quorum' && moreArgs > 0) {
      const v = positive(false);
      if (v === null) return badFormat(j, option);
      ri.quorum = v;
    } else if (lower === 'rename-command' && moreArgs > 1) {
      const oldName = argv[++j];
      const newName = argv[++j];
      if (oldName === '' || newName === '') return badFormat(newName !== '' ? j - 1 : j, option);
      ri.renamedCommands.delete(oldName.toLowerCase());
      if (oldName.toLowerCase() !== newName.toLowerCase()) ri.renamedCommands.set(oldName.toLowerCase(), newName);
    } else if (lower === 'master-reboot-down-after-period' && moreArgs > 0) {
      const v = positive(true);
      if (v === null) return badFormat(j, option);
      ri.masterRebootDownAfterPeriodMs = v;
    } else {
      ctx.reply.error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
      if (changes > 0) s.flushConfig();
      return;
    }
    changes++;
    const numArgs = j - oldJ + 1;
    if (numArgs === 2) s.event('warning', '+set', ri, `%@ ${argv[oldJ]} ${redacted ? '******' : argv[oldJ + 1]}`);
    else if (numArgs === 3) s.event('warning', '+set', ri, `%@ ${argv[oldJ]} ${argv[oldJ + 1]} ${argv[oldJ + 2]}`);
    else s.event('warning', '+set', ri, `%@ ${argv[oldJ]}`);
  }
  if (changes > 0) flushConfigAndReply(ctx, s);
}

function dropInstanceConnections(master: Instance): void {
  master.link.closeCommands();
  master.link.closePubSub();
  for (const slave of master.slaves.values()) {
    slave.link.closeCommands();
    slave.link.closePubSub();
  }
}

function sentinelConfig(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const sub = argv[2].toLowerCase();
  if (sub === 'set' && argv.length === 5) {
    const option = argv[3].toLowerCase();
    const value = argv[4];
    let dropConnections = false;
    const badFormat = (): void => ctx.reply.error(`ERR Invalid value '${value}' to SENTINEL CONFIG SET '${argv[3]}'`);
    if (option === 'resolve-hostnames' || option === 'announce-hostnames') {
      const v = yesNo(value);
      if (v === -1) return badFormat();
      if (option === 'resolve-hostnames') s.resolveHostnames = v === 1;
      else s.announceHostnames = v === 1;
    } else if (option === 'announce-ip') {
      s.announceIp = value;
    } else if (option === 'announce-port') {
      const v = parseLongLong(value);
      if (v === null || v < 0 || v > 65535) return badFormat();
      s.announcePort = v;
    } else if (option === 'sentinel-user') {
      s.sentinelAuthUser = value === '' ? null : value;
      dropConnections = true;
    } else if (option === 'sentinel-pass') {
      s.sentinelAuthPass = value === '' ? null : value;
      dropConnections = true;
    } else {
      ctx.reply.error(`ERR Invalid argument '${argv[3]}' to SENTINEL CONFIG SET`);
      return;
    }
    flushConfigAndReply(ctx, s);
    if (dropConnections) {
      for (const master of s.masters.values()) {
        for (const si of master.sentinels.values()) {
          if (!si.link.disconnected) {
            si.link.closePubSub();
            si.link.closeCommands();
          }
        }
      }
    }
    return;
  }
  if (sub === 'get' && argv.length === 4) {
    const pattern = argv[3];
    const fields: Fields = [];
    const add = (name: string, value: string | number): void => {
      if (globMatch(pattern, name, true)) fields.push([name, value]);
    };
    add('resolve-hostnames', s.resolveHostnames ? 'yes' : 'no');
    add('announce-hostnames', s.announceHostnames ? 'yes' : 'no');
    add('announce-ip', s.announceIp ?? '');
    add('announce-port', s.announcePort);
    add('sentinel-user', s.sentinelAuthUser ?? '');
    add('sentinel-pass', s.sentinelAuthPass ?? '');
    replyFields(ctx, fields);
    return;
  }
  ctx.reply.error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.');
}

function sentinelDebug(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  if (argv.length === 2) {
    replyFields(ctx, DEBUG_PARAMETERS.map(([shown, , field]) => [shown, s.timings[field]]));
    return;
  }
  for (let j = 2; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const option = argv[j];
    const param = DEBUG_PARAMETERS.find(([, name]) => name === option.toLowerCase());
    if (param === undefined || moreArgs <= 0) {
      ctx.reply.error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${option}'`);
      return;
    }
    const v = parseLongLong(argv[++j]);
    if (v === null || v <= 0) {
      ctx.reply.error(`ERR Invalid argument '${argv[j]}' for SENTINEL DEBUG '${option}'`);
      return;
    }
    s.timings[param[2]] = v;
  }
  ctx.reply.ok();
}

function sentinelInfoCache(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const now = Date.now();
  let masters: Instance[] = [...s.masters.values()];
  if (argv.length > 2) {
    const picked = new Map<string, Instance>();
    for (const name of argv.slice(2)) {
      const ri = s.masters.get(name);
      if (ri !== undefined) picked.set(ri.name, ri);
    }
    masters = [...picked.values()];
  }
  const r = ctx.reply;
  r.arrayLength(masters.length * 2);
  for (const ri of masters) {
    r.bulk(ri.name);
    r.arrayLength(ri.slaves.size + 1);
    r.arrayLength(2);
    r.integer(ri.infoRefresh ? now - ri.infoRefresh : 0);
    if (ri.info !== null) r.bulk(ri.info);
    else r.nullBulk();
    for (const sri of ri.slaves.values()) {
      r.arrayLength(2);
      // As Redis: whether there is an age at all is decided by the master's INFO.
      r.integer(ri.infoRefresh ? now - sri.infoRefresh : 0);
      if (sri.info !== null) r.bulk(sri.info);
      else r.nullBulk();
    }
  }
}

function sentinelSimulateFailure(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  s.simfailureFlags = 0;
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j].toLowerCase();
    if (a === 'crash-after-election') {
      s.simfailureFlags |= SIMFAILURE_CRASH_AFTER_ELECTION;
      s.host.log.warning('Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (a === 'crash-after-promotion') {
      s.simfailureFlags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
      s.host.log.warning('Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (a === 'help') {
      ctx.reply.arrayLength(2);
      ctx.reply.bulk('crash-after-election');
      ctx.reply.bulk('crash-after-promotion');
      return;
    } else {
      ctx.reply.error('ERR Unknown failure simulation specified');
      return;
    }
  }
  ctx.reply.ok();
}

function sentinelMonitor(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const quorum = parseLongLong(argv[5]);
  if (quorum === null) return ctx.reply.error('ERR Invalid quorum');
  const port = parseLongLong(argv[4]);
  if (port === null) return ctx.reply.error('ERR Invalid port');
  if (quorum <= 0) return ctx.reply.error('ERR Quorum must be 1 or greater.');
  if (resolveHost(argv[3], s.resolveHostnames) === null) return ctx.reply.error('ERR Invalid IP address or hostname specified');
  const ri = s.createInstance(argv[2], SRI_MASTER, argv[3], port, quorum, null);
  if (typeof ri === 'string') return ctx.reply.error(`ERR ${createInstanceError(ri, SRI_MASTER)}`);
  flushConfigAndReply(ctx, s);
  s.event('warning', '+monitor', ri, `%@ quorum ${ri.quorum}`);
}

function sentinelPendingScripts(ctx: CommandContext, s: Sentinel): void {
  const r = ctx.reply;
  const jobs = s.scripts.jobs;
  r.arrayLength(jobs.length);
  const now = Date.now();
  for (const job of jobs) {
    r.mapLength(5);
    r.bulk('argv');
    r.bulkArray(job.argv);
    r.bulk('flags');
    r.bulk(job.running ? 'running' : 'scheduled');
    r.bulk('pid');
    r.bulk(String(job.pid));
    if (job.running) {
      r.bulk('run-time');
      r.bulk(String(now - job.startTimeMs));
    } else {
      r.bulk('run-delay');
      r.bulk(String(job.startTimeMs ? Math.max(0, job.startTimeMs - now) : 0));
    }
    r.bulk('retry-num');
    r.bulk(String(job.retryNum));
  }
}

function isMasterDownByAddr(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const port = parseLongLong(argv[3]);
  const reqEpoch = port === null ? null : parseLongLong(argv[4]);
  if (port === null || reqEpoch === null) return ctx.reply.error(ERR_NOT_INTEGER);
  const ri = s.findByAddrAndRunId(s.masters, argv[2], port, null);
  const isDown = !s.tilt && ri !== undefined && (ri.flags & SRI_S_DOWN) !== 0 && (ri.flags & SRI_MASTER) !== 0;
  let leader: string | null = null;
  let leaderEpoch = 0;
  if (ri !== undefined && (ri.flags & SRI_MASTER) && argv[5] !== '*') {
    const vote = voteLeader(s, ri, reqEpoch, argv[5]);
    leader = vote.leader;
    leaderEpoch = vote.epoch;
  }
  ctx.reply.arrayLength(3);
  ctx.reply.integer(isDown ? 1 : 0);
  ctx.reply.bulk(leader ?? '*');
  ctx.reply.integer(leaderEpoch);
}

function sentinelReset(ctx: CommandContext, s: Sentinel, pattern: string): void {
  let reset = 0;
  for (const ri of s.masters.values()) {
    if (globMatch(pattern, ri.name)) {
      s.resetMaster(ri, false, true);
      reset++;
    }
  }
  ctx.reply.integer(reset);
}

function sentinelFailover(ctx: CommandContext, s: Sentinel, name: string): void {
  const ri = masterOrError(ctx, s, name);
  if (ri === null) return;
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) return ctx.reply.error('INPROG Failover already in progress');
  if (selectSlave(s, ri) === null) return ctx.reply.error('NOGOODSLAVE No suitable replica to promote');
  s.host.log.warning(`Executing user requested FAILOVER of '${ri.name}'`);
  startFailover(s, ri);
  ri.flags |= SRI_FORCE_FAILOVER;
  ctx.reply.ok();
}

function sentinelCkquorum(ctx: CommandContext, s: Sentinel, name: string): void {
  const ri = masterOrError(ctx, s, name);
  if (ri === null) return;
  const q = quorumReachable(ri);
  if (!q.noQuorum && !q.noAuth) {
    ctx.reply.simple(`OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached`);
    return;
  }
  let e = `NOQUORUM ${q.usable} usable Sentinels. `;
  if (q.noQuorum) e += 'Not enough available Sentinels to reach the specified quorum for this master';
  if (q.noAuth) {
    if (q.noQuorum) e += '. ';
    e += 'Not enough available Sentinels to reach the majority and authorize a failover';
  }
  ctx.reply.error(e);
}

/** INFO in a sentinel: server, clients, cpu and stats as a server has them, and # Sentinel. */
function sentinelInfo(ctx: CommandContext, s: Sentinel, argv: string[]): void {
  const supported = ['server', 'clients', 'cpu', 'stats', 'sentinel'];
  const wanted = new Set<string>();
  let all = false;
  if (argv.length === 1) for (const name of supported) wanted.add(name);
  for (const raw of argv.slice(1)) {
    const name = raw.toLowerCase();
    if (name === 'all' || name === 'everything') all = true;
    else if (name === 'default') for (const d of supported) wanted.add(d);
    else wanted.add(name);
  }
  const generic = supported.filter((n) => n !== 'sentinel' && (all || wanted.has(n)));
  let info = generic.length === 0 ? '' : ctx.server.admin.infoText(generic);
  if (all || wanted.has('sentinel')) {
    if (info !== '') info += '\r\n';
    info += '# Sentinel\r\n'
      + `sentinel_masters:${s.masters.size}\r\n`
      + `sentinel_tilt:${s.tilt ? 1 : 0}\r\n`
      + `sentinel_tilt_since_seconds:${s.tilt ? Math.floor((Date.now() - s.tiltStartTime) / 1000) : -1}\r\n`
      + `sentinel_running_scripts:${s.scripts.runningCount}\r\n`
      + `sentinel_scripts_queue_length:${s.scripts.jobs.length}\r\n`
      + `sentinel_simulate_failure_flags:${s.simfailureFlags}\r\n`;
    let id = 0;
    for (const ri of s.masters.values()) {
      const status = ri.flags & SRI_O_DOWN ? 'odown' : ri.flags & SRI_S_DOWN ? 'sdown' : 'ok';
      info += `master${id++}:name=${ri.name},status=${status},address=${s.announceAddr(ri.addr)}:${ri.addr.port},`
        + `slaves=${ri.slaves.size},sentinels=${ri.sentinels.size + 1}\r\n`;
    }
  }
  ctx.reply.bulk(info);
}

const SENTINEL_FLAGS: readonly CommandFlag[] = ['admin', 'sentinel', 'only_sentinel'];
const SENTINEL_ACL = ['admin', 'slow', 'dangerous'];

function sub(name: string, arity: number, summary: string, handler: (ctx: CommandContext, argv: string[]) => void): CommandSpec {
  return { name, arity, flags: SENTINEL_FLAGS, acl: SENTINEL_ACL, summary, since: '2.8.4', group: 'sentinel', handler };
}

/** The SENTINEL command and the sentinel versions of INFO, ROLE and PUBLISH. */
function sentinelOwnCommands(s: Sentinel): CommandSpec[] {
  return [
    {
      name: 'sentinel', arity: -2, flags: SENTINEL_FLAGS, acl: ['slow'], summary: 'Sentinel commands.',
      since: '2.8.4', group: 'sentinel', complexity: 'Depends on subcommand.',
      subcommands: [
        sub('ckquorum', 3, 'Checks that quorum and majority can be reached for a master.', (ctx, argv) => sentinelCkquorum(ctx, s, argv[2])),
        sub('config', -3, 'Gets or sets global sentinel parameters.', (ctx, argv) => sentinelConfig(ctx, s, argv)),
        sub('debug', -2, 'Lists or changes the sentinel timing parameters.', (ctx, argv) => sentinelDebug(ctx, s, argv)),
        sub('failover', 3, 'Fails a master over without the agreement of other sentinels.', (ctx, argv) => sentinelFailover(ctx, s, argv[2])),
        sub('flushconfig', 2, 'Rewrites the configuration file with the current state.', (ctx) => flushConfigAndReply(ctx, s)),
        sub('get-master-addr-by-name', 3, 'Returns the address of the named master.', (ctx, argv) => {
          const ri = s.masters.get(argv[2]);
          if (ri === undefined) return ctx.reply.nullArray();
          const addr = s.currentMasterAddress(ri);
          ctx.reply.arrayLength(2);
          ctx.reply.bulk(s.announceAddr(addr));
          ctx.reply.bulk(String(addr.port));
        }),
        sub('help', 2, 'Describes the SENTINEL subcommands.', (ctx, argv) => replyHelp(ctx, argv[0], SENTINEL_HELP)),
        sub('info-cache', -3, 'Returns the cached INFO of masters and their replicas.', (ctx, argv) => sentinelInfoCache(ctx, s, argv)),
        sub('is-master-down-by-addr', 6, 'Tells whether a master is down here, and votes.', (ctx, argv) => isMasterDownByAddr(ctx, s, argv)),
        sub('master', 3, 'Shows the state of a master.', (ctx, argv) => {
          const ri = masterOrError(ctx, s, argv[2]);
          if (ri !== null) replyFields(ctx, instanceFields(s, ri));
        }),
        sub('masters', 2, 'Lists the monitored masters.', (ctx) => replyInstances(ctx, s, s.masters)),
        sub('monitor', 6, 'Starts monitoring a master.', (ctx, argv) => sentinelMonitor(ctx, s, argv)),
        sub('myid', 2, 'Returns the sentinel id.', (ctx) => ctx.reply.bulk(s.myid)),
        sub('pending-scripts', 2, 'Lists the scripts waiting or running.', (ctx) => sentinelPendingScripts(ctx, s)),
        sub('remove', 3, 'Stops monitoring a master.', (ctx, argv) => {
          const ri = masterOrError(ctx, s, argv[2]);
          if (ri === null) return;
          s.event('warning', '-monitor', ri, '%@');
          s.masters.delete(argv[2]);
          ri.release();
          flushConfigAndReply(ctx, s);
        }),
        sub('replicas', 3, 'Lists the replicas of a master.', (ctx, argv) => {
          const ri = masterOrError(ctx, s, argv[2]);
          if (ri !== null) replyInstances(ctx, s, ri.slaves);
        }),
        sub('reset', 3, 'Resets the masters whose names match a pattern.', (ctx, argv) => sentinelReset(ctx, s, argv[2])),
        sub('sentinels', 3, 'Lists the other sentinels of a master.', (ctx, argv) => {
          const ri = masterOrError(ctx, s, argv[2]);
          if (ri !== null) replyInstances(ctx, s, ri.sentinels);
        }),
        sub('set', -5, 'Changes the settings of a master.', (ctx, argv) => sentinelSet(ctx, s, argv)),
        sub('simulate-failure', -3, 'Makes the sentinel crash at a failover step.', (ctx, argv) => sentinelSimulateFailure(ctx, s, argv)),
        sub('slaves', 3, 'Lists the replicas of a master.', (ctx, argv) => {
          const ri = masterOrError(ctx, s, argv[2]);
          if (ri !== null) replyInstances(ctx, s, ri.slaves);
        }),
      ],
    },
    {
      name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['slow', 'dangerous'],
      tips: ['nondeterministic_output'],
      summary: 'Reports the sentinel state and statistics, by section.', since: '1.0.0', group: 'server',
      handler: (ctx, argv) => sentinelInfo(ctx, s, argv),
    },
    {
      name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'sentinel'], acl: ['admin', 'fast', 'dangerous'],
      summary: 'Returns "sentinel" and the monitored master names.', since: '2.8.12', group: 'server',
      handler: (ctx) => {
        ctx.reply.arrayLength(2);
        ctx.reply.bulk('sentinel');
        ctx.reply.bulkArray([...s.masters.keys()]);
      },
    },
    {
      name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'], acl: ['pubsub', 'fast'],
      summary: 'Delivers a hello message to the sentinel.', since: '2.0.0', group: 'pubsub',
      handler: (ctx, argv) => {
        if (argv[1] !== HELLO_CHANNEL) return ctx.reply.error('ERR Only HELLO messages are accepted by Sentinel instances.');
        processHelloMessage(s, argv[2]);
        ctx.reply.integer(1);
      },
    },
  ];
}

/** A family's command as a sentinel has it: only if flagged for sentinels, with such subcommands. */
function forSentinel(spec: CommandSpec): CommandSpec | null {
  if (!spec.flags.includes('sentinel')) return null;
  if (spec.subcommands === undefined) return spec;
  return { ...spec, subcommands: spec.subcommands.filter((sc) => sc.flags.includes('sentinel')) };
}

/** The families of the sentinel's table. */
export function sentinelCommandFamilies(s: Sentinel): Array<readonly CommandSpec[]> {
  const own = sentinelOwnCommands(s);
  const ownNames = new Set(own.map((c) => c.name));
  const shared: CommandSpec[] = [];
  for (const family of COMMAND_FAMILIES) {
    for (const spec of family) {
      if (ownNames.has(spec.name)) continue;
      const kept = forSentinel(spec);
      if (kept !== null) shared.push(kept);
    }
  }
  return [shared, own];
}


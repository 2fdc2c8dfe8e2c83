// sentinel.conf's `sentinel ...` lines: read as Redis reads them (global options first, then the
// monitor lines, then the per-master ones, so their order in the file does not matter, with
// Redis's error texts), and written back by CONFIG REWRITE, which is how a sentinel keeps its
// state (id, epochs, known replicas and sentinels) across restarts.

import { accessSync, constants } from 'node:fs';
import { ConfigFileError, type ConfigRewriteLines } from '../config/types.js';
import type { SentinelConfigLine } from '../config/config.js';
import { quoteRepr } from '../util/repr.js';
import { addrOrHostnameEqual, DEFAULT_PARALLEL_SYNCS, SRI_MASTER, SRI_SENTINEL, SRI_SLAVE, type AddrError } from './instance.js';
import type { Sentinel } from './sentinel.js';

/** Options read before the monitor lines (the monitor lines depend on them). */
const PRE_MONITOR_OPTIONS = new Set([
  'announce-ip', 'announce-port', 'deny-scripts-reconfig', 'sentinel-user', 'sentinel-pass', 'current-epoch', 'myid',
  'resolve-hostnames', 'announce-hostnames',
]);

export const RUN_ID_SIZE = 40;

/** Redis's sentinelCheckCreateInstanceErrors. */
export function createInstanceError(error: AddrError, role: number): string {
  switch (error) {
    case 'EBUSY':
      if (role === SRI_MASTER) return 'Duplicate master name.';
      if (role === SRI_SLAVE) return 'Duplicate hostname and port for replica.';
      return 'Duplicate runid for sentinel.';
    case 'ENOENT': return "Can't resolve instance hostname.";
    case 'EINVAL': return 'Invalid port number.';
    default: return 'Unknown Error for creating instances.';
  }
}

/** C's atoi: the leading integer, 0 when none, wrapped to 32 bits as an int would be. */
export function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*[+-]?\d+/.exec(text);
  if (m === null) return 0;
  return Number(BigInt.asIntN(32, BigInt(m[0].trim())));
}

/** strtoull for epochs (no sign handling needed: epochs are written unsigned). */
function strtoull(text: string): number {
  const m = /^\s*\d+/.exec(text);
  return m === null ? 0 : Number(m[0]);
}

/** yes/no -> 1/0, anything else -1 (Redis's yesnotoi). */
export function yesNo(text: string): number {
  const t = text.toLowerCase();
  if (t === 'yes') return 1;
  if (t === 'no') return 0;
  return -1;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // Missing or not executable: the caller reports it with Redis's text.
    return false;
  }
}

/** Redis's sentinelHandleConfiguration: one line's arguments; null or the error text. */
export function handleConfigLine(s: Sentinel, argv: readonly string[]): string | null {
  const option = argv[0].toLowerCase();
  const argc = argv.length;
  const masterNamed = (): ReturnType<Sentinel['masters']['get']> => s.masters.get(argv[1]);
  const NO_MASTER = 'No such master with specified name.';
  if (option === 'monitor' && argc === 5) {
    const quorum = atoi(argv[4]);
    if (quorum <= 0) return 'Quorum must be 1 or greater.';
    const ri = s.createInstance(argv[1], SRI_MASTER, argv[2], atoi(argv[3]), quorum, null);
    if (typeof ri === 'string') return createInstanceError(ri, SRI_MASTER);
  } else if (option === 'down-after-milliseconds' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.downAfterPeriodMs = atoi(argv[2]);
    if (ri.downAfterPeriodMs <= 0) return 'negative or zero time parameter.';
    s.propagateDownAfterPeriod(ri);
  } else if (option === 'failover-timeout' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.failoverTimeoutMs = atoi(argv[2]);
    if (ri.failoverTimeoutMs <= 0) return 'negative or zero time parameter.';
  } else if (option === 'parallel-syncs' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.parallelSyncs = atoi(argv[2]);
  } else if (option === 'notification-script' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    if (!isExecutable(argv[2])) return 'Notification script seems non existing or non executable.';
    ri.notificationScript = argv[2];
  } else if (option === 'client-reconfig-script' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    if (!isExecutable(argv[2])) return 'Client reconfiguration script seems non existing or non executable.';
    ri.clientReconfigScript = argv[2];
  } else if (option === 'auth-pass' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.authPass = argv[2];
  } else if (option === 'auth-user' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.authUser = argv[2];
  } else if (option === 'current-epoch' && argc === 2) {
    const epoch = strtoull(argv[1]);
    if (epoch > s.currentEpoch) s.currentEpoch = epoch;
  } else if (option === 'myid' && argc === 2) {
    if (argv[1].length !== RUN_ID_SIZE) return 'Malformed Sentinel id in myid option.';
    s.myid = argv[1];
  } else if (option === 'config-epoch' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.configEpoch = strtoull(argv[2]);
    if (ri.configEpoch > s.currentEpoch) s.currentEpoch = ri.configEpoch;
  } else if (option === 'leader-epoch' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.leaderEpoch = strtoull(argv[2]);
  } else if ((option === 'known-slave' || option === 'known-replica') && argc === 4) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    const slave = s.createInstance(null, SRI_SLAVE, argv[2], atoi(argv[3]), ri.quorum, ri);
    if (typeof slave === 'string') return createInstanceError(slave, SRI_SLAVE);
  } else if (option === 'known-sentinel' && (argc === 4 || argc === 5)) {
    // The old form without a run id is ignored.
    if (argc === 5) {
      const ri = masterNamed();
      if (!ri) return NO_MASTER;
      const si = s.createInstance(argv[4], SRI_SENTINEL, argv[2], atoi(argv[3]), ri.quorum, ri);
      if (typeof si === 'string') return createInstanceError(si, SRI_SENTINEL);
      si.runid = argv[4];
      s.tryConnectionSharing(si);
    }
  } else if (option === 'rename-command' && argc === 4) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    const from = argv[2].toLowerCase();
    if (ri.renamedCommands.has(from)) return 'Same command renamed multiple times with rename-command.';
    ri.renamedCommands.set(from, argv[3]);
  } else if (option === 'announce-ip' && argc === 2) {
    if (argv[1] !== '') s.announceIp = argv[1];
  } else if (option === 'announce-port' && argc === 2) {
    s.announcePort = atoi(argv[1]);
  } else if (option === 'deny-scripts-reconfig' && argc === 2) {
    const v = yesNo(argv[1]);
    if (v === -1) return 'Please specify yes or no for the deny-scripts-reconfig options.';
    s.denyScriptsReconfig = v === 1;
  } else if (option === 'sentinel-user' && argc === 2) {
    if (argv[1] !== '') s.sentinelAuthUser = argv[1];
  } else if (option === 'sentinel-pass' && argc === 2) {
    if (argv[1] !== '') s.sentinelAuthPass = argv[1];
  } else if (option === 'resolve-hostnames' && argc === 2) {
    const v = yesNo(argv[1]);
    if (v === -1) return 'Please specify yes or no for the resolve-hostnames option.';
    s.resolveHostnames = v === 1;
  } else if (option === 'announce-hostnames' && argc === 2) {
    const v = yesNo(argv[1]);
    if (v === -1) return 'Please specify yes or no for the announce-hostnames option.';
    s.announceHostnames = v === 1;
  } else if (option === 'master-reboot-down-after-period' && argc === 3) {
    const ri = masterNamed();
    if (!ri) return NO_MASTER;
    ri.masterRebootDownAfterPeriodMs = atoi(argv[2]);
    if (ri.masterRebootDownAfterPeriodMs < 0) return 'negative time parameter.';
  } else {
    return 'Unrecognized sentinel configuration statement.';
  }
  return null;
}

/** Reads the collected lines in Redis's three passes; throws ConfigFileError on the first bad one. */
export function loadSentinelConfig(s: Sentinel, lines: readonly SentinelConfigLine[]): void {
  const pre = lines.filter((l) => PRE_MONITOR_OPTIONS.has(l.args[0].toLowerCase()));
  const monitor = lines.filter((l) => l.args[0].toLowerCase() === 'monitor');
  const post = lines.filter((l) => !PRE_MONITOR_OPTIONS.has(l.args[0].toLowerCase()) && l.args[0].toLowerCase() !== 'monitor');
  for (const group of [pre, monitor, post]) {
    for (const line of group) {
      const error = handleConfigLine(s, line.args);
      if (error !== null) throw new ConfigFileError(line.lineNumber, line.lineText, error);
    }
  }
}

/** Redis's rewriteConfigSentinelOption: the sentinel's lines of a CONFIG REWRITE. */
export function rewriteSentinelLines(s: Sentinel, state: ConfigRewriteLines): void {
  state.rewriteLine('sentinel myid', `sentinel myid ${s.myid}`, true);
  state.rewriteLine('sentinel deny-scripts-reconfig', `sentinel deny-scripts-reconfig ${s.denyScriptsReconfig ? 'yes' : 'no'}`, !s.denyScriptsReconfig);
  state.rewriteLine('sentinel resolve-hostnames', `sentinel resolve-hostnames ${s.resolveHostnames ? 'yes' : 'no'}`, s.resolveHostnames);
  state.rewriteLine('sentinel announce-hostnames', `sentinel announce-hostnames ${s.announceHostnames ? 'yes' : 'no'}`, s.announceHostnames);
  for (const master of s.masters.values()) {
    const masterAddr = s.currentMasterAddress(master);
    state.rewriteLine('sentinel monitor', `sentinel monitor ${master.name} ${s.announceAddr(masterAddr)} ${masterAddr.port} ${master.quorum}`, true);
    if (master.downAfterPeriodMs !== s.timings.defaultDownAfter) {
      state.rewriteLine('sentinel down-after-milliseconds', `sentinel down-after-milliseconds ${master.name} ${master.downAfterPeriodMs}`, true);
    }
    if (master.failoverTimeoutMs !== s.timings.defaultFailoverTimeout) {
      state.rewriteLine('sentinel failover-timeout', `sentinel failover-timeout ${master.name} ${master.failoverTimeoutMs}`, true);
    }
    if (master.parallelSyncs !== DEFAULT_PARALLEL_SYNCS) {
      state.rewriteLine('sentinel parallel-syncs', `sentinel parallel-syncs ${master.name} ${master.parallelSyncs}`, true);
    }
    if (master.notificationScript !== null) {
      state.rewriteLine('sentinel notification-script', `sentinel notification-script ${master.name} ${master.notificationScript}`, true);
    }
    if (master.clientReconfigScript !== null) {
      state.rewriteLine('sentinel client-reconfig-script', `sentinel client-reconfig-script ${master.name} ${master.clientReconfigScript}`, true);
    }
    if (master.authPass !== null) state.rewriteLine('sentinel auth-pass', `sentinel auth-pass ${master.name} ${master.authPass}`, true);
    if (master.authUser !== null) state.rewriteLine('sentinel auth-user', `sentinel auth-user ${master.name} ${master.authUser}`, true);
    if (master.masterRebootDownAfterPeriodMs !== 0) {
      state.rewriteLine('sentinel master-reboot-down-after-period',
        `sentinel master-reboot-down-after-period ${master.name} ${master.masterRebootDownAfterPeriodMs}`, true);
    }
    state.rewriteLine('sentinel config-epoch', `sentinel config-epoch ${master.name} ${master.configEpoch}`, true);
    state.rewriteLine('sentinel leader-epoch', `sentinel leader-epoch ${master.name} ${master.leaderEpoch}`, true);
    for (const slave of master.slaves.values()) {
      // The promoted replica (already the current address) is written as the old master's address.
      const slaveAddr = addrOrHostnameEqual(slave.addr, masterAddr) ? master.addr : slave.addr;
      state.rewriteLine('sentinel known-replica', `sentinel known-replica ${master.name} ${s.announceAddr(slaveAddr)} ${slaveAddr.port}`, true);
    }
    for (const ri of master.sentinels.values()) {
      if (ri.runid === null) continue;
      state.rewriteLine('sentinel known-sentinel', `sentinel known-sentinel ${master.name} ${s.announceAddr(ri.addr)} ${ri.addr.port} ${ri.runid}`, true);
    }
    for (const [from, to] of master.renamedCommands) {
      state.rewriteLine('sentinel rename-command', `sentinel rename-command ${master.name} ${from} ${to}`, true);
    }
  }
  state.rewriteLine('sentinel current-epoch', `sentinel current-epoch ${s.currentEpoch}`, true);
  if (s.announceIp !== null) state.rewriteLine('sentinel announce-ip', `sentinel announce-ip ${quoteRepr(s.announceIp)}`, true);
  else state.markProcessed('sentinel announce-ip');
  if (s.announcePort !== 0) state.rewriteLine('sentinel announce-port', `sentinel announce-port ${s.announcePort}`, true);
  else state.markProcessed('sentinel announce-port');
  if (s.sentinelAuthUser !== null) state.rewriteLine('sentinel sentinel-user', `sentinel sentinel-user ${s.sentinelAuthUser}`, true);
  else state.markProcessed('sentinel sentinel-user');
  if (s.sentinelAuthPass !== null) state.rewriteLine('sentinel sentinel-pass', `sentinel sentinel-pass ${s.sentinelAuthPass}`, true);
  else state.markProcessed('sentinel sentinel-pass');
  for (const option of [
    'monitor', 'down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'notification-script',
    'client-reconfig-script', 'auth-pass', 'auth-user', 'config-epoch', 'leader-epoch', 'known-replica',
    'known-sentinel', 'rename-command', 'master-reboot-down-after-period',
  ]) state.markProcessed(`sentinel ${option}`);
}

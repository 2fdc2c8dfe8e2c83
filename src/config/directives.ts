// The directive table: every redis.conf directive Redis 7.0 knows, with its default, range and
// mutability (facts from Redis's config.c). Directives that only tune Redis internals are
// accepted with no effect here; those owned by a later capability carry `reservedFor`.

import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseMemory } from './config.js';
import { keyspaceEventsFromString, keyspaceEventsToString } from './keyspace-events.js';
import type { DirectiveSpec } from './types.js';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const UINT_MAX = 4294967295;
/** LONG_MAX in Redis; kept at JS's exact-integer limit (larger values are never meaningful here). */
const LONG_MAX = Number.MAX_SAFE_INTEGER;

type Parsed = { value: string } | { error: string };

/**
 * The working directory must exist (Redis changes into it and reports chdir's error). A relative
 * path is taken from the current `dir`, as successive chdir calls would: `dir /a` then `dir b`
 * is /a/b.
 */
function parseDir(args: readonly string[], current: string): Parsed {
  if (args.length !== 1) return { error: 'wrong number of arguments' };
  const path = resolvePath(current === '' ? '.' : current, args[0]);
  try {
    if (!statSync(path).isDirectory()) return { error: 'Not a directory' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'EACCES' ? 'Permission denied' : code === 'ENOTDIR' ? 'Not a directory' : 'No such file or directory' };
  }
  return { value: path };
}

/** strtoll() of a whole argument, as Redis's save parsing uses it ('' reads as 0). */
function wholeInteger(text: string): number | null {
  if (text === '') return 0;
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return null;
  return Number(text.trim());
}

/**
 * `save <seconds> <changes> ...`: seconds at least 1, changes at least 0; a single "" is the
 * empty list. Kept as Redis shows it, the numbers re-printed ("+05 1" reads "5 1").
 */
function parseSave(args: readonly string[]): Parsed {
  if (args.length === 1 && args[0] === '') return { value: '' };
  if (args.length % 2 !== 0) return { error: 'Invalid save parameters' };
  const numbers: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const n = wholeInteger(args[i]);
    if (n === null || (i % 2 === 0 && n < 1) || (i % 2 === 1 && n < 0)) return { error: 'Invalid save parameters' };
    numbers.push(n);
  }
  return { value: numbers.join(' ') };
}

const OUTPUT_BUFFER_CLASSES = ['normal', 'slave', 'replica', 'pubsub'];
export const DEFAULT_OUTPUT_BUFFER_LIMITS = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

/** Canonical form: "normal H S T slave H S T pubsub H S T", merged with what is given. */
export interface OutputBufferLimit { hardBytes: number; softBytes: number; softSeconds: number }

export function outputBufferLimitsFromText(text: string): Record<'normal' | 'replica' | 'pubsub', OutputBufferLimit> {
  const parts = text.split(' ');
  const out = {
    normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    replica: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    pubsub: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
  };
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const cls = parts[i] === 'slave' ? 'replica' : parts[i] as 'normal' | 'replica' | 'pubsub';
    out[cls] = { hardBytes: Number(parts[i + 1]), softBytes: Number(parts[i + 2]), softSeconds: Number(parts[i + 3]) };
  }
  return out;
}

/** Merges the classes given into the current limits (CONFIG SET may name only one class). */
function parseOutputBufferLimits(args: readonly string[], current: string): Parsed {
  if (args.length % 4 !== 0 || args.length === 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const base = current === '' ? DEFAULT_OUTPUT_BUFFER_LIMITS : current;
  const limits = outputBufferLimitsFromText(base);
  for (let i = 0; i < args.length; i += 4) {
    const name = args[i].toLowerCase();
    if (!OUTPUT_BUFFER_CLASSES.includes(name)) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = parseMemory(args[i + 1]);
    const soft = parseMemory(args[i + 2]);
    const seconds = /^\d+$/.test(args[i + 3]) ? Number(args[i + 3]) : null;
    if (hard === null || soft === null || seconds === null || hard < 0 || soft < 0) {
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    }
    const cls = name === 'slave' ? 'replica' : name as 'normal' | 'replica' | 'pubsub';
    limits[cls] = { hardBytes: hard, softBytes: soft, softSeconds: seconds };
  }
  return { value: `normal ${fmt(limits.normal)} slave ${fmt(limits.replica)} pubsub ${fmt(limits.pubsub)}` };
}

function fmt(l: OutputBufferLimit): string {
  return `${l.hardBytes} ${l.softBytes} ${l.softSeconds}`;
}

function parseOomScoreAdjValues(args: readonly string[]): Parsed {
  if (args.length !== 3) return { error: 'wrong number of arguments' };
  for (const a of args) {
    if (!/^-?\d+$/.test(a) || Number(a) < -2000 || Number(a) > 2000) {
      return { error: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
    }
  }
  return { value: args.map(Number).join(' ') };
}

function parseNotifyKeyspaceEvents(args: readonly string[]): Parsed {
  if (args.length !== 1) return { error: 'wrong number of arguments' };
  const flags = keyspaceEventsFromString(args[0]);
  if (flags === -1) return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  // Kept as given: Redis keeps the flag bits, and its display form drops classes outside 'A'
  // (such as 'n' next to 'A'), so the display form cannot be the stored one.
  return { value: args[0] };
}

function displayNotifyKeyspaceEvents(value: string): string {
  return keyspaceEventsToString(keyspaceEventsFromString(value));
}

const MAX_BIND_ADDRESSES = 16;

function parseBind(args: readonly string[]): Parsed {
  if (args.length > MAX_BIND_ADDRESSES) return { error: 'Too many bind addresses specified.' };
  if (args.length === 1 && args[0] === '') return { value: '' };
  return { value: args.join(' ') };
}

function parseReplicaOf(args: readonly string[]): Parsed {
  if (args.length === 1 && args[0] === '') return { value: '' };
  if (args.length !== 2) return { error: 'wrong number of arguments' };
  if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return { value: '' };
  if (!/^\d+$/.test(args[1]) || Number(args[1]) > 65535) return { error: 'Invalid master port' };
  return { value: `${args[0]} ${args[1]}` };
}

function parsePercentiles(args: readonly string[]): Parsed {
  if (args.length === 1 && args[0] === '') return { value: '' };
  const out: number[] = [];
  for (const a of args) {
    const v = Number(a);
    if (a === '' || !Number.isFinite(v)) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    if (v < 0 || v > 100) return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
    out.push(v);
  }
  return { value: out.join(' ') };
}

/** Redis keeps hz within CONFIG_MIN_HZ..CONFIG_MAX_HZ whatever is asked. */
function clampHz(hz: number): number {
  return Math.min(500, Math.max(1, hz));
}

export const DIRECTIVES = [
  { name: 'rdbchecksum', kind: 'bool', defaultText: 'yes', mutable: false },
  { name: 'daemonize', kind: 'bool', defaultText: 'no', mutable: false },
  { name: 'io-threads-do-reads', kind: 'bool', defaultText: 'no', mutable: false, debugInfo: true },
  { name: 'always-show-logo', kind: 'bool', defaultText: 'no', mutable: false },
  { name: 'protected-mode', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'rdbcompression', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'rdb-del-sync-files', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'activerehashing', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'set-proc-title', kind: 'bool', defaultText: 'yes', mutable: false },
  { name: 'dynamic-hz', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'lazyfree-lazy-eviction', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'lazyfree-lazy-expire', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'lazyfree-lazy-server-del', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'lazyfree-lazy-user-del', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'lazyfree-lazy-user-flush', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'repl-disable-tcp-nodelay', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'repl-diskless-sync', kind: 'bool', defaultText: 'yes', mutable: true, debugInfo: true },
  { name: 'aof-rewrite-incremental-fsync', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'no-appendfsync-on-rewrite', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'cluster-require-full-coverage', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'rdb-save-incremental-fsync', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'aof-load-truncated', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'aof-use-rdb-preamble', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'aof-timestamp-enabled', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'cluster-replica-no-failover', alias: 'cluster-slave-no-failover', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'replica-lazy-flush', alias: 'slave-lazy-flush', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'replica-serve-stale-data', alias: 'slave-serve-stale-data', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'replica-read-only', alias: 'slave-read-only', kind: 'bool', defaultText: 'yes', mutable: true, debugInfo: true },
  { name: 'replica-ignore-maxmemory', alias: 'slave-ignore-maxmemory', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'jemalloc-bg-thread', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'activedefrag', kind: 'bool', defaultText: 'no', mutable: true, debugInfo: true },
  { name: 'syslog-enabled', kind: 'bool', defaultText: 'no', mutable: false },
  { name: 'cluster-enabled', kind: 'bool', defaultText: 'no', mutable: false },
  { name: 'appendonly', kind: 'bool', defaultText: 'no', mutable: true, denyLoading: true },
  { name: 'cluster-allow-reads-when-down', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'cluster-allow-pubsubshard-when-down', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'crash-log-enabled', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'crash-memcheck-enabled', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'use-exit-on-panic', kind: 'bool', defaultText: 'no', mutable: true, hidden: true },
  { name: 'disable-thp', kind: 'bool', defaultText: 'yes', mutable: false },
  { name: 'cluster-allow-replica-migration', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'replica-announced', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'latency-tracking', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'aof-disable-auto-gc', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'replica-ignore-disk-write-errors', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'aclfile', kind: 'string', defaultText: '', mutable: false },
  { name: 'unixsocket', kind: 'string', defaultText: '', mutable: false },
  { name: 'pidfile', kind: 'string', defaultText: '', mutable: false },
  { name: 'replica-announce-ip', alias: 'slave-announce-ip', kind: 'string', defaultText: '', mutable: true },
  { name: 'masteruser', kind: 'string', defaultText: '', mutable: true, sensitive: true },
  { name: 'cluster-announce-ip', kind: 'string', defaultText: '', mutable: true },
  { name: 'cluster-config-file', kind: 'string', defaultText: 'nodes.conf', mutable: false },
  { name: 'cluster-announce-hostname', kind: 'string', defaultText: '', mutable: true, validate: validAnnouncedHostname },
  { name: 'syslog-ident', kind: 'string', defaultText: 'redis', mutable: false },
  { name: 'dbfilename', kind: 'string', defaultText: 'dump.rdb', mutable: true, protectedConfig: true },
  { name: 'appendfilename', kind: 'string', defaultText: 'appendonly.aof', mutable: false, validate: (v) => validAofName(v, 'appendfilename', 'filename') },
  { name: 'appenddirname', kind: 'string', defaultText: 'appendonlydir', mutable: false, validate: (v) => validAofName(v, 'appenddirname', 'dirname') },
  { name: 'server_cpulist', kind: 'string', defaultText: '', mutable: false },
  { name: 'bio_cpulist', kind: 'string', defaultText: '', mutable: false },
  { name: 'aof_rewrite_cpulist', kind: 'string', defaultText: '', mutable: false },
  { name: 'bgsave_cpulist', kind: 'string', defaultText: '', mutable: false },
  { name: 'ignore-warnings', kind: 'string', defaultText: '', mutable: true },
  { name: 'proc-title-template', kind: 'string', defaultText: '{title} {listen-addr} {server-mode}', mutable: true },
  { name: 'bind-source-addr', kind: 'string', defaultText: '', mutable: true },
  { name: 'logfile', kind: 'string', defaultText: '', mutable: false },
  { name: 'masterauth', kind: 'string', defaultText: '', mutable: true, sensitive: true },
  { name: 'requirepass', kind: 'string', defaultText: '', mutable: true, sensitive: true },
  { name: 'supervised', kind: 'enum', defaultText: 'no', values: ['upstart', 'systemd', 'auto', 'no'], mutable: false },
  { name: 'syslog-facility', kind: 'enum', defaultText: 'local0', values: ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], mutable: false },
  { name: 'repl-diskless-load', kind: 'enum', defaultText: 'disabled', values: ['disabled', 'on-empty-db', 'swapdb'], mutable: true, denyLoading: true, debugInfo: true },
  { name: 'loglevel', kind: 'enum', defaultText: 'notice', values: ['debug', 'verbose', 'notice', 'warning'], mutable: true },
  // Besides what is evicted past maxmemory, the policy picks LRU or LFU access tracking
  // (OBJECT IDLETIME/FREQ, RESTORE IDLETIME/FREQ, RDB records).
  { name: 'maxmemory-policy', kind: 'enum', defaultText: 'noeviction', values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'], mutable: true },
  { name: 'appendfsync', kind: 'enum', defaultText: 'everysec', values: ['everysec', 'always', 'no'], mutable: true },
  { name: 'oom-score-adj', kind: 'enum', defaultText: 'no', values: ['no', 'yes', 'relative', 'absolute'], mutable: true },
  { name: 'acl-pubsub-default', kind: 'enum', defaultText: 'resetchannels', values: ['allchannels', 'resetchannels'], mutable: true },
  { name: 'sanitize-dump-payload', kind: 'enum', defaultText: 'no', values: ['no', 'yes', 'clients'], mutable: true, debugInfo: true },
  { name: 'enable-protected-configs', kind: 'enum', defaultText: 'no', values: ['no', 'yes', 'local'], mutable: false },
  { name: 'enable-debug-command', kind: 'enum', defaultText: 'no', values: ['no', 'yes', 'local'], mutable: false },
  { name: 'enable-module-command', kind: 'enum', defaultText: 'no', values: ['no', 'yes', 'local'], mutable: false },
  { name: 'cluster-preferred-endpoint-type', kind: 'enum', defaultText: 'ip', values: ['ip', 'hostname', 'unknown-endpoint'], mutable: true },
  { name: 'propagation-error-behavior', kind: 'enum', defaultText: 'ignore', values: ['ignore', 'panic', 'panic-on-replicas'], mutable: true },
  { name: 'shutdown-on-sigint', kind: 'enum', defaultText: 'default', values: ['default', 'save', 'nosave', 'now', 'force'], mutable: true, multiArg: true },
  { name: 'shutdown-on-sigterm', kind: 'enum', defaultText: 'default', values: ['default', 'save', 'nosave', 'now', 'force'], mutable: true, multiArg: true },
  { name: 'databases', kind: 'int', defaultText: '16', min: 1, max: INT_MAX, mutable: false },
  { name: 'port', kind: 'int', defaultText: '6379', min: 0, max: 65535, mutable: true },
  { name: 'io-threads', kind: 'int', defaultText: '1', min: 1, max: 128, mutable: false, debugInfo: true },
  { name: 'auto-aof-rewrite-percentage', kind: 'int', defaultText: '100', min: 0, max: INT_MAX, mutable: true },
  { name: 'cluster-replica-validity-factor', alias: 'cluster-slave-validity-factor', kind: 'int', defaultText: '10', min: 0, max: INT_MAX, mutable: true },
  { name: 'list-max-listpack-size', alias: 'list-max-ziplist-size', kind: 'int', defaultText: '-2', min: INT_MIN, max: INT_MAX, mutable: true },
  { name: 'tcp-keepalive', kind: 'int', defaultText: '300', min: 0, max: INT_MAX, mutable: true },
  { name: 'cluster-migration-barrier', kind: 'int', defaultText: '1', min: 0, max: INT_MAX, mutable: true },
  { name: 'active-defrag-cycle-min', kind: 'int', defaultText: '1', min: 1, max: 99, mutable: true },
  { name: 'active-defrag-cycle-max', kind: 'int', defaultText: '25', min: 1, max: 99, mutable: true },
  { name: 'active-defrag-threshold-lower', kind: 'int', defaultText: '10', min: 0, max: 1000, mutable: true },
  { name: 'active-defrag-threshold-upper', kind: 'int', defaultText: '100', min: 0, max: 1000, mutable: true },
  { name: 'lfu-log-factor', kind: 'int', defaultText: '10', min: 0, max: INT_MAX, mutable: true },
  { name: 'lfu-decay-time', kind: 'int', defaultText: '1', min: 0, max: INT_MAX, mutable: true },
  { name: 'replica-priority', alias: 'slave-priority', kind: 'int', defaultText: '100', min: 0, max: INT_MAX, mutable: true },
  { name: 'repl-diskless-sync-delay', kind: 'int', defaultText: '5', min: 0, max: INT_MAX, mutable: true },
  { name: 'maxmemory-samples', kind: 'int', defaultText: '5', min: 1, max: INT_MAX, mutable: true },
  { name: 'maxmemory-eviction-tenacity', kind: 'int', defaultText: '10', min: 0, max: 100, mutable: true },
  { name: 'timeout', kind: 'int', defaultText: '0', min: 0, max: INT_MAX, mutable: true },
  { name: 'replica-announce-port', alias: 'slave-announce-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: true },
  { name: 'tcp-backlog', kind: 'int', defaultText: '511', min: 0, max: INT_MAX, mutable: false },
  { name: 'cluster-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: false },
  { name: 'cluster-announce-bus-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: true },
  { name: 'cluster-announce-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: true },
  { name: 'cluster-announce-tls-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: true },
  { name: 'repl-timeout', kind: 'int', defaultText: '60', min: 1, max: INT_MAX, mutable: true },
  { name: 'repl-ping-replica-period', alias: 'repl-ping-slave-period', kind: 'int', defaultText: '10', min: 1, max: INT_MAX, mutable: true },
  { name: 'list-compress-depth', kind: 'int', defaultText: '0', min: 0, max: INT_MAX, mutable: true, debugInfo: true },
  { name: 'rdb-key-save-delay', kind: 'int', defaultText: '0', min: INT_MIN, max: INT_MAX, mutable: true, hidden: true },
  { name: 'key-load-delay', kind: 'int', defaultText: '0', min: INT_MIN, max: INT_MAX, mutable: true, hidden: true },
  { name: 'active-expire-effort', kind: 'int', defaultText: '1', min: 1, max: 10, mutable: true },
  { name: 'hz', kind: 'int', defaultText: '10', min: 0, max: INT_MAX, mutable: true, normalize: clampHz },
  { name: 'min-replicas-to-write', alias: 'min-slaves-to-write', kind: 'int', defaultText: '0', min: 0, max: INT_MAX, mutable: true },
  { name: 'min-replicas-max-lag', alias: 'min-slaves-max-lag', kind: 'int', defaultText: '10', min: 0, max: INT_MAX, mutable: true },
  { name: 'watchdog-period', kind: 'int', defaultText: '0', min: 0, max: INT_MAX, mutable: true, hidden: true },
  { name: 'shutdown-timeout', kind: 'int', defaultText: '10', min: 0, max: INT_MAX, mutable: true },
  { name: 'repl-diskless-sync-max-replicas', kind: 'int', defaultText: '0', min: 0, max: INT_MAX, mutable: true },
  { name: 'maxclients', kind: 'int', defaultText: '10000', min: 1, max: UINT_MAX, mutable: true },
  { name: 'unixsocketperm', kind: 'int', defaultText: '0', min: 0, max: 511, mutable: false },
  { name: 'socket-mark-id', kind: 'int', defaultText: '0', min: 0, max: UINT_MAX, mutable: false },
  { name: 'active-defrag-max-scan-fields', kind: 'int', defaultText: '1000', min: 1, max: LONG_MAX, mutable: true },
  { name: 'slowlog-max-len', kind: 'int', defaultText: '128', min: 0, max: LONG_MAX, mutable: true },
  { name: 'acllog-max-len', kind: 'int', defaultText: '128', min: 0, max: LONG_MAX, mutable: true },
  { name: 'busy-reply-threshold', alias: 'lua-time-limit', kind: 'int', defaultText: '5000', min: 0, max: LONG_MAX, mutable: true },
  { name: 'cluster-node-timeout', kind: 'int', defaultText: '15000', min: 0, max: LONG_MAX, mutable: true },
  { name: 'slowlog-log-slower-than', kind: 'int', defaultText: '10000', min: -1, max: LONG_MAX, mutable: true },
  { name: 'latency-monitor-threshold', kind: 'int', defaultText: '0', min: 0, max: LONG_MAX, mutable: true },
  { name: 'proto-max-bulk-len', kind: 'memory', defaultText: '536870912', min: 1048576, max: LONG_MAX, mutable: true, debugInfo: true },
  { name: 'stream-node-max-entries', kind: 'int', defaultText: '100', min: 0, max: LONG_MAX, mutable: true },
  { name: 'repl-backlog-size', kind: 'memory', defaultText: '1048576', min: 1, max: LONG_MAX, mutable: true },
  { name: 'maxmemory', kind: 'memory', defaultText: '0', min: 0, max: LONG_MAX, mutable: true },
  { name: 'cluster-link-sendbuf-limit', kind: 'memory', defaultText: '0', min: 0, max: LONG_MAX, mutable: true },
  { name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries', kind: 'int', defaultText: '512', min: 0, max: LONG_MAX, mutable: true },
  { name: 'set-max-intset-entries', kind: 'int', defaultText: '512', min: 0, max: LONG_MAX, mutable: true },
  { name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries', kind: 'int', defaultText: '128', min: 0, max: LONG_MAX, mutable: true },
  { name: 'active-defrag-ignore-bytes', kind: 'memory', defaultText: '104857600', min: 1, max: LONG_MAX, mutable: true },
  { name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value', kind: 'memory', defaultText: '64', min: 0, max: LONG_MAX, mutable: true },
  { name: 'stream-node-max-bytes', kind: 'memory', defaultText: '4096', min: 0, max: LONG_MAX, mutable: true },
  { name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value', kind: 'memory', defaultText: '64', min: 0, max: LONG_MAX, mutable: true },
  { name: 'hll-sparse-max-bytes', kind: 'memory', defaultText: '3000', min: 0, max: LONG_MAX, mutable: true },
  { name: 'tracking-table-max-keys', kind: 'int', defaultText: '1000000', min: 0, max: LONG_MAX, mutable: true },
  { name: 'client-query-buffer-limit', kind: 'memory', defaultText: '1073741824', min: 1048576, max: LONG_MAX, mutable: true, debugInfo: true },
  { name: 'maxmemory-clients', kind: 'memory', defaultText: '0', min: -100, max: LONG_MAX, mutable: true, percent: true },
  { name: 'repl-backlog-ttl', kind: 'int', defaultText: '3600', min: 0, max: LONG_MAX, mutable: true },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', defaultText: '67108864', min: 0, max: LONG_MAX, mutable: true },
  { name: 'loading-process-events-interval-bytes', kind: 'int', defaultText: '2097152', min: 1024, max: INT_MAX, mutable: true, hidden: true },
  { name: 'tls-port', kind: 'int', defaultText: '0', min: 0, max: 65535, mutable: true, reservedFor: 'TLS' },
  { name: 'tls-session-cache-size', kind: 'int', defaultText: '20480', min: 0, max: INT_MAX, mutable: true },
  { name: 'tls-session-cache-timeout', kind: 'int', defaultText: '300', min: 0, max: INT_MAX, mutable: true },
  { name: 'tls-cluster', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'tls-replication', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'tls-auth-clients', kind: 'enum', defaultText: 'yes', values: ['no', 'yes', 'optional'], mutable: true },
  { name: 'tls-prefer-server-ciphers', kind: 'bool', defaultText: 'no', mutable: true },
  { name: 'tls-session-caching', kind: 'bool', defaultText: 'yes', mutable: true },
  { name: 'tls-cert-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-key-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-key-file-pass', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-client-cert-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-client-key-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-client-key-file-pass', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-dh-params-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-ca-cert-file', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-ca-cert-dir', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-protocols', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-ciphers', kind: 'string', defaultText: '', mutable: true },
  { name: 'tls-ciphersuites', kind: 'string', defaultText: '', mutable: true },
  { name: 'dir', kind: 'special', defaultText: '.', mutable: true, protectedConfig: true, denyLoading: true, parse: parseDir },
  { name: 'save', kind: 'special', defaultText: '3600 1 300 100 60 10000', mutable: true, multiArg: true, appendsInFile: true, parse: parseSave },
  { name: 'client-output-buffer-limit', kind: 'special', defaultText: DEFAULT_OUTPUT_BUFFER_LIMITS, mutable: true, multiArg: true, parse: parseOutputBufferLimits },
  { name: 'oom-score-adj-values', kind: 'special', defaultText: '0 200 800', mutable: true, multiArg: true, parse: parseOomScoreAdjValues },
  { name: 'notify-keyspace-events', kind: 'special', defaultText: '""', mutable: true, parse: parseNotifyKeyspaceEvents, display: displayNotifyKeyspaceEvents },
  { name: 'bind', kind: 'special', defaultText: '* -::*', mutable: true, multiArg: true, parse: parseBind },
  { name: 'replicaof', alias: 'slaveof', kind: 'special', defaultText: '""', mutable: false, multiArg: true, parse: parseReplicaOf },
  { name: 'latency-tracking-info-percentiles', kind: 'special', defaultText: '50 99 99.9', mutable: true, multiArg: true, parse: parsePercentiles },
] as const satisfies readonly DirectiveSpec[];

// ---- Names derived from the table ---------------------------------------------------------
// The table is `as const`, so every name, alias, kind and enum word is a literal type: a
// misspelt directive in config.num('...') fails the build, and each accessor only takes the
// names of its kind.

/** One entry of the table, with its literal types. */
export type Directive = (typeof DIRECTIVES)[number];

/** Canonical directive names, as CONFIG GET reports them. */
export type CanonicalDirectiveName = Directive['name'];

/** The older name of a directive, when it has one (slaveof, hash-max-ziplist-entries...). */
type AliasOf<D> = D extends { readonly alias: infer A extends string } ? A : never;

/** Every name get/set accept for a directive: canonical names and aliases. */
export type DirectiveName = CanonicalDirectiveName | AliasOf<Directive>;

/** The entry a name (canonical or alias) stands for. */
export type DirectiveNamed<N extends DirectiveName> = Extract<Directive, { readonly name: N } | { readonly alias: N }>;

/** Names (and aliases) of the directives of the given kinds. */
type NamesOfKind<K extends Directive['kind']> = Directive extends infer D
  ? D extends { readonly kind: K; readonly name: infer N extends string } ? N | AliasOf<D> : never
  : never;

/** Directives kept as numbers: 'int' and 'memory' (bytes) kinds. */
export type NumericDirectiveName = NamesOfKind<'int' | 'memory'>;
/** Directives kept as booleans (yes/no). */
export type BoolDirectiveName = NamesOfKind<'bool'>;
/** Directives kept as text: strings, enums and the special multi-argument ones. */
export type TextDirectiveName = NamesOfKind<'string' | 'enum' | 'special'>;
/** Single- or multi-word enums. */
export type EnumDirectiveName = NamesOfKind<'enum'>;

/** The words an enum directive accepts, e.g. EnumWord<'loglevel'> = 'debug' | ... | 'warning'. */
export type EnumWord<N extends EnumDirectiveName> = DirectiveNamed<N> extends { readonly values: readonly (infer W extends string)[] } ? W : never;

/** isValidAOFfilename / isValidAOFdirname: a name inside dir, never a path. */
/** Redis's isValidAnnouncedHostname: the hostname travels in bus messages and CLUSTER replies. */
function validAnnouncedHostname(value: string): string | null {
  if (value.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(value)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
}

function validAofName(value: string, directive: string, what: string): string | null {
  if (value === '') return `${directive} can't be empty`;
  if (value.includes('/') || value.includes('\\')) return `${directive} can't be a path, just a ${what}`;
  return null;
}

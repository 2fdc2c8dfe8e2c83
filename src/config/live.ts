// Live settings: directives read on the hot path, kept as plain typed fields of one object
// (`config.live`) so that a read is a property load, not a map lookup plus a type assertion.
//
// LIVE_FIELDS below is the whole mechanism's input: which directive feeds which field, under
// which name (units in names), converted how. Config refreshes a field whenever its directive's
// value is stored (config file, flags, CONFIG SET, a CONFIG SET rolled back), so the fields can
// never disagree with config.get(). Add a line here to add a field; nothing else changes.

import { keyspaceEventsFromString } from './keyspace-events.js';
import type {
  BoolDirectiveName, DirectiveName, EnumDirectiveName, EnumWord, NumericDirectiveName, TextDirectiveName,
} from './directives.js';
import type { ConfigValue } from './types.js';

/** How one live field is computed from its directive's stored value. */
export interface LiveFieldSpec<T> {
  readonly directive: DirectiveName;
  readonly fromValue: (value: ConfigValue) => T;
}

// The stored value's type follows the directive's kind (the accessors below only accept names of
// the matching kind), so a mismatch here is a broken invariant, not bad input.
function expectType<T extends ConfigValue>(directive: string, value: ConfigValue, type: 'number' | 'boolean' | 'string'): T {
  if (typeof value !== type) throw new Error(`live field of ${directive}: expected a ${type}, got ${typeof value}`);
  return value as T;
}

/** A number as stored (bytes for 'memory' directives; the field's name carries the unit). */
function numberField(directive: NumericDirectiveName): LiveFieldSpec<number> {
  return { directive, fromValue: (v) => expectType<number>(directive, v, 'number') };
}

function boolField(directive: BoolDirectiveName): LiveFieldSpec<boolean> {
  return { directive, fromValue: (v) => expectType<boolean>(directive, v, 'boolean') };
}

function textField(directive: TextDirectiveName): LiveFieldSpec<string> {
  return { directive, fromValue: (v) => expectType<string>(directive, v, 'string') };
}

/** A single-word enum, typed as the union of its words. */
function enumField<N extends EnumDirectiveName>(directive: N): LiveFieldSpec<EnumWord<N>> {
  // The enum parser only stores words of the table, so the string is one of EnumWord<N>.
  return { directive, fromValue: (v) => expectType<string>(directive, v, 'string') as EnumWord<N> };
}

/** A text directive parsed once per change into what the hot path needs (flag bits...). */
function derivedField<T>(directive: TextDirectiveName, derive: (text: string) => T): LiveFieldSpec<T> {
  return { directive, fromValue: (v) => derive(expectType<string>(directive, v, 'string')) };
}

/** Which directives have a live field, and under which name and unit. */
export const LIVE_FIELDS = {
  /** proto-max-bulk-len: the longest bulk string a client may send. */
  protoMaxBulkLenBytes: numberField('proto-max-bulk-len'),
  /** client-query-buffer-limit: a client's unparsed input beyond this closes it. */
  clientQueryBufferLimitBytes: numberField('client-query-buffer-limit'),
  /** slowlog-log-slower-than: commands at least this slow are logged; negative disables. */
  slowlogLogSlowerThanMicros: numberField('slowlog-log-slower-than'),
  /** slowlog-max-len: entries kept. */
  slowlogMaxLen: numberField('slowlog-max-len'),
  /** latency-monitor-threshold: events at least this slow are sampled; 0 disables. */
  latencyMonitorThresholdMs: numberField('latency-monitor-threshold'),
  /** latency-tracking: per-command latency histograms. */
  latencyTracking: boolField('latency-tracking'),
  /** maxclients: connections accepted at most. */
  maxclients: numberField('maxclients'),
  /** notify-keyspace-events as NOTIFY_* flag bits (config/keyspace-events.ts); 0 is off. */
  notifyKeyspaceEvents: derivedField('notify-keyspace-events', keyspaceEventsFromString),
  /** timeout: idle clients are closed after this; 0 never. */
  timeoutSec: numberField('timeout'),
  /** tcp-keepalive: interval of TCP keepalive probes; 0 disables. */
  tcpKeepaliveSec: numberField('tcp-keepalive'),
  /** hz: cron frequency, already clamped to 1..500. */
  hz: numberField('hz'),
  /** requirepass: the default user's password; '' means none. */
  requirepass: textField('requirepass'),
  /** protected-mode: without a password, only loopback clients are served. */
  protectedMode: boolField('protected-mode'),
  /** enable-debug-command: who may run DEBUG. */
  enableDebugCommand: enumField('enable-debug-command'),
  /** enable-protected-configs: who may CONFIG SET protected directives. */
  enableProtectedConfigs: enumField('enable-protected-configs'),
  /** hash-max-listpack-entries: a hash with more fields is converted to a hashtable. */
  hashMaxListpackEntries: numberField('hash-max-listpack-entries'),
  /** hash-max-listpack-value: a hash with a longer field or value is converted. */
  hashMaxListpackValueBytes: numberField('hash-max-listpack-value'),
  /** zset-max-listpack-entries: a sorted set with more members is converted to a skiplist. */
  zsetMaxListpackEntries: numberField('zset-max-listpack-entries'),
  /** zset-max-listpack-value: a sorted set with a longer member is converted. */
  zsetMaxListpackValueBytes: numberField('zset-max-listpack-value'),
  /** set-max-intset-entries: an integer set with more members is converted to a hashtable. */
  setMaxIntsetEntries: numberField('set-max-intset-entries'),
  /** list-max-listpack-size: a new list's node size (entries when positive, a size class when negative). */
  listMaxListpackSize: numberField('list-max-listpack-size'),
  /** list-compress-depth: a new list's uncompressed nodes at each end; 0 compresses none. */
  listCompressDepth: numberField('list-compress-depth'),
  /** hll-sparse-max-bytes: a sparse HyperLogLog larger than this turns dense. */
  hllSparseMaxBytes: numberField('hll-sparse-max-bytes'),
  /** lazyfree-lazy-expire: expired keys are freed in the background (reported as UNLINK). */
  lazyfreeLazyExpire: boolField('lazyfree-lazy-expire'),
  /** lazyfree-lazy-user-del: DEL behaves as UNLINK. */
  lazyfreeLazyUserDel: boolField('lazyfree-lazy-user-del'),
  /** stream-node-max-bytes: a stream node whose listpack would reach this opens a new one; 0 = 1 GiB. */
  streamNodeMaxBytes: numberField('stream-node-max-bytes'),
  /** stream-node-max-entries: a stream node with this many entries opens a new one; 0 = no limit. */
  streamNodeMaxEntries: numberField('stream-node-max-entries'),
  /** loglevel: the least severe level written. */
  loglevel: enumField('loglevel'),
  /** maxmemory: used_memory above this evicts keys or refuses writes; 0 is no limit. */
  maxmemoryBytes: numberField('maxmemory'),
  /** maxmemory-policy: what is evicted past maxmemory. */
  maxmemoryPolicy: enumField('maxmemory-policy'),
  /** maxmemory-samples: keys sampled per database for each eviction pick. */
  maxmemorySamples: numberField('maxmemory-samples'),
  /** maxmemory-eviction-tenacity: how long one eviction cycle may run (0..100). */
  maxmemoryEvictionTenacity: numberField('maxmemory-eviction-tenacity'),
  /** maxmemory-clients: clients' memory limit in bytes, or (negative) percent of maxmemory; 0 is off. */
  maxmemoryClients: numberField('maxmemory-clients'),
  /** lazyfree-lazy-eviction: evicted keys are freed in the background (propagated as UNLINK). */
  lazyfreeLazyEviction: boolField('lazyfree-lazy-eviction'),
  /** replica-ignore-maxmemory: a replica does not evict (its primary's DELs free memory). */
  replicaIgnoreMaxmemory: boolField('replica-ignore-maxmemory'),
} as const satisfies Record<string, LiveFieldSpec<unknown>>;

export type LiveFieldName = keyof typeof LIVE_FIELDS;

/** The live settings object: one typed field per LIVE_FIELDS entry. */
export type LiveSettings = {
  [K in LiveFieldName]: (typeof LIVE_FIELDS)[K] extends LiveFieldSpec<infer T> ? T : never;
};

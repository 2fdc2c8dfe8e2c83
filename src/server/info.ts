// INFO: Redis 7.0's sections and field names, in Redis's order, assembled from the server's live
// state. Fields for machinery Cinnabar does not have (replicas, defrag, io-threads)
// report the values Redis reports when that machinery is idle.

import { arch, release, totalmem, type as osType } from 'node:os';
import type { Command } from '../commands/types.js';
import { allCommands } from '../commands/registry.js';
import { histogramPercentilesNs } from '../util/latency-histogram.js';
import { bytesToHuman } from '../util/memory.js';
import { EXPIRE_ENTRY_BYTES, MAP_ENTRY_BYTES } from '../store/memory-estimate.js';
import type { Server } from './server.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';

type Field = [string, string | number];
type SectionBuilder = (server: Server) => Field[];

/** What INFO with no argument (or "default") shows, in order. */
/** The machine's RAM, read once as Redis reads it at start-up (zmalloc_get_memory_size). */
const SYSTEM_MEMORY_BYTES = totalmem();

const DEFAULT_SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list',
  'errorstats', 'cluster', 'keyspace',
];

/** Every section "all" shows, in output order; "everything" adds nothing more here (no modules). */
const ALL_SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace',
];

function percent(value: number): string {
  return `${value.toFixed(2)}%`;
}

/** INFO field values are sanitized the way Redis's getSafeInfoString does (#, :, CR, LF -> _). */
function safeInfo(text: string): string {
  return text.replace(/[#:\r\n]/g, '_');
}

function serverSection(s: Server): Field[] {
  const nowUs = BigInt(Date.now()) * 1000n;
  const uptimeSec = Math.floor((Date.now() - s.startTimeMs) / 1000);
  const hz = s.config.num('hz');
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', s.cluster !== null ? 'cluster' : s.config.sentinelMode ? 'sentinel' : 'standalone'],
    ['os', `${osType()} ${release()} ${machineName()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'libuv'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', s.runId],
    ['tcp_port', s.port],
    ['server_time_usec', nowUs.toString()],
    ['uptime_in_seconds', uptimeSec],
    ['uptime_in_days', Math.floor(uptimeSec / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
    ['executable', process.argv[1] ?? process.execPath],
    ['config_file', s.config.configFile ?? ''],
    ['io_threads_active', 0],
    // Only while a shutdown waits for lagging replicas (Redis's isShutdownInitiated).
    ...(s.shutdownRemainingMs === null ? [] : [['shutdown_in_milliseconds', s.shutdownRemainingMs] as Field]),
    ['cinnabar_version', CINNABAR_VERSION],
  ];
}

function machineName(): string {
  const a = arch();
  return a === 'x64' ? 'x86_64' : a === 'arm64' ? 'aarch64' : a;
}

function clientsSection(s: Server): Field[] {
  let maxInput = 0;
  let maxOutput = 0;
  let replicas = 0;
  for (const c of s.clients.all()) {
    if (c.queryBufferBytes > maxInput) maxInput = c.queryBufferBytes;
    if (c.outputBufferBytes > maxOutput) maxOutput = c.outputBufferBytes;
    if (c.isReplica) replicas++;
  }
  return [
    // Replicas are not counted among the clients (Redis: clients less server.slaves).
    ['connected_clients', s.clients.size - replicas],
    ['cluster_connections', s.cluster?.connectionCount() ?? 0],
    ['maxclients', s.config.num('maxclients')],
    ['client_recent_max_input_buffer', maxInput],
    ['client_recent_max_output_buffer', maxOutput],
    ['blocked_clients', s.blockedClientCount],
    ['tracking_clients', s.tracking.clientCount],
    ['clients_in_timeout_table', s.blocking.timedCount],
  ];
}

function memorySection(s: Server): Field[] {
  // Figures the cron read (Redis's cron_malloc_stats): /proc costs ~15 us a read, and test
  // suites and monitors poll INFO constantly.
  const usage = s.memoryGuard.processFigures;
  s.usedMemory.sample();
  const used = s.usedMemory.totalBytes();
  const peak = s.notePeakMemory(used);
  const replicationMemory = s.replication.primary.memoryFigures();
  const startup = s.startupMemoryBytes;
  const rss = usage.rssBytes;
  const total = SYSTEM_MEMORY_BYTES;
  // Redis's overhead: the baseline, client buffers, script caches and the key tables' entries.
  const overhead = Math.min(used, startup + s.usedMemory.normalClientsBytes + s.usedMemory.replicaClientsBytes + s.usedMemory.scriptCachesBytes + keyTablesBytes(s));
  const dataset = used - overhead;
  const netUsed = used - startup;
  const fragmentation = used > 0 ? rss / used : 0;
  const scripting = s.scripting;
  const functions = s.keyspace.functions;
  let functionBytes = 0;
  for (const library of functions.libraries.values()) functionBytes += library.code.length;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', percent(peak > 0 ? (used * 100) / peak : 0)],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', percent(netUsed > 0 ? (dataset * 100) / netUsed : 0)],
    ['allocator_allocated', usage.heapUsedBytes],
    ['allocator_active', usage.heapTotalBytes],
    ['allocator_resident', rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    // The interpreters' own memory is part of the V8 heap (used_memory) and not measured apart.
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', bytesToHuman(0)],
    ['used_memory_scripts_eval', scripting.cachedScriptBytes],
    ['number_of_cached_scripts', scripting.cachedScriptCount],
    ['number_of_functions', functions.functionCount],
    ['number_of_libraries', functions.libraries.size],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', bytesToHuman(0)],
    ['used_memory_functions', functionBytes],
    ['used_memory_scripts', scripting.cachedScriptBytes + functionBytes],
    ['used_memory_scripts_human', bytesToHuman(scripting.cachedScriptBytes + functionBytes)],
    ['maxmemory', s.config.num('maxmemory')],
    ['maxmemory_human', bytesToHuman(s.config.num('maxmemory'))],
    ['maxmemory_policy', s.config.str('maxmemory-policy')],
    ['allocator_frag_ratio', (usage.heapUsedBytes > 0 ? usage.heapTotalBytes / usage.heapUsedBytes : 0).toFixed(2)],
    ['allocator_frag_bytes', Math.max(0, usage.heapTotalBytes - usage.heapUsedBytes)],
    ['allocator_rss_ratio', (usage.heapTotalBytes > 0 ? rss / usage.heapTotalBytes : 0).toFixed(2)],
    ['allocator_rss_bytes', rss - usage.heapTotalBytes],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', fragmentation.toFixed(2)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', s.usedMemory.replicaClientsBytes],
    ['mem_replication_backlog', replicationMemory.backlogBytes],
    ['mem_total_replication_buffers', replicationMemory.totalBytes],
    ['mem_clients_slaves', replicationMemory.replicasBytes],
    ['mem_clients_normal', s.usedMemory.normalClientsBytes],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', s.aof.bufferBytes],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', s.stats.lazyfreedObjects],
  ];
}

/** The main and expires tables' entries of every db (Redis's overhead.hashtable.*). */
function keyTablesBytes(s: Server): number {
  let bytes = 0;
  for (const db of s.keyspace.dbs) bytes += db.size * MAP_ENTRY_BYTES + db.expiresCount * EXPIRE_ENTRY_BYTES;
  return bytes;
}

function persistenceSection(s: Server): Field[] {
  const p = s.persistence;
  const current = p.currentSave;
  const nowMs = Date.now();
  return [
    ['loading', s.persistence.loading === null || s.persistence.loading.async === true ? 0 : 1],
    ['async_loading', s.persistence.loading?.async === true ? 1 : 0],
    ['current_cow_peak', current === null ? 0 : current.keptBytes],
    ['current_cow_size', current === null ? 0 : current.keptBytes],
    ['current_cow_size_age', 0],
    ['current_fork_perc', current === null || current.keysTotal === 0 ? '0.00' : (current.keysProcessed * 100 / current.keysTotal).toFixed(2)],
    ['current_save_keys_processed', current === null ? 0 : current.keysProcessed],
    ['current_save_keys_total', current === null ? 0 : current.keysTotal],
    ['rdb_changes_since_last_save', s.dirty],
    ['rdb_bgsave_in_progress', p.bgsaveInProgress ? 1 : 0],
    ['rdb_last_save_time', p.lastSaveTimeSec],
    ['rdb_last_bgsave_status', p.lastSaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', p.lastBgsaveDurationSec],
    ['rdb_current_bgsave_time_sec', current === null ? -1 : Math.floor((nowMs - current.startedAtMs) / 1000)],
    ['rdb_saves', p.saves],
    ['rdb_last_cow_size', p.lastCowBytes],
    ['rdb_last_load_keys_expired', p.rdbLastLoadKeysExpired],
    ['rdb_last_load_keys_loaded', p.rdbLastLoadKeysLoaded],
    ...s.aof.infoFields(),
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...s.aof.infoEnabledFields(),
    ...loadingFields(s),
  ];
}

/** The fields Redis adds while it loads the dataset. */
function loadingFields(s: Server): Field[] {
  const state = s.persistence.loading;
  if (state === null) return [];
  const elapsedSec = Math.max(0, Math.floor(Date.now() / 1000) - state.startSec);
  const ratio = state.totalBytes === 0 ? 0 : state.loadedBytes / state.totalBytes;
  const etaSec = state.loadedBytes === 0 ? 1 : Math.round(elapsedSec * (state.totalBytes - state.loadedBytes) / state.loadedBytes);
  return [
    ['loading_start_time', state.startSec],
    ['loading_total_bytes', state.totalBytes],
    ['loading_rdb_used_mem', state.rdbUsedMemBytes],
    ['loading_loaded_bytes', state.loadedBytes],
    ['loading_loaded_perc', (ratio * 100).toFixed(2)],
    ['loading_eta_seconds', etaSec],
  ];
}

function statsSection(s: Server): Field[] {
  const st = s.stats;
  const ks = s.keyspace.stats;
  const rates = s.instantaneousRates();
  let shardChannels = 0;
  for (const _ of s.pubsub.shardChannelNames()) shardChannels++;
  let channels = 0;
  for (const _ of s.pubsub.channelNames()) channels++;
  return [
    ['total_connections_received', st.totalConnectionsReceived],
    ['total_commands_processed', st.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', s.instantaneousOpsPerSec],
    ['total_net_input_bytes', st.totalNetInputBytes],
    ['total_net_output_bytes', st.totalNetOutputBytes],
    ['total_net_repl_input_bytes', st.totalNetReplInputBytes],
    ['total_net_repl_output_bytes', st.totalNetReplOutputBytes],
    ['instantaneous_input_kbps', (rates.inputBytesPerSec / 1024).toFixed(2)],
    ['instantaneous_output_kbps', (rates.outputBytesPerSec / 1024).toFixed(2)],
    ['instantaneous_input_repl_kbps', (rates.replInputBytesPerSec / 1024).toFixed(2)],
    ['instantaneous_output_repl_kbps', (rates.replOutputBytesPerSec / 1024).toFixed(2)],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', s.replication.primary.syncFull],
    ['sync_partial_ok', s.replication.primary.syncPartialOk],
    ['sync_partial_err', s.replication.primary.syncPartialErr],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', ks.expiredStalePercent.toFixed(2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.floor(s.expireCycleMicros / 1000)],
    ['evicted_keys', s.evictor.stats.evictedKeys],
    ['evicted_clients', s.clientEviction.evictedClients],
    ['total_eviction_exceeded_time', Math.floor(s.evictor.stats.exceededTotalMs + s.evictor.currentExceededMs())],
    ['current_eviction_exceeded_time', Math.floor(s.evictor.currentExceededMs())],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', channels],
    ['pubsub_patterns', s.pubsub.patternCount()],
    ['pubsubshard_channels', shardChannels],
    ['latest_fork_usec', s.persistence.forkStats.latestForkMicros],
    ['total_forks', s.persistence.forkStats.totalForks],
    ['migrate_cached_sockets', s.migrate.size],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', s.tracking.totalKeys],
    ['tracking_total_items', s.tracking.totalItems],
    ['tracking_total_prefixes', s.tracking.totalPrefixes],
    ['unexpected_error_replies', st.unexpectedErrorReplies],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', s.stats.totalReadsProcessed],
    ['total_writes_processed', s.stats.totalWritesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function replicationSection(s: Server): Field[] {
  return s.replication.info();
}

function seconds(micros: number): string {
  return (micros / 1e6).toFixed(6);
}

function cpuSection(): Field[] {
  const usage = process.resourceUsage();
  return [
    ['used_cpu_sys', seconds(usage.systemCPUTime)],
    ['used_cpu_user', seconds(usage.userCPUTime)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', seconds(usage.systemCPUTime)],
    ['used_cpu_user_main_thread', seconds(usage.userCPUTime)],
  ];
}

function commandStatsSection(s: Server): Field[] {
  const out: Field[] = [];
  for (const command of allCommands(s.commands)) {
    const st = command.stats;
    if (st.calls === 0 && st.failedCalls === 0 && st.rejectedCalls === 0) continue;
    const perCall = st.calls === 0 ? 0 : st.microseconds / st.calls;
    out.push([`cmdstat_${safeInfo(command.fullName)}`,
      `calls=${st.calls},usec=${st.microseconds},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`]);
  }
  return out;
}

function errorStatsSection(s: Server): Field[] {
  // Redis keeps error codes in a radix tree: listed in byte order.
  const codes = [...s.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return codes.map((code) => [`errorstat_${safeInfo(code)}`, `count=${s.stats.errorCounts.get(code) ?? 0}`]);
}

/** "%f" then trailing zeros trimmed, as Redis prints percentile names (50, 99.9). */
function percentileName(p: number): string {
  return String(Number(p.toFixed(6)));
}

export function latencyPercentilesLine(command: Command, percentiles: readonly number[]): string | null {
  const histogram = command.stats.latencyHistogram;
  if (histogram === null) return null;
  const valuesNs = histogramPercentilesNs(histogram, percentiles);
  return percentiles.map((p, i) => `p${percentileName(p)}=${(valuesNs[i] / 1000).toFixed(3)}`).join(',');
}

function latencyStatsSection(s: Server): Field[] {
  if (!s.config.bool('latency-tracking')) return [];
  const text = s.config.str('latency-tracking-info-percentiles');
  const percentiles = text === '' ? [] : text.split(' ').map(Number);
  const out: Field[] = [];
  for (const command of allCommands(s.commands)) {
    const line = latencyPercentilesLine(command, percentiles);
    if (line !== null) out.push([`latency_percentiles_usec_${safeInfo(command.fullName)}`, line]);
  }
  return out;
}

/** Average TTL of volatile keys, estimated from a bounded sample as Redis estimates it. */
function averageTtlMs(s: Server, dbIndex: number): number {
  const db = s.keyspace.dbs[dbIndex];
  if (db.expiresCount === 0) return 0;
  const now = Date.now();
  let sum = 0;
  let samples = 0;
  let scanned = 0;
  for (const key of db.keys()) {
    if (++scanned > 100_000 || samples >= 1000) break;
    const deadline = db.getExpire(key);
    if (deadline === undefined) continue;
    sum += Math.max(0, deadline - now);
    samples++;
  }
  return samples === 0 ? 0 : Math.floor(sum / samples);
}

function keyspaceSection(s: Server): Field[] {
  const out: Field[] = [];
  for (const db of s.keyspace.dbs) {
    if (db.size === 0 && db.expiresCount === 0) continue;
    out.push([`db${db.id}`, `keys=${db.size},expires=${db.expiresCount},avg_ttl=${averageTtlMs(s, db.id)}`]);
  }
  return out;
}

const SECTIONS: Record<string, { title: string; build: SectionBuilder }> = {
  server: { title: 'Server', build: serverSection },
  clients: { title: 'Clients', build: clientsSection },
  memory: { title: 'Memory', build: memorySection },
  persistence: { title: 'Persistence', build: persistenceSection },
  stats: { title: 'Stats', build: statsSection },
  replication: { title: 'Replication', build: replicationSection },
  cpu: { title: 'CPU', build: cpuSection },
  modules: { title: 'Modules', build: () => [] },
  commandstats: { title: 'Commandstats', build: commandStatsSection },
  errorstats: { title: 'Errorstats', build: errorStatsSection },
  latencystats: { title: 'Latencystats', build: latencyStatsSection },
  cluster: { title: 'Cluster', build: (s) => [['cluster_enabled', s.cluster !== null ? 1 : 0]] },
  keyspace: { title: 'Keyspace', build: keyspaceSection },
};

/**
 * INFO's text for its arguments (any case): none or "default" for the default sections, "all"
 * and "everything" for every section, or section names; unknown names are ignored.
 */
export function buildInfo(server: Server, requested: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  if (requested.length === 0) {
    for (const name of DEFAULT_SECTIONS) wanted.add(name);
  }
  for (const raw of requested) {
    const name = raw.toLowerCase();
    if (name === 'default') for (const d of DEFAULT_SECTIONS) wanted.add(d);
    else if (name === 'all' || name === 'everything') all = true;
    else wanted.add(name);
  }
  const parts: string[] = [];
  for (const name of ALL_SECTIONS) {
    const selected = all || wanted.has(name) || (name === 'modules' && wanted.has('module_list'));
    if (!selected) continue;
    const section = SECTIONS[name];
    let text = `# ${section.title}\r\n`;
    for (const [k, v] of section.build(server)) text += `${k}:${v}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}

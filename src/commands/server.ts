// Server administration: CONFIG, INFO, TIME, LASTSAVE, SHUTDOWN, MEMORY, SLOWLOG,
// LATENCY and MONITOR.

import { performance } from 'node:perf_hooks';
import { rewriteConfigFile } from '../config/rewrite.js';
import { allCommands, lookupCommandByFullName } from './registry.js';
import { histogramCdf, histogramTotal } from '../util/latency-histogram.js';
import { EXPIRE_ENTRY_BYTES, MAP_ENTRY_BYTES } from '../store/memory-estimate.js';
import type { CommandContext, LatencyEvent } from './context.js';
import { ERR_SYNTAX, isKeyword, safeIntArg } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { Command, CommandSpec } from './types.js';
import { keyAt } from './types.js';
import { sparkline } from '../util/sparkline.js';

// ------------------------------------------------------------------------------------- CONFIG

function configGet(ctx: CommandContext, argv: string[]): void {
  const matches = ctx.server.config.matching(argv.slice(2));
  ctx.reply.mapLength(matches.length);
  for (const [name, value] of matches) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

function configSet(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 !== 0) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const config = ctx.server.config;
  const mode = config.str('enable-protected-configs');
  const error = config.setMany(pairs, {
    allowProtected: mode === 'yes' || (mode === 'local' && ctx.client.isLocal),
    loading: ctx.server.persistence.loadingDataset,
    redact: (index) => ctx.redactArgument(index),
  });
  if (error !== null) {
    ctx.reply.error(error);
    return;
  }
  // Moved listeners: the OK waits until they listen (Redis replies after listening).
  const admin = ctx.server.admin;
  const moving = admin.listenersMoving();
  if (moving === null || !admin.canContinueLater(ctx)) {
    ctx.reply.ok();
    return;
  }
  const finish = admin.continueLater(ctx);
  moving.then(() => {
    ctx.reply.ok();
    finish(false);
  }, (err: unknown) => {
    // A fault of ours after the handler returned: no call() is around to contain it.
    admin.logWarning(`Internal error running 'config|set': ${(err as Error).stack ?? String(err)}`);
    ctx.reply.error("ERR internal error running 'config|set'");
    finish(true);
  });
}

function configResetStat(ctx: CommandContext): void {
  ctx.server.admin.resetStats();
  ctx.reply.ok();
}

function configRewrite(ctx: CommandContext): void {
  if (ctx.server.config.configFile === null) {
    ctx.reply.error('ERR The server is running without a config file');
    return;
  }
  const problem = rewriteConfigFile(ctx.server.config);
  if (problem !== null) {
    ctx.server.admin.logWarning(`CONFIG REWRITE failed: ${problem}`);
    ctx.reply.error(`ERR Rewriting config file: ${problem}`);
    return;
  }
  ctx.server.admin.logWarning('CONFIG REWRITE executed with success.');
  ctx.reply.ok();
}

function configHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'GET <pattern> [<pattern> ...]',
    '    Lists the directives whose names match the glob patterns, with their values.',
    'SET <directive> <value> [<directive> <value> ...]',
    '    Changes directives at run time; either all of them change or none does.',
    'RESETSTAT',
    '    Zeroes the counters that INFO reports.',
    'REWRITE',
    '    Writes the running configuration back into the config file, keeping its comments.',
  ]);
}

// ------------------------------------------------------------------ INFO, TIME, LASTSAVE

function info(ctx: CommandContext, argv: string[]): void {
  ctx.reply.verbatim(ctx.server.admin.infoText(argv.slice(1)));
}

function time(ctx: CommandContext): void {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.reply.arrayLength(2);
  ctx.reply.bulk(String(Math.floor(nowUs / 1e6)));
  ctx.reply.bulk(String(nowUs % 1e6));
}

function lastsave(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.persistence.lastSaveTimeSec);
}

// ------------------------------------------------------------------------------- SHUTDOWN

function shutdown(ctx: CommandContext, argv: string[]): void {
  let save = false;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (isKeyword(a, 'NOSAVE')) nosave = true;
    else if (isKeyword(a, 'SAVE')) save = true;
    else if (isKeyword(a, 'NOW')) now = true;
    else if (isKeyword(a, 'FORCE')) force = true;
    else if (isKeyword(a, 'ABORT')) abort = true;
    else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if ((abort && (save || nosave || now || force)) || (save && nosave)) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  if (abort) {
    // A signal's shutdown not started yet, or one waiting for lagging replicas.
    if (ctx.server.admin.abortShutdown()) ctx.reply.ok();
    else ctx.reply.error('ERR No shutdown in progress.');
    return;
  }
  // A busy script may have left the dataset half changed: only SHUTDOWN NOSAVE goes ahead.
  const busy = nosave ? null : ctx.server.scripting.busyRefusal();
  if (busy !== null) {
    ctx.reply.error(busy);
    return;
  }
  const error = ctx.server.admin.shutdown({ save: save ? true : nosave ? false : null, now, force }, ctx);
  if (error !== null) ctx.reply.error(error);
}

// --------------------------------------------------------------------------------- MEMORY

function memoryUsage(ctx: CommandContext, argv: string[]): void {
  // SAMPLES is checked as Redis checks it; the figure is the one used_memory's sum holds.
  for (let j = 3; j < argv.length; j++) {
    if (isKeyword(argv[j], 'SAMPLES') && j + 1 < argv.length) {
      const n = safeIntArg(ctx.reply, argv[j + 1]);
      if (n === null) return;
      if (n < 0) {
        ctx.reply.error(ERR_SYNTAX);
        return;
      }
      j++;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  // Redis reads the dict directly: no lazy expiry, no keymiss event, no hit/miss count. Big
  // containers are priced from a fixed sample, as used_memory counts them (SAMPLES is parsed
  // and checked as Redis does, the figure stays the one the dataset's sum holds).
  const bytes = ctx.db.memoryUsage(argv[2]);
  if (bytes === undefined) ctx.reply.nullBulk();
  else ctx.reply.integer(bytes);
}

function memoryStats(ctx: CommandContext): void {
  const s = ctx.server;
  const usage = process.memoryUsage();
  const figures = s.admin.memoryFigures();
  const used = figures.usedBytes;
  const startup = s.admin.startupMemoryBytes;
  const peak = s.admin.notePeakMemory(used);
  const clientsNormal = figures.clientsBytes;
  let tablesBytes = 0;
  for (const db of s.keyspace.dbs) tablesBytes += db.size * MAP_ENTRY_BYTES + db.expiresCount * EXPIRE_ENTRY_BYTES;
  const overhead = Math.min(used, startup + clientsNormal + figures.scriptsBytes + tablesBytes);
  const keys = s.keyspace.totalKeys();
  const dataset = Math.max(0, used - overhead);
  const netUsed = Math.max(1, used - startup);
  const r = ctx.reply;
  const dbs = s.keyspace.dbs.filter((db) => db.size > 0 || db.expiresCount > 0);
  r.mapLength(27 + dbs.length);
  const num = (name: string, value: number): void => { r.bulk(name); r.integer(Math.floor(value)); };
  const dbl = (name: string, value: number): void => { r.bulk(name); r.double(value); };
  num('peak.allocated', peak);
  num('total.allocated', used);
  num('startup.allocated', startup);
  num('replication.backlog', 0);
  num('clients.slaves', 0);
  num('clients.normal', clientsNormal);
  num('cluster.links', 0);
  num('aof.buffer', 0);
  num('lua.caches', figures.scriptsBytes);
  num('functions.caches', 0);
  for (const db of dbs) {
    r.bulk(`db.${db.id}`);
    r.mapLength(3);
    num('overhead.hashtable.main', db.size * MAP_ENTRY_BYTES);
    num('overhead.hashtable.expires', db.expiresCount * EXPIRE_ENTRY_BYTES);
    num('overhead.hashtable.slot-to-keys', 0);
  }
  num('overhead.total', overhead);
  num('keys.count', keys);
  num('keys.bytes-per-key', keys === 0 ? 0 : netUsed / keys);
  num('dataset.bytes', dataset);
  dbl('dataset.percentage', (dataset * 100) / netUsed);
  dbl('peak.percentage', (used * 100) / Math.max(1, peak));
  num('allocator.allocated', usage.heapUsed);
  num('allocator.active', usage.heapTotal);
  num('allocator.resident', usage.rss);
  dbl('allocator-fragmentation.ratio', usage.heapTotal / Math.max(1, usage.heapUsed));
  num('allocator-fragmentation.bytes', usage.heapTotal - usage.heapUsed);
  dbl('allocator-rss.ratio', usage.rss / Math.max(1, usage.heapTotal));
  num('allocator-rss.bytes', usage.rss - usage.heapTotal);
  dbl('rss-overhead.ratio', 1);
  num('rss-overhead.bytes', 0);
  dbl('fragmentation', usage.rss / Math.max(1, used));
  num('fragmentation.bytes', usage.rss - used);
}

/** Below this, Redis's memory doctor declines to analyse (5 MB). */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

function memoryDoctor(ctx: CommandContext): void {
  const used = ctx.server.admin.memoryFigures().usedBytes;
  let report: string;
  if (used - ctx.server.admin.startupMemoryBytes < DOCTOR_MIN_BYTES && ctx.server.keyspace.totalKeys() === 0) {
    report = 'This instance holds too little data for a memory analysis.';
  } else {
    const rss = process.memoryUsage().rss;
    const ratio = rss / Math.max(1, used);
    report = ratio > 1.4 && rss > 10 * 1024 * 1024
      ? `Possible problem found:\n\n * High RSS overhead: the process's resident memory is ${ratio.toFixed(2)} times the memory in use (over 1.4). After a peak of usage this is expected, as freed memory is not always returned to the system; otherwise it points at fragmentation. Allocator: "libc".\n`
      : 'No memory problem found.';
  }
  ctx.reply.verbatim(report);
}

function memoryMallocStats(ctx: CommandContext): void {
  ctx.reply.verbatim('Stats not supported for the current allocator');
}

function memoryPurge(ctx: CommandContext): void {
  ctx.reply.ok();
}

function memoryHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'DOCTOR',
    '    Describes memory problems worth a look, if any.',
    'MALLOC-STATS',
    '    Allocator statistics (not available for this allocator).',
    'PURGE',
    '    Asks the allocator to give unused memory back.',
    'STATS',
    '    Breaks down how the server uses memory.',
    'USAGE <key> [SAMPLES <count>]',
    '    Estimates the bytes a key and its value take; big values are estimated from',
    '    <count> sampled elements (5 by default, 0 for all).',
  ]);
}

// -------------------------------------------------------------------------------- SLOWLOG

function slowlogGet(ctx: CommandContext, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    const error = 'ERR count should be greater than or equal to -1';
    const n = safeIntArg(ctx.reply, argv[2], error);
    if (n === null) return;
    if (n < -1) {
      ctx.reply.error(error);
      return;
    }
    count = n === -1 ? Number.MAX_SAFE_INTEGER : n;
  }
  const entries = ctx.server.slowlog.entries();
  const n = Math.min(count, entries.length);
  const r = ctx.reply;
  r.arrayLength(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.arrayLength(6);
    r.integer(e.id);
    r.integer(e.timestampSec);
    r.integer(e.durationMicros);
    r.bulkArray(e.argv);
    r.bulk(e.peer);
    r.bulk(e.clientName);
  }
}

function slowlogLen(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.slowlog.entries().length);
}

function slowlogReset(ctx: CommandContext): void {
  ctx.server.slowlog.reset();
  ctx.reply.ok();
}

function slowlogHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'GET [<count>]',
    '    The newest <count> slow commands (10 by default, -1 for all), each with its id,',
    '    start time, duration in microseconds, arguments, client address and name.',
    'LEN',
    '    How many entries the slow log holds.',
    'RESET',
    '    Empties the slow log.',
  ]);
}

// -------------------------------------------------------------------------------- LATENCY

function latencyLatest(ctx: CommandContext): void {
  const events = ctx.server.latency.events();
  const r = ctx.reply;
  r.arrayLength(events.size);
  for (const e of events.values()) {
    const last = e.samples[e.samples.length - 1];
    r.arrayLength(4);
    r.bulk(e.name);
    r.integer(last?.timestampSec ?? 0);
    r.integer(last?.latencyMs ?? 0);
    r.integer(e.maxLatencyMs);
  }
}

function latencyHistory(ctx: CommandContext, argv: string[]): void {
  const e = ctx.server.latency.events().get(argv[2]);
  const r = ctx.reply;
  if (e === undefined) {
    r.arrayLength(0);
    return;
  }
  r.arrayLength(e.samples.length);
  for (const s of e.samples) {
    r.arrayLength(2);
    r.integer(s.timestampSec);
    r.integer(s.latencyMs);
  }
}

function latencyReset(ctx: CommandContext, argv: string[]): void {
  ctx.reply.integer(ctx.server.latency.reset(argv.slice(2)));
}

function eventStatsLine(index: number, e: LatencyEvent): string {
  const n = e.samples.length;
  let sum = 0;
  for (const s of e.samples) sum += s.latencyMs;
  const avg = n === 0 ? 0 : sum / n;
  let deviation = 0;
  for (const s of e.samples) deviation += Math.abs(s.latencyMs - avg);
  const mad = n === 0 ? 0 : deviation / n;
  const periodSec = n === 0 ? 0 : Math.floor(Date.now() / 1000) - e.samples[0].timestampSec;
  return `${index}. ${e.name}: ${n} latency spikes (average ${Math.floor(avg)}ms, mean deviation ${Math.floor(mad)}ms, period ${(n === 0 ? 0 : periodSec / n).toFixed(2)} sec). Worst all time event ${e.maxLatencyMs}ms.`;
}

function latencyDoctor(ctx: CommandContext): void {
  const events = ctx.server.latency.events();
  const threshold = ctx.server.config.num('latency-monitor-threshold');
  let report: string;
  if (events.size === 0 && threshold === 0) {
    report = 'Latency monitoring is off. Turn it on with CONFIG SET latency-monitor-threshold <milliseconds>; events slower than that are then recorded here.\n';
  } else if (events.size === 0) {
    report = 'No latency event has been recorded since this server started: nothing to report.\n';
  } else {
    report = 'Latency events recorded since this server started:\n\n';
    let i = 0;
    for (const e of events.values()) report += eventStatsLine(++i, e) + '\n';
    report += '\nSee LATENCY HISTORY <event> and LATENCY GRAPH <event> for the samples of each event.\n';
  }
  ctx.reply.verbatim(report);
}

function latencyGraph(ctx: CommandContext, argv: string[]): void {
  const e = ctx.server.latency.events().get(argv[2]);
  if (e === undefined) {
    ctx.reply.error(`ERR No samples available for event '${argv[2]}'`);
    return;
  }
  const nowSec = Math.floor(Date.now() / 1000);
  let min = 0;
  let max = 0;
  const points: Array<{ value: number; label: string }> = [];
  for (const s of e.samples) {
    if (points.length === 0) min = max = s.latencyMs;
    else {
      if (s.latencyMs > max) max = s.latencyMs;
      if (s.latencyMs < min) min = s.latencyMs;
    }
    const elapsed = nowSec - s.timestampSec;
    const label = elapsed < 60 ? `${elapsed}s` : elapsed < 3600 ? `${Math.floor(elapsed / 60)}m`
      : elapsed < 86400 ? `${Math.floor(elapsed / 3600)}h` : `${Math.floor(elapsed / 86400)}d`;
    points.push({ value: s.latencyMs, label });
  }
  let graph = `${e.name} - high ${max} ms, low ${min} ms (all time high ${e.maxLatencyMs} ms)\n`;
  graph += '-'.repeat(80) + '\n';
  graph += sparkline(points, 80, 4);
  ctx.reply.verbatim(graph);
}

function histogramReply(ctx: CommandContext, command: Command): void {
  const histogram = command.stats.latencyHistogram as Float64Array;
  const r = ctx.reply;
  r.bulk(command.fullName);
  r.mapLength(2);
  r.bulk('calls');
  r.integer(histogramTotal(histogram));
  r.bulk('histogram_usec');
  const cdf = histogramCdf(histogram);
  r.mapLength(cdf.length);
  for (const [micros, count] of cdf) {
    r.integer(micros);
    r.integer(count);
  }
}

function latencyHistogram(ctx: CommandContext, argv: string[]): void {
  const chosen: Command[] = [];
  if (argv.length === 2) {
    for (const c of allCommands(ctx.server.commands)) if (c.stats.latencyHistogram !== null) chosen.push(c);
  } else {
    for (let j = 2; j < argv.length; j++) {
      const command = lookupCommandByFullName(ctx.server.commands, argv[j]);
      if (command === undefined) continue;
      if (command.stats.latencyHistogram !== null) chosen.push(command);
      if (command.subcommands !== null) {
        for (const sub of command.subcommands.values()) if (sub.stats.latencyHistogram !== null) chosen.push(sub);
      }
    }
  }
  ctx.reply.mapLength(chosen.length);
  for (const c of chosen) histogramReply(ctx, c);
}

function latencyHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'DOCTOR',
    '    A plain-language report on the latency events recorded.',
    'GRAPH <event>',
    '    An ASCII chart of the samples of one event.',
    'HISTORY <event>',
    '    The recorded (time, latency) samples of one event.',
    'LATEST',
    '    The most recent sample of every event.',
    'RESET [<event> ...]',
    '    Forgets the samples of the named events, or of all events.',
    'HISTOGRAM [<command> ...]',
    '    Cumulative latency histograms of the named commands, or of every command called.',
  ]);
}

// -------------------------------------------------------------------------------- MONITOR

function monitor(ctx: CommandContext): void {
  // A client already monitoring gets no reply, as in Redis.
  if (ctx.client.isMonitor) return;
  ctx.server.clients.addMonitor(ctx.client);
  ctx.reply.ok();
}

// ---------------------------------------------------------------------------------- table

const ADMIN = ['admin', 'slow', 'dangerous'] as const;
const ADMIN_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;
const ALL_NODES_SPECIAL = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];
const ALL_SHARDS_SPECIAL = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];

function sub(name: string, arity: number, flags: CommandSpec['flags'], acl: readonly string[], summary: string,
  since: string, handler: CommandSpec['handler'], extra: Partial<CommandSpec> = {}): CommandSpec {
  return { name, arity, flags, acl, summary, since, group: 'server', handler, ...extra };
}

export const serverCommands: CommandSpec[] = [
  {
    name: 'config', arity: -2, flags: [], acl: ['slow'], summary: 'Reads and changes the server configuration.',
    since: '2.0.0', group: 'server',
    subcommands: [
      sub('get', -3, ADMIN_FLAGS, ADMIN, 'Returns the directives matching the patterns, with their values.', '2.0.0', configGet),
      sub('set', -4, ADMIN_FLAGS, ADMIN, 'Changes one or more directives at once, all or none.', '2.0.0', configSet,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      sub('resetstat', 2, ADMIN_FLAGS, ADMIN, 'Zeroes the statistics INFO reports.', '2.0.0', configResetStat),
      sub('rewrite', 2, ADMIN_FLAGS, ADMIN, 'Writes the running configuration back to the config file.', '2.8.0', configRewrite),
      sub('help', 2, ['loading', 'stale'], ['slow'], 'Describes the CONFIG subcommands.', '5.0.0', configHelp),
    ],
  },
  {
    name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['slow', 'dangerous'],
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    summary: 'Reports server state and statistics, by section.', since: '1.0.0', group: 'server', handler: info,
  },
  {
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['fast'], tips: ['nondeterministic_output'],
    summary: 'Returns the server clock as seconds and microseconds.', since: '2.6.0', group: 'server', handler: time,
  },
  {
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'fast', 'dangerous'],
    tips: ['nondeterministic_output'],
    summary: 'Returns the Unix time of the last successful save.', since: '1.0.0', group: 'server', handler: lastsave,
  },
  {
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'],
    acl: ADMIN, summary: 'Stops the server, closing every connection.', since: '1.0.0', group: 'server', handler: shutdown,
  },
  {
    name: 'memory', arity: -2, flags: [], acl: ['slow'], summary: 'Memory usage introspection.', since: '4.0.0', group: 'server',
    subcommands: [
      sub('usage', -3, ['readonly'], ['read', 'slow'], 'Estimates the bytes a key and its value take.', '4.0.0', memoryUsage,
        { keySpecs: [keyAt(2, 'RO')] }),
      sub('stats', 2, [], ['slow'], 'Reports memory usage in detail.', '4.0.0', memoryStats, { tips: ALL_SHARDS_SPECIAL }),
      sub('doctor', 2, [], ['slow'], 'Reports memory problems, if any.', '4.0.0', memoryDoctor, { tips: ALL_SHARDS_SPECIAL }),
      sub('malloc-stats', 2, [], ['slow'], 'Reports the allocator\'s own statistics.', '4.0.0', memoryMallocStats, { tips: ALL_SHARDS_SPECIAL }),
      sub('purge', 2, [], ['slow'], 'Asks the allocator to release unused memory.', '4.0.0', memoryPurge,
        { tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
      sub('help', 2, ['loading', 'stale'], ['slow'], 'Describes the MEMORY subcommands.', '4.0.0', memoryHelp),
    ],
  },
  {
    name: 'slowlog', arity: -2, flags: [], acl: ['slow'], summary: 'Inspects the log of slow commands.', since: '2.2.12', group: 'server',
    subcommands: [
      sub('get', -2, ['admin', 'loading', 'stale'], ADMIN, 'Returns the newest slow log entries.', '2.2.12', slowlogGet,
        { tips: ['request_policy:all_nodes', 'nondeterministic_output'] }),
      sub('len', 2, ['admin', 'loading', 'stale'], ADMIN, 'Returns the number of slow log entries.', '2.2.12', slowlogLen,
        { tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'] }),
      sub('reset', 2, ['admin', 'loading', 'stale'], ADMIN, 'Empties the slow log.', '2.2.12', slowlogReset,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      sub('help', 2, ['loading', 'stale'], ['slow'], 'Describes the SLOWLOG subcommands.', '6.2.0', slowlogHelp),
    ],
  },
  {
    name: 'latency', arity: -2, flags: [], acl: ['slow'], summary: 'Inspects latency spikes and per-command latency.', since: '2.8.13', group: 'server',
    subcommands: [
      sub('latest', 2, ADMIN_FLAGS, ADMIN, 'Returns the latest spike of every event.', '2.8.13', latencyLatest, { tips: ALL_NODES_SPECIAL }),
      sub('history', 3, ADMIN_FLAGS, ADMIN, 'Returns the recorded spikes of an event.', '2.8.13', latencyHistory, { tips: ALL_NODES_SPECIAL }),
      sub('reset', -2, ADMIN_FLAGS, ADMIN, 'Forgets the spikes of some or all events.', '2.8.13', latencyReset,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      sub('doctor', 2, ADMIN_FLAGS, ADMIN, 'Explains the recorded latency spikes in words.', '2.8.13', latencyDoctor, { tips: ALL_NODES_SPECIAL }),
      sub('graph', 3, ADMIN_FLAGS, ADMIN, 'Draws the spikes of an event as ASCII art.', '2.8.13', latencyGraph, { tips: ALL_NODES_SPECIAL }),
      sub('histogram', -2, ADMIN_FLAGS, ADMIN, 'Returns per-command cumulative latency distributions.', '7.0.0', latencyHistogram, { tips: ALL_NODES_SPECIAL }),
      sub('help', 2, ['loading', 'stale'], ['slow'], 'Describes the LATENCY subcommands.', '2.8.13', latencyHelp),
    ],
  },
  {
    name: 'monitor', arity: 1, flags: ADMIN_FLAGS, acl: ADMIN,
    summary: 'Streams every command the server runs to this connection.', since: '1.0.0', group: 'server', handler: monitor,
  },
];

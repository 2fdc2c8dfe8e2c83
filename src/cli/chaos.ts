// `cinnabar chaos`: the chaos runner's command line. Parses the options, runs (once, or with
// --compare once against cinnabar and once against redis-server/redis-sentinel with the same
// seed), writes the HTML report, prints the summary ending with `acknowledged writes lost: N`
// for cinnabar (or for the binaries given); exits 0 only when that N is 0.

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { writeFileSync } from 'node:fs';
import { NetnsLab } from '../topology/netns.js';
import type { PartitionMode } from '../topology/network.js';
import { FAULT_KINDS, runChaos, type ChaosResult, type FaultKind } from '../chaos/run.js';
import { failoverSummary, renderReport } from '../chaos/report.js';
import { discoverTopology, parseNodeList, unreachable, type GivenTopology } from '../chaos/given.js';

export interface ChaosCliOptions {
  topology: string;
  duration: string;
  faults: string;
  seed?: string;
  report?: string;
  serverBinary?: string;
  sentinelBinary?: string;
  compare?: boolean;
  port?: string;
  partitionMode?: string;
  nodes?: string;
  masterName?: string;
}

/** "90", "90s", "5m" -> milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+)(s|m)?$/.exec(text);
  if (m === null || Number(m[1]) < 1) throw new Error(`--duration takes seconds ("90", "90s") or minutes ("5m"), not '${text}'`);
  const ms = Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
  if (ms > 24 * 3_600_000) throw new Error('--duration is at most 24 hours');
  return ms;
}

function parseFaults(text: string): FaultKind[] {
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault '${k}' (known: ${FAULT_KINDS.join(', ')})`);
  }
  return kinds as FaultKind[];
}

/** auto (namespaces where they can be made, else relays), netns or relay; a forced netns that cannot be made is refused with the reason. */
function parsePartitionMode(text: string | undefined, faults: readonly FaultKind[]): PartitionMode | 'auto' {
  const mode = text ?? 'auto';
  if (mode !== 'auto' && mode !== 'netns' && mode !== 'relay') throw new Error(`--partition-mode is auto, netns or relay, not '${mode}'`);
  if (mode === 'netns' && faults.includes('partition')) {
    const reason = NetnsLab.unavailableReason();
    if (reason !== null) throw new Error(`--partition-mode netns needs network namespaces, which cannot be made here: ${reason}`);
  }
  return mode;
}

/** "redis-server 7.0.15" from `redis-server --version`; refuses a binary that does not run. */
function binaryLabel(binary: string): string {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined) throw new Error(`cannot run ${binary}: ${probe.error.message}`);
  if (probe.status !== 0) throw new Error(`${binary} --version failed: ${(probe.stderr ?? '').trim()}`);
  const version = /v=(\S+)/.exec(probe.stdout ?? '')?.[1];
  return version === undefined ? basename(binary) : `${basename(binary)} ${version}`;
}

interface Servers {
  label: string;
  serverBinary?: string;
  sentinelBinary?: string;
}

function servers(topology: 'cluster' | 'sentinel', serverBinary: string | undefined, sentinelBinary: string | undefined): Servers {
  const names = [serverBinary === undefined ? 'cinnabar-server' : binaryLabel(serverBinary)];
  if (topology === 'sentinel') names.push(sentinelBinary === undefined ? 'cinnabar-sentinel' : binaryLabel(sentinelBinary));
  const label = serverBinary === undefined && sentinelBinary === undefined ? 'cinnabar' : names.join(' + ');
  return { label, serverBinary, sentinelBinary };
}

function summary(result: ChaosResult, out: (line: string) => void): void {
  const kinds = Object.entries(result.faultsByKind).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  out(`faults injected: ${result.faultsInjected}${kinds === '' ? '' : ` (${kinds})`}`);
  if (result.network !== 'loopback') out(`partitions made with: ${result.network === 'netns' ? 'network namespaces' : 'loopback relays'}`);
  out(`failovers seen: ${result.failoversSeen}`);
  out(`failover time: ${failoverSummary(result)}`);
  out(`writes attempted: ${result.writesAttempted}, acknowledged: ${result.writesAcknowledged}, keys checked: ${result.keysChecked}`);
  if (!result.settled) out('warning: the topology had not settled before the check');
  out(`acknowledged writes lost: ${result.lost.length}`);
}

export async function chaos(options: ChaosCliOptions, out: (line: string) => void): Promise<number> {
  if (options.topology !== 'cluster' && options.topology !== 'sentinel') throw new Error(`--topology is cluster or sentinel, not '${options.topology}'`);
  const topology = options.topology;
  const seed = options.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed takes a whole number, not '${options.seed}'`);
  const basePort = options.port === undefined ? undefined : Number(options.port);
  if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_400)) throw new Error(`--port takes a port number, not '${options.port}'`);
  const durationMs = parseDuration(options.duration);
  const faults = parseFaults(options.faults);
  const partitionMode = parsePartitionMode(options.partitionMode, faults);
  const givenAddresses = options.nodes === undefined ? null : parseNodeList(options.nodes);
  if (givenAddresses !== null) {
    const clash = ([['--compare', options.compare], ['--port', options.port], ['--server-binary', options.serverBinary], ['--sentinel-binary', options.sentinelBinary]] as const)
      .find(([, v]) => v !== undefined && v !== false);
    if (clash !== undefined) throw new Error(`${clash[0]} starts a topology: it does not go with --nodes`);
    if (faults.includes('partition')) {
      throw new Error('--faults partition is not possible against a topology given by --nodes: its nodes were not started in chaos\'s network namespaces or behind its relays');
    }
  }
  let given: GivenTopology | undefined;
  if (givenAddresses !== null) {
    given = await discoverTopology(topology, givenAddresses, options.masterName ?? 'mymaster');
    const missing = unreachable(given.servers);
    if (missing.length > 0 && faults.length > 0) throw new Error(`kill and pause faults need each server's process: ${missing.join('; ')}`);
  }
  const runs: Servers[] = given !== undefined ? [{ label: 'the given topology' }] : options.compare === true
    ? [servers(topology, undefined, undefined), servers(topology, options.serverBinary ?? 'redis-server', options.sentinelBinary ?? 'redis-sentinel')]
    : [servers(topology, options.serverBinary, options.sentinelBinary)];

  // Ctrl-C or SIGTERM: the run stops, every node it started is stopped and its namespaces removed.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) return;
    out(`${signal} received: stopping every node`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: ChaosResult[] = [];
  try {
    for (const run of runs) {
      if (runs.length > 1) out(`== ${run.label} ==`);
      results.push(await runChaos({
        topology, durationMs, faults, seed, out, label: run.label, serverBinary: run.serverBinary, sentinelBinary: run.sentinelBinary,
        basePort, signal: stop.signal, partitionMode, given,
      }));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (options.report !== undefined) {
    writeFileSync(options.report, renderReport(results));
    out(`report: ${options.report}`);
  }
  for (const result of results) {
    if (results.length > 1) out(`== ${result.label}: summary ==`);
    summary(result, out);
  }
  const [subject] = results;
  if (results.length > 1) {
    out('== side by side ==');
    for (const r of results) {
      out(`${r.label}: faults ${r.faultsInjected}, failovers ${r.failoversSeen}, failover time ${failoverSummary(r)}, acknowledged writes lost ${r.lost.length}`);
    }
    // The last line is the verdict on the servers under test (the first run); the others are the reference.
    out(`acknowledged writes lost: ${subject.lost.length}`);
  }
  return subject.lost.length === 0 ? 0 : 1;
}

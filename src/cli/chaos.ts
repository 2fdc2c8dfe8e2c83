// `cinnabar chaos`: the chaos runner's command line. Parses the options, runs, writes the HTML
// report, prints the summary ending with `acknowledged writes lost: N`; exits 0 only when
// nothing acknowledged was lost.

import { writeFileSync } from 'node:fs';
import { FAULT_KINDS, runChaos, type FaultKind } from '../chaos/run.js';
import { renderReport } from '../chaos/report.js';

export interface ChaosCliOptions {
  topology: string;
  duration: string;
  faults: string;
  seed?: string;
  report?: string;
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
    if (k === 'partition') throw new Error('partition faults (network namespaces) are not in this version of cinnabar chaos: use --faults kill,pause');
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault '${k}' (known: ${FAULT_KINDS.join(', ')})`);
  }
  return kinds as FaultKind[];
}

export async function chaos(options: ChaosCliOptions, out: (line: string) => void): Promise<number> {
  if (options.topology !== 'cluster' && options.topology !== 'sentinel') throw new Error(`--topology is cluster or sentinel, not '${options.topology}'`);
  const seed = options.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed takes a whole number, not '${options.seed}'`);
  const result = await runChaos({
    topology: options.topology, durationMs: parseDuration(options.duration), faults: parseFaults(options.faults), seed, out,
  });
  if (options.report !== undefined) {
    writeFileSync(options.report, renderReport(result));
    out(`report: ${options.report}`);
  }
  out(`faults injected: ${result.faultsInjected}`);
  out(`failovers seen: ${result.failoversSeen}`);
  out(`writes attempted: ${result.writesAttempted}, acknowledged: ${result.writesAcknowledged}, keys checked: ${result.keysChecked}`);
  if (!result.settled) out('warning: the topology had not settled before the check');
  out(`acknowledged writes lost: ${result.lost.length}`);
  return result.lost.length === 0 ? 0 : 1;
}

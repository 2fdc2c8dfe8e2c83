// `cinnabar chaos --faults partition`: every node in a network namespace of its own, one node
// (primary or replica) cut off the bridge for a while then healed; a short run per topology ends
// with `acknowledged writes lost: 0` and removes every namespace and bridge it made, also when
// it is interrupted (SIGINT) or killed (SIGKILL: the reaper removes them). The same scenario
// runs against redis-server and redis-sentinel with --compare. Needs root and iproute2 (network
// namespaces): skipped otherwise (chaos-relay.test.ts covers partitions without them).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetnsLab } from '../../src/topology/netns.js';
import { childPids, processRunning } from '../helpers/process.js';
import { chaosHarness } from './chaos-harness.js';
import { waitFor } from '../helpers/wait.js';

const { dir, chaos } = chaosHarness('cinnabar-chaos-netns-test-');

/** Namespaces and bridges named for a process (the lab's names carry its pid in base 36). */
function labNames(pid: number): string[] {
  const tag = `${pid.toString(36)}x`;
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]);
  const bridges = [...spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' }).stdout.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);
  return [...namespaces, ...bridges].filter((name) => name.startsWith('cbn') && name.slice(4).startsWith(tag));
}

const unavailable = NetnsLab.unavailableReason();

describe.skipIf(unavailable !== null)(`cinnabar chaos --faults partition (network namespaces${unavailable === null ? '' : `; skipped: ${unavailable}`})`, () => {
  for (const topology of ['sentinel', 'cluster'] as const) {
    it(`--topology ${topology}: partitions injected and healed, no acknowledged write lost, namespaces removed`, async () => {
      const report = join(dir, `${topology}.html`);
      const proc = chaos(['--topology', topology, '--duration', '20', '--faults', 'partition', '--seed', '11', '--report', report]);
      await proc.waitFor(/^ready;/m, 90_000);
      const children = childPids(proc.pid);
      expect(labNames(proc.pid).length).toBeGreaterThan(0);
      const exit = await proc.waitExit(180_000);
      expect(proc.stdout).toMatch(/each node in its own network namespace on 10\.\d+\.\d+\.1\/24/);
      expect(proc.stdout).toMatch(/^fault 1: partition (primary|replica) 10\.\d+\.\d+\.\d+:\d+ for \d+ ms$/m);
      expect(proc.stdout).toMatch(/^faults injected: ([1-9]\d*) \(\1 partition\)$/m);
      expect(proc.stdout).toMatch(/^failover time: (none measured|median \d+\.\d s \(.*\))$/m);
      expect(proc.stdout).toMatch(/^writes attempted: \d+, acknowledged: [1-9]\d*, keys checked: [1-9]\d*$/m);
      expect(proc.stdout.trim().split('\n').at(-1)).toBe('acknowledged writes lost: 0');
      expect(exit.code).toBe(0);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<div class="verdict ok">acknowledged writes lost: 0</div>');
      expect(html).toContain('<dd>each node in its own network namespace</dd>');
      expect(html).toMatch(/<tr class="fault"><td>[\d.]+ s<\/td><td>fault<\/td><td>10\.[\d.]+:\d+<\/td><td>partition \((primary|replica)\) for \d+ ms<\/td><\/tr>/);
      expect(html).toMatch(/<td>partition healed<\/td>/);
      await waitFor(() => children.every((pid) => !processRunning(pid)), 10_000, 'every process chaos started to end');
      expect(labNames(proc.pid)).toEqual([]);
    }, 240_000);
  }

  it('--compare runs the same faults against redis-server and redis-sentinel and shows both', async () => {
    const report = join(dir, 'compare.html');
    const proc = chaos(['--topology', 'sentinel', '--duration', '12', '--faults', 'partition', '--seed', '4', '--compare', '--report', report]);
    const exit = await proc.waitExit(360_000);
    expect(exit.code, proc.output).toBe(0);
    const faults = (label: string): string[] => {
      const block = proc.stdout.split(`== ${label}`)[1]?.split('\n== ')[0] ?? '';
      return [...block.matchAll(/^fault \d+: partition (primary|replica) \S+ for (\d+) ms$/gm)].map((m) => `${m[1]} ${m[2]}`);
    };
    // The same seed: the same kinds, targets and holds on both sides (roles may differ later).
    const ours = faults('cinnabar ==');
    const theirs = faults('redis-server 7.0.15 + redis-sentinel 7.0.15 ==');
    expect(ours.length).toBeGreaterThan(0);
    // How many faults fit in the duration depends on how fast each server settles: the common part is compared.
    const common = Math.min(ours.length, theirs.length);
    expect(common).toBeGreaterThan(0);
    expect(theirs.slice(0, common).map((f) => f.split(' ')[1])).toEqual(ours.slice(0, common).map((f) => f.split(' ')[1]));
    expect(proc.stdout).toMatch(/^== side by side ==\ncinnabar: faults \d+, failovers \d+, failover time .*, acknowledged writes lost 0\nredis-server 7\.0\.15 \+ redis-sentinel 7\.0\.15: faults \d+, failovers \d+, failover time .*, acknowledged writes lost \d+\nacknowledged writes lost: 0$/m);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Side by side</h2>');
    expect(html).toContain('<th>redis-server 7.0.15 + redis-sentinel 7.0.15</th>');
    expect(html.match(/<section>/g)).toHaveLength(2);
  }, 420_000);

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal} during a run: every node ends and every namespace and bridge is removed`, async () => {
      const proc = chaos(['--topology', 'sentinel', '--duration', '120', '--faults', 'partition', '--seed', '2']);
      await proc.waitFor(/^ready;/m, 90_000);
      const children = childPids(proc.pid);
      expect(labNames(proc.pid).length).toBeGreaterThan(0);
      process.kill(proc.pid, signal);
      const exit = await proc.waitExit(60_000);
      if (signal === 'SIGINT') {
        expect(proc.stdout).toContain('SIGINT received: stopping every node');
        expect(proc.stderr).toContain('the chaos run was interrupted');
        expect(exit.code).toBe(1);
      }
      await waitFor(() => children.every((pid) => !processRunning(pid)) && labNames(proc.pid).length === 0, 20_000,
        'the nodes to end and the namespaces to be removed');
    }, 180_000);
  }
});

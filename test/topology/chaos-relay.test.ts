// `cinnabar chaos --faults partition` without network namespaces: every server behind loopback
// relays that chaos owns (src/topology/relay.ts). A 20 s run per topology with the relays forced
// ends with `acknowledged writes lost: 0`, says which partition mode it used (console and
// report), and leaves no process and no listening relay behind. As an unprivileged user the
// automatic choice falls back to the relays, and a forced `--partition-mode netns` is refused
// with the reason. Needs no root (the unprivileged cases run as nobody through setpriv when the
// tests run as root).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetnsLab } from '../../src/topology/netns.js';
import { tcpSockets } from '../../src/topology/proc-net.js';
import { UMBRELLA_CLI, childPids, processRunning, run, type Proc } from '../helpers/process.js';
import { chaosHarness } from './chaos-harness.js';
import { waitFor } from '../helpers/wait.js';

const { dir, chaos, track } = chaosHarness('cinnabar-chaos-relay-test-');

/** Ports listening on 127.0.0.1 and on the relay labs' private addresses (127.213.x.y). */
function listening(): Array<{ ip: string; port: number }> {
  return tcpSockets().filter((s) => s.state === '0A').map((s) => ({ ip: s.localIp, port: s.localPort }));
}

const asRoot = process.getuid?.() === 0;
const canDropRoot = spawnSync('setpriv', ['--version']).error === undefined;

/** The chaos CLI as an unprivileged user: nobody through setpriv when we are root. */
function unprivilegedChaos(args: string[]): Proc {
  if (!asRoot) return chaos(args);
  return track(run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, UMBRELLA_CLI, 'chaos', ...args], { cwd: tmpdir() }));
}

describe('cinnabar chaos --partition-mode relay', () => {
  for (const topology of ['sentinel', 'cluster'] as const) {
    it(`--topology ${topology}: partitions through the relays, no acknowledged write lost, nothing left behind`, async () => {
      const report = join(dir, `${topology}.html`);
      const proc = chaos(['--topology', topology, '--duration', '20', '--faults', 'partition', '--partition-mode', 'relay', '--seed', '5', '--report', report]);
      await proc.waitFor(/^ready;/m, 90_000);
      const children = childPids(proc.pid);
      // Each server binds a private loopback address; its relays listen at the same ports on 127.0.0.1.
      const privateBinds = listening().filter((l) => l.ip.startsWith('127.213.'));
      expect(privateBinds.length).toBeGreaterThanOrEqual(topology === 'cluster' ? 12 : 3);
      const relayPorts = listening().filter((l) => l.ip === '127.0.0.1' && privateBinds.some((b) => b.port === l.port));
      expect(relayPorts.length).toBe(privateBinds.length);
      const exit = await proc.waitExit(180_000);
      expect(proc.stdout).toMatch(/^starting a \w+ topology of cinnabar \(seed 5, each server behind loopback relays, bound to 127\.213\.\d+\.0\/24\)$/m);
      expect(proc.stdout).toMatch(/^fault 1: partition (primary|replica) 127\.0\.0\.1:\d+ for \d+ ms$/m);
      expect(proc.stdout).toMatch(/^faults injected: ([1-9]\d*) \(\1 partition\)$/m);
      expect(proc.stdout).toMatch(/^partitions made with: loopback relays$/m);
      expect(proc.stdout).toMatch(/^writes attempted: \d+, acknowledged: [1-9]\d*, keys checked: [1-9]\d*$/m);
      expect(proc.stdout.trim().split('\n').at(-1), proc.output).toBe('acknowledged writes lost: 0');
      expect(exit.code).toBe(0);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<div class="verdict ok">acknowledged writes lost: 0</div>');
      expect(html).toContain('<dd>each server behind loopback relays (partitions without namespaces)</dd>');
      expect(html).toMatch(/<td>partition healed<\/td>/);
      await waitFor(() => children.every((pid) => !processRunning(pid)), 10_000, 'every process chaos started to end');
      const left = listening();
      expect(left.filter((l) => privateBinds.some((b) => b.port === l.port))).toEqual([]);
    }, 240_000);
  }
});

describe.skipIf(asRoot && !canDropRoot)('cinnabar chaos --faults partition as an unprivileged user', () => {
  it('falls back to the loopback relays on its own', async () => {
    const proc = unprivilegedChaos(['--topology', 'sentinel', '--duration', '10', '--faults', 'partition', '--seed', '2']);
    const exit = await proc.waitExit(180_000);
    expect(proc.stdout).toMatch(/each server behind loopback relays/);
    expect(proc.stdout).toMatch(/^partitions made with: loopback relays$/m);
    expect(proc.stdout.trim().split('\n').at(-1), proc.output).toBe('acknowledged writes lost: 0');
    expect(exit.code).toBe(0);
  }, 240_000);

  // Namespaces made by an unprivileged user (some kernels allow it) leave nothing to refuse.
  it.skipIf(!asRoot && NetnsLab.available())('refuses a forced --partition-mode netns with the reason, before starting anything', async () => {
    const proc = unprivilegedChaos(['--faults', 'kill,partition', '--partition-mode', 'netns']);
    expect((await proc.waitExit(30_000)).code).toBe(1);
    expect(proc.stderr).toMatch(/^--partition-mode netns needs network namespaces, which cannot be made here: .+/m);
    expect(proc.stdout).toBe('');
  });

  it('refuses an unknown partition mode', async () => {
    const proc = chaos(['--faults', 'partition', '--partition-mode', 'iptables']);
    expect((await proc.waitExit(30_000)).code).toBe(1);
    expect(proc.stderr).toContain("--partition-mode is auto, netns or relay, not 'iptables'");
  });
});

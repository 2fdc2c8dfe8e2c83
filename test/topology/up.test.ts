// `cinnabar up` as a user runs it: a 3x1 cluster on the ports given, checked by redis-cli
// --cluster check and used by redis-cli -c across slots; a sentinel topology; SIGTERM/SIGINT
// stop every process it started; a busy port is named and nothing starts.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UMBRELLA_CLI, childPids, haveProgram, processRunning, run, type Proc } from '../helpers/process.js';
import { freeBase, portFree } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const started: Proc[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});


function up(args: string[]): Proc {
  const proc = run(process.execPath, [UMBRELLA_CLI, 'up', ...args]);
  started.push(proc);
  return proc;
}

async function redisCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = run('redis-cli', args);
  const exit = await proc.waitExit(30_000);
  return { code: exit.code, output: proc.output };
}

/** Stops `cinnabar up` with `signal` and checks that it and everything it started is gone. */
async function stopAndCheck(proc: Proc, signal: NodeJS.Signals, ports: number[]): Promise<void> {
  const children = childPids(proc.pid);
  expect(children.length).toBeGreaterThanOrEqual(ports.length);
  proc.child.kill(signal);
  const exit = await proc.waitExit(30_000);
  expect(exit.code).toBe(0);
  expect(proc.stdout).toContain(`${signal} received: stopping every node`);
  await waitFor(() => children.every((pid) => !processRunning(pid)), 10_000, 'every process up started to end');
  for (const port of ports) expect(await portFree(port)).toBe(true);
}

describe.skipIf(!haveProgram('redis-cli'))('cinnabar up', () => {
  it('--cluster 3x1: redis-cli --cluster check passes, redis-cli -c works across slots, SIGTERM leaves nothing', async () => {
    const base = await freeBase(6, 10_000);
    const proc = up(['--cluster', '3x1', '--port', String(base)]);
    await proc.waitFor(/Ctrl-C or SIGTERM stops every node/, 120_000);
    expect(proc.stdout).toMatch(/cluster ok in [\d.]+ s: all 16384 slots covered/);
    expect(proc.stdout).toContain('assigning slots:');
    // The table: a header and one row per node, primaries with their slots.
    const rows = proc.stdout.split('\n').filter((l) => /^[0-9a-f]{40} /.test(l));
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => / primary +127\.0\.0\.1:\d+ +(0-5460|5461-10922|10923-16383) /.test(r))).toHaveLength(3);
    expect(rows.filter((r) => / replica of [0-9a-f]{8} /.test(r))).toHaveLength(3);
    expect(rows.every((r) => r.trim().endsWith('node.log'))).toBe(true);

    const check = await redisCli(['--cluster', 'check', `127.0.0.1:${base}`]);
    expect(check.output).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.output).toContain('[OK] All 16384 slots covered.');
    expect(check.code).toBe(0);

    // Keys on all three primaries, written and read through one node with redirections.
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    const slots = await Promise.all(keys.map(async (k) => Number((await redisCli(['-p', String(base), 'CLUSTER', 'KEYSLOT', k])).output)));
    expect(new Set(slots.map((s) => (s <= 5460 ? 0 : s <= 10922 ? 1 : 2))).size).toBe(3);
    for (const k of keys) expect((await redisCli(['-c', '-p', String(base), 'SET', k, `v-${k}`])).output.trim()).toBe('OK');
    for (const k of keys) expect((await redisCli(['-c', '-p', String(base + 4), 'GET', k])).output.trim()).toBe(`v-${k}`);

    await stopAndCheck(proc, 'SIGTERM', Array.from({ length: 6 }, (_, i) => base + i));
  }, 180_000);

  it('--sentinel: prints the master name, the sentinels know it, SIGINT leaves nothing', async () => {
    const base = await freeBase(3, 20_000);
    const proc = up(['--sentinel', '--replicas', '2', '--sentinels', '3', '--port', String(base)]);
    await proc.waitFor(/Ctrl-C or SIGTERM stops every node/, 120_000);
    expect(proc.stdout).toContain(`master name mymaster at 127.0.0.1:${base}`);
    const rows = proc.stdout.split('\n').filter((l) => /^[0-9a-f]{40} /.test(l));
    expect(rows.map((r) => r.split(/ +/)[1]).sort()).toEqual(['primary', 'replica', 'replica', 'sentinel', 'sentinel', 'sentinel']);
    for (let i = 0; i < 3; i++) {
      const addr = await redisCli(['-p', String(base + 20_000 + i), 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster']);
      expect(addr.output.trim().split('\n')).toEqual(['127.0.0.1', String(base)]);
    }
    expect((await redisCli(['-p', String(base), 'SET', 'k', 'v'])).output.trim()).toBe('OK');
    expect((await redisCli(['-p', String(base), 'WAIT', '2', '5000'])).output.trim()).toBe('2');
    await stopAndCheck(proc, 'SIGINT', [base, base + 1, base + 2, base + 20_000, base + 20_001, base + 20_002]);
  }, 180_000);

  it('Ctrl-C while the cluster forms stops what was started', async () => {
    const base = await freeBase(6, 10_000);
    const proc = up(['--cluster', '3x1', '--port', String(base)]);
    await proc.waitFor(/started (primary|replica)/, 60_000);
    const children = childPids(proc.pid);
    proc.child.kill('SIGINT');
    const exit = await proc.waitExit(30_000);
    expect(exit.code).toBe(0);
    expect(proc.stdout).toContain('stopped');
    expect(proc.stdout).not.toContain('cluster ok');
    await waitFor(() => children.every((pid) => !processRunning(pid)), 10_000, 'every process up started to end');
    for (let i = 0; i < 6; i++) expect(await portFree(base + i)).toBe(true);
  }, 90_000);

  it('names a busy port and starts nothing', async () => {
    const base = await freeBase(6, 10_000);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(base + 10_003, '127.0.0.1', resolve));
    try {
      const proc = up(['--cluster', '3x1', '--port', String(base)]);
      const exit = await proc.waitExit(30_000);
      expect(exit.code).toBe(1);
      expect(proc.stderr).toContain(`port ${base + 10_003} on 127.0.0.1 is busy`);
      expect(proc.stdout).not.toContain('started');
      for (let i = 0; i < 6; i++) expect(await portFree(base + i)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('refuses a malformed shape or a missing topology kind', async () => {
    const bad = up(['--cluster', '3', '--port', '7000']);
    expect((await bad.waitExit()).code).toBe(1);
    expect(bad.stderr).toContain("--cluster takes NxR (primaries x replicas per primary, e.g. 3x1), not '3'");
    const none = up([]);
    expect((await none.waitExit()).code).toBe(1);
    expect(none.stderr).toContain('cinnabar up needs either --cluster NxR or --sentinel');
  });
});

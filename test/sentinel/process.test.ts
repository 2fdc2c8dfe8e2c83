// The sentinel process: how it starts (cinnabar-sentinel, cinnabar-server --sentinel), how it
// refuses bad sentinel.conf files (the same text as redis-sentinel), its id and the state it
// keeps in its rewritten config file across a restart.

import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, haveProgram, run } from '../helpers/process.js';
import { freePort, waitForPort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';
import { SENTINEL_CLI, Topology, fieldsOf, sentinelMaster } from './topology.js';

const haveReference = haveProgram('redis-sentinel') && haveProgram('redis-server');

function configIn(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sentinel-conf-'));
  const file = join(dir, 'sentinel.conf');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Both programs' complaint about a config file (stderr and stdout, exit status). */
async function refusal(command: string, args: string[]): Promise<{ text: string; code: number | null }> {
  const proc = run(command, args);
  const exit = await proc.waitExit(10_000);
  // redis-server prints the fatal config error on stderr; the lines around it carry pids.
  return { text: proc.stderr.trim(), code: exit.code };
}

describe.skipIf(!haveReference)('sentinel.conf errors', () => {
  const cases: Array<[string, string[]]> = [
    ['unknown statement', ['sentinel nosuchoption x']],
    ['quorum 0', ['sentinel monitor m 127.0.0.1 6379 0']],
    ['unresolvable host', ['sentinel monitor m no.such.host.invalid 6379 2']],
    ['bad port', ['sentinel monitor m 127.0.0.1 70000 2']],
    ['duplicate master', ['sentinel monitor m 127.0.0.1 6379 2', 'sentinel monitor m 127.0.0.1 6380 2']],
    ['no such master', ['sentinel down-after-milliseconds other 1000']],
    ['zero down-after', ['sentinel monitor m 127.0.0.1 6379 2', 'sentinel down-after-milliseconds m 0']],
    ['bad myid', ['sentinel myid abc']],
    ['bad deny-scripts-reconfig', ['sentinel deny-scripts-reconfig maybe']],
    ['missing script', ['sentinel monitor m 127.0.0.1 6379 2', 'sentinel notification-script m /nonexistent/script.sh']],
    ['rename twice', ['sentinel monitor m 127.0.0.1 6379 2', 'sentinel rename-command m CONFIG X', 'sentinel rename-command m config Y']],
    // Per-master lines are read after the monitor lines, wherever they are in the file.
    ['order', ['sentinel config-epoch m 3', 'sentinel monitor m 127.0.0.1 6379 2', 'sentinel failover-timeout m -5']],
  ];
  for (const [name, lines] of cases) {
    it(name, async () => {
      const file = configIn(lines);
      const ours = await refusal(process.execPath, [SENTINEL_CLI, file]);
      const theirs = await refusal('redis-sentinel', [file]);
      expect(ours.code).toBe(1);
      expect(theirs.code).toBe(1);
      expect(ours.text).toBe(theirs.text);
    });
  }

  it('a sentinel line without sentinel mode', async () => {
    const file = configIn(['sentinel monitor m 127.0.0.1 6379 2']);
    const ours = await refusal(process.execPath, [CLI, file]);
    const theirs = await refusal('redis-server', [file]);
    expect(ours.text).toBe(theirs.text);
  });
});

describe('sentinel process', () => {
  const topology = new Topology();
  afterEach(() => topology.cleanup());

  it('refuses to run without a config file, as redis-sentinel does', async () => {
    const proc = run(process.execPath, [SENTINEL_CLI]);
    const exit = await proc.waitExit(10_000);
    expect(exit.code).toBe(1);
    expect(proc.output).toContain('Sentinel needs config file on disk to save state. Exiting...');
  });

  it('cinnabar-server --sentinel runs a sentinel on the port of its file', async () => {
    const port = await freePort();
    const file = configIn([`port ${port}`]);
    const proc = run(process.execPath, [CLI, file, '--sentinel']);
    try {
      await waitForPort(port, 15_000);
      await proc.waitFor(/Sentinel ID is [0-9a-f]{40}/);
      const c = topology.client(port);
      expect(await c.call('ROLE')).toEqual(['sentinel', []]);
      expect(await c.info('server')).toContain('redis_mode:sentinel');
    } finally {
      await proc.kill();
    }
  });

  it('picks an id, saves it with its state, and resumes from the file after a restart', async () => {
    const primary = await topology.redis();
    const replica = await topology.redis(primary.port);
    const s = await topology.sentinel([
      `sentinel monitor mymaster 127.0.0.1 ${primary.port} 1`,
      'sentinel down-after-milliseconds mymaster 2000',
    ]);
    const id = await s.client.call('SENTINEL', 'MYID') as string;
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    await waitFor(async () => readFileSync(s.configFile, 'latin1').includes(`sentinel known-replica mymaster 127.0.0.1 ${replica.port}`), 15_000, 'known-replica saved');
    const text = readFileSync(s.configFile, 'latin1');
    expect(text).toContain(`sentinel myid ${id}`);
    expect(text).toContain('sentinel down-after-milliseconds mymaster 2000');
    expect(text).toContain('sentinel current-epoch 0');
    expect(text).toContain('protected-mode no');
    // A sentinel's file keeps no save points.
    expect(text).not.toMatch(/^save /m);
    // SHUTDOWN answers by closing the connection (the client's call fails).
    const reply = await s.client.call('SHUTDOWN').then(() => 'replied', () => 'closed');
    expect(reply).toBe('closed');
    expect((await s.proc.waitExit(10_000)).code).toBe(0);
    const again = run(process.execPath, [SENTINEL_CLI, s.configFile], { cwd: s.dir });
    try {
      await waitForPort(s.port, 15_000);
      const c = topology.client(s.port);
      expect(await c.call('SENTINEL', 'MYID')).toBe(id);
      const replicas = await c.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[];
      expect(replicas.map((r) => fieldsOf(r).name)).toEqual([`127.0.0.1:${replica.port}`]);
      expect((await sentinelMaster(c))['down-after-milliseconds']).toBe('2000');
    } finally {
      await again.kill();
    }
  });

  it('runs the notification script for warning events', async () => {
    const primary = await topology.redis();
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sentinel-script-'));
    const script = join(dir, 'notify.sh');
    const out = join(dir, 'events.txt');
    writeFileSync(script, `#!/bin/sh\necho "$1 $2" >> ${out}\n`);
    chmodSync(script, 0o755);
    const s = await topology.sentinel([
      `sentinel monitor mymaster 127.0.0.1 ${primary.port} 1`,
      `sentinel notification-script mymaster ${script}`,
    ]);
    // +monitor is a warning event: the script hears about it.
    await waitFor(() => {
      try {
        return readFileSync(out, 'latin1').includes(`+monitor master mymaster 127.0.0.1 ${primary.port} quorum 1`);
      } catch {
        // Not written yet.
        return false;
      }
    }, 10_000, 'the notification script');
    expect(fieldsOf(await s.client.call('SENTINEL', 'MASTER', 'mymaster'))['notification-script']).toBe(script);
  });

  it('enters TILT when its timer was held up, and stops acting meanwhile', async () => {
    const primary = await topology.redis();
    const s = await topology.sentinel([`sentinel monitor mymaster 127.0.0.1 ${primary.port} 1`]);
    const sub = topology.client(s.port);
    const events: string[] = [];
    sub.on('message', (channel: string, message: string) => events.push(`${channel} ${message}`));
    await sub.subscribe('+tilt');
    expect(await s.client.call('SENTINEL', 'DEBUG', 'tilt-trigger', '300')).toBe('OK');
    // A stopped process sees, once resumed, that far more time passed than a timer period.
    s.proc.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 600));
    s.proc.child.kill('SIGCONT');
    await waitFor(() => events.length > 0, 10_000, '+tilt');
    expect(events[0]).toBe('+tilt #tilt mode entered');
    const info = await s.client.info('sentinel');
    expect(info).toContain('sentinel_tilt:1');
    expect(info).toMatch(/sentinel_tilt_since_seconds:\d+/);
  });
});

// Client reply buffers as Redis 7.0 sizes them: 16 KB for a new client, shrunk by the cron to
// 1 KB once its peak shows it needs less, doubled back (up to 16 KB) while its replies fill it;
// DEBUG REPLYBUFFER steers the cron. The same scenarios run on cinnabar and on redis-server and
// must see the same sizes. Also: CLIENT LIST tot-mem is the figure maxmemory-clients judges.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { describeDifferential, referenceAvailable } from '../helpers/differential.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

/** A field of the CLIENT LIST line of the client named `name`, as a number. */
async function clientField(admin: RawConnection, name: string, field: string): Promise<number> {
  const list = await admin.call('CLIENT', 'LIST');
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  if (line === undefined) throw new Error(`no client ${name} in ${list}`);
  const match = new RegExp(` ${field}=(\\d+)`).exec(line);
  if (match === null) throw new Error(`no ${field} in ${line}`);
  return Number(match[1]);
}

async function named(port: number, name: string): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  expect(await c.call('CLIENT', 'SETNAME', name)).toBe('+OK\r\n');
  return c;
}

/** An idle client's buffer shrinks to 1 KB; one reading 32 KB replies grows back to 16 KB. */
async function shrinkThenGrow(port: number): Promise<number[]> {
  const admin = await RawConnection.connect(port);
  const client = await named(port, 'sized');
  try {
    const seen = [await clientField(admin, 'sized', 'rbs')];
    await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100');
    await waitFor(async () => (await clientField(admin, 'sized', 'rbs')) === 1024, 5000, 'the idle buffer shrinking');
    seen.push(await clientField(admin, 'sized', 'rbs'));
    await admin.call('SET', 'bigval', 'x'.repeat(32768));
    await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never');
    await waitFor(async () => {
      await client.call('GET', 'bigval');
      return (await clientField(admin, 'sized', 'rbs')) >= 16384;
    }, 5000, 'the busy buffer growing');
    seen.push(await clientField(admin, 'sized', 'rbs'));
    // Filled every time, it stays at the most the cron gives it.
    for (let i = 0; i < 3; i++) await client.call('GET', 'bigval');
    seen.push(await clientField(admin, 'sized', 'rbs'));
    return seen;
  } finally {
    await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset');
    client.close();
    admin.close();
  }
}

/** With resizing off a buffer keeps its size; back on, the idle buffer shrinks. */
async function resizingOffThenOn(port: number): Promise<number[]> {
  const admin = await RawConnection.connect(port);
  try {
    await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0');
    await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100');
    const client = await named(port, 'fixed');
    // Nothing to await while nothing may happen: ten cron ticks at the default hz pass.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = [await clientField(admin, 'fixed', 'rbs')];
    await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1');
    await waitFor(async () => (await clientField(admin, 'fixed', 'rbs')) === 1024, 5000, 'the buffer shrinking');
    seen.push(await clientField(admin, 'fixed', 'rbs'));
    client.close();
    return seen;
  } finally {
    await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1');
    await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset');
    admin.close();
  }
}

describe('client reply buffer sizes', () => {
  let ours: RunningServer;
  let theirs: ReferenceServer | null = null;
  beforeAll(async () => {
    ours = await startCinnabar({ 'enable-debug-command': 'yes' });
    if (referenceAvailable) theirs = await startReferenceServer();
  });
  afterAll(async () => {
    await Promise.all([ours?.close(), theirs?.stop()]);
  });

  it('a new client has 16 KB; idle it shrinks to 1 KB, reading big replies it grows back to 16 KB', async () => {
    const seen = await shrinkThenGrow(ours.port);
    expect(seen).toEqual([16384, 1024, 16384, 16384]);
    if (theirs !== null) expect(await shrinkThenGrow(theirs.port)).toEqual(seen);
  });

  it('DEBUG REPLYBUFFER RESIZING 0 keeps the sizes until resizing is on again', async () => {
    const seen = await resizingOffThenOn(ours.port);
    expect(seen).toEqual([16384, 1024]);
    if (theirs !== null) expect(await resizingOffThenOn(theirs.port)).toEqual(seen);
  });

  it('CLIENT LIST tot-mem is what maxmemory-clients judges', async () => {
    const admin = await named(ours.port, 'control');
    const holders: RawConnection[] = [];
    try {
      await admin.call('CLIENT', 'NO-EVICT', 'on');
      await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0');
      // Three clients each holding an incomplete request with a 100 KB argument.
      for (let i = 0; i < 3; i++) {
        const holder = await named(ours.port, `holder-${i}`);
        holders.push(holder);
        holder.write(`*2\r\n$102400\r\n${'v'.repeat(102400)}`);
        // All of it (qbuf), not only its buffer (tot-mem passes 100 KB at the first piece): a
        // figure still moving would not be the one CLIENT LIST gave below.
        await waitFor(async () => (await clientField(admin, `holder-${i}`, 'qbuf')) >= 102400, 5000, 'the argument arriving');
      }
      const list = await admin.call('CLIENT', 'LIST');
      const total = [...list.matchAll(/ tot-mem=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      // Redis evicts while the clients' memory is at or above the limit; the control client's
      // figure in the list counted the arguments of its CLIENT LIST, which then are gone.
      expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', String(total))).toBe('+OK\r\n');
      expect((await admin.call('CLIENT', 'LIST')).match(/name=holder-/g)).toHaveLength(3);
      expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', String(total - 50_000))).toBe('+OK\r\n');
      expect((await admin.call('CLIENT', 'LIST')).match(/name=holder-/g)).toHaveLength(2);
    } finally {
      await admin.call('CONFIG', 'SET', 'maxmemory-clients', '0');
      await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1');
      for (const holder of holders) holder.close();
      admin.close();
    }
  });
});

describeDifferential('DEBUG REPLYBUFFER', (servers) => {
  it('replies and errors as redis-server', async () => {
    await servers.run([
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never'],
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'Reset'],
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'abc'],
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '250'],
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset'],
      ['DEBUG', 'REPLYBUFFER', 'RESIZING'],
      ['DEBUG', 'REPLYBUFFER', 'RESIZING', '1', 'extra'],
      ['DEBUG', 'REPLYBUFFER', 'SIZE', '1'],
      ['DEBUG', 'REPLYBUFFER', 'resizing', '1'],
    ]);
  });
});

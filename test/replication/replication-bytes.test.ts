// INFO's replication traffic on a replica: total_net_repl_input_bytes counts the snapshot and the
// stream read from the primary (not the handshake), apart from clients' total_net_input_bytes, and
// instantaneous_input_repl_kbps follows it.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';
import { serverPair } from './helpers.js';

function field(info: string, name: string): number {
  const match = new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info);
  if (match === null) throw new Error(`no ${name} in INFO`);
  return Number(match[1]);
}

describe('replication bytes in INFO', () => {
  const pair = serverPair();

  it('counts the snapshot and the stream read from the primary', async () => {
    const { primary, toPrimary, toReplica } = pair;
    expect(await toPrimary.call('SET', 'before-sync', randomBytes(15_000).toString('base64'))).toBe('+OK\r\n');
    expect(await toReplica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
    const offset = async (): Promise<number> => field(await toPrimary.call('INFO', 'replication'), 'master_repl_offset');
    const replStats = async (): Promise<string> => toReplica.call('INFO', 'stats');
    // The snapshot held the 20 KB value (random bytes: LZF cannot shrink it).
    const afterSync = field(await replStats(), 'total_net_repl_input_bytes');
    expect(afterSync).toBeGreaterThan(20_000);
    const inputBefore = field(await replStats(), 'total_net_input_bytes');
    const offsetBefore = await offset();
    for (let i = 0; i < 20; i++) expect(await toPrimary.call('SET', `k${i}`, 'v'.repeat(10_000))).toBe('+OK\r\n');
    const offsetAfter = await offset();
    await waitFor(async () => field(await replStats(), 'total_net_repl_input_bytes') - afterSync >= offsetAfter - offsetBefore,
      10_000, 'the stream counted');
    const stats = await replStats();
    // Stream bytes are not client input: only this test's INFO calls were.
    expect(field(stats, 'total_net_input_bytes') - inputBefore).toBeLessThan(1000);
    // The rates are sampled by the cron (every 100 ms): the sample that saw the stream may be next.
    await waitFor(async () => field(await replStats(), 'instantaneous_input_repl_kbps') > 0, 5_000, 'the input rate');
    await waitFor(async () => field(await toPrimary.call('INFO', 'stats'), 'instantaneous_output_repl_kbps') > 0, 5_000, 'the output rate');
  });
});

describe('bind-source-addr', () => {
  it('makes the replica\'s link to its primary leave from that local address', async () => {
    // Protected mode, as Redis's, only trusts 127.0.0.1 and ::1 among loopback addresses.
    const primary = await startCinnabar({ 'protected-mode': 'no' });
    const replica = await startCinnabar({ 'bind-source-addr': '127.0.0.2' });
    const toPrimary = await RawConnection.connect(primary.port);
    const toReplica = await RawConnection.connect(replica.port);
    try {
      expect(await toReplica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
      await waitFor(async () => (await toReplica.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
      expect(await toPrimary.call('INFO', 'replication')).toMatch(/^slave0:ip=127\.0\.0\.2,/m);
    } finally {
      toPrimary.close();
      toReplica.close();
      await replica.close();
      await primary.close();
    }
  });
});

// A replica proxies its primary's bytes into its own stream (sub-replicas see the primary's
// offsets): it must not also encode each command it applies. Its propagator has no stream
// listener while it follows a primary, and gets one back when promoted, whose first unit
// selects its db (whoever reads the new stream has no earlier SELECT).

import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { serverPair } from './helpers.js';
import { PROPAGATE_REPL, type PropagatedUnit } from '../../src/engine/propagation.js';

describe('a replica\'s own writes and its stream', () => {
  const pair = serverPair();

  it('applies without encoding while it follows, and streams its own writes once promoted', async () => {
    const { primary, replica, toPrimary, toReplica } = pair;
    expect(await toReplica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
    expect(replica.server.propagator.hasListeners).toBe(false);
    expect(await toPrimary.call('SELECT', '3')).toBe('+OK\r\n');
    expect(await toPrimary.call('SET', 'k', 'v')).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('SELECT', '3')) === '+OK\r\n' && (await toReplica.call('GET', 'k')) === '$1\r\nv\r\n', 10_000, 'the write on the replica');
    // Proxied verbatim: both streams are at the same offset.
    const offset = (text: string): string | undefined => /master_repl_offset:(\d+)/.exec(text)?.[1];
    await waitFor(async () => offset(await toReplica.call('INFO', 'replication')) === offset(await toPrimary.call('INFO', 'replication')), 10_000, 'equal offsets');

    expect(await toReplica.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    expect(replica.server.propagator.hasListeners).toBe(true);
    const units: Buffer[] = [];
    const listener = (unit: PropagatedUnit): void => { units.push(unit.owned()); };
    replica.server.propagator.subscribe(listener, PROPAGATE_REPL);
    try {
      expect(await toReplica.call('SET', 'k', 'w')).toBe('+OK\r\n');
      expect(Buffer.concat(units).toString('latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nw\r\n');
    } finally {
      replica.server.propagator.unsubscribe(listener);
    }
  });
});

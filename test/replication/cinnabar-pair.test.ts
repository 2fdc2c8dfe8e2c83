// Cinnabar on both sides of a link: a cinnabar replica of a cinnabar primary gets the dataset and
// follows writes, and it applies the primary's stream whatever its own users may do (Redis runs
// its master client as the superuser, outside ACL).

import { afterEach, describe, expect, it } from 'vitest';
import { connectTo, digest, info, loadDataset, startCinnabarNode, stopAll, waitInSync } from './topology.js';

afterEach(async () => {
  await stopAll();
});

describe('a cinnabar replica of cinnabar', () => {
  it('applies the stream while its default user may not run the commands it carries', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    await loadDataset(primary.conn, 'pre', 300);
    const replica = await startCinnabarNode();
    // The default user keeps what the test needs (REPLICAOF, INFO, DEBUG) and loses every write.
    expect(await replica.conn.call('ACL', 'SETUSER', 'default', '-@write')).toBe('+OK\r\n');
    expect(await replica.conn.call('SET', 'mine', '1')).toMatch(/^-NOPERM /);
    expect(await replica.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitInSync(primary, replica);

    const writer = await connectTo(primary);
    for (let i = 0; i < 300; i++) {
      writer.send('SET', `live:${i}`, String(i), 'PX', '600000');
      writer.send('INCR', 'live:counter');
      writer.send('RPUSH', 'live:list', String(i));
    }
    for (let i = 0; i < 900; i++) await writer.readReply();
    await waitInSync(primary, replica);

    expect(await digest(replica)).toBe(await digest(primary));
    const clients = await replica.conn.call('CLIENT', 'LIST', 'TYPE', 'master');
    expect(clients).toMatch(/ flags=M .* user=\(superuser\) /);
    const repl = await info(replica.conn, 'replication');
    expect(repl.get('role')).toBe('slave');
    expect(repl.get('master_link_status')).toBe('up');
  }, 60_000);
});

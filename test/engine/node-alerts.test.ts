// The dispatcher skips its check list for plain clients while the node is quiet (NodeAlerts).
// Whatever turns a node-wide condition on must end the quiet at once: the next command from
// another, plain client is refused or held in the same event-loop turn, not a cron tick later.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Server } from '../../src/server/server.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { freePort } from '../helpers/net.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

describe('node alerts end the quiet fast path at once', () => {
  let running: RunningServerInternal;
  let server: Server;
  let admin: RawConnection;
  let plain: RawConnection;

  beforeAll(async () => {
    running = await startCinnabar();
    server = running.server;
    admin = await RawConnection.connect(running.port);
    plain = await RawConnection.connect(running.port);
  });

  afterAll(async () => {
    admin.close();
    plain.close();
    await running.close();
  });

  beforeEach(async () => {
    // Each case starts from a quiet node, so the plain client's command would skip the checks.
    await waitFor(() => server.nodeAlerts.quiet, 5000, 'the node to be quiet');
  });

  it('maxmemory set by CONFIG SET refuses the next write', async () => {
    expect(await admin.call('CONFIG', 'SET', 'maxmemory', '1')).toBe('+OK\r\n');
    try {
      expect(await plain.call('SET', 'k', 'v')).toMatch(/^-OOM command not allowed/);
    } finally {
      await admin.call('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  it('min-replicas-to-write refuses the next write', async () => {
    expect(await admin.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('+OK\r\n');
    try {
      expect(await plain.call('SET', 'k', 'v')).toMatch(/^-NOREPLICAS /);
    } finally {
      await admin.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
    }
  });

  it('REPLICAOF makes the next write READONLY', async () => {
    const nobody = await freePort();
    expect(await admin.call('REPLICAOF', '127.0.0.1', String(nobody))).toBe('+OK\r\n');
    try {
      expect(await plain.call('SET', 'k', 'v')).toMatch(/^-READONLY /);
    } finally {
      await admin.call('REPLICAOF', 'NO', 'ONE');
    }
  });

  it('CLIENT PAUSE WRITE holds the next write until CLIENT UNPAUSE', async () => {
    expect(await admin.call('SET', 'paused', 'before')).toBe('+OK\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
    const held = plain.call('SET', 'paused', 'after');
    try {
      await waitFor(async () => {
        const line = (await admin.call('CLIENT', 'LIST')).split('\n').find((entry) => entry.includes('cmd=set'));
        return line !== undefined && /flags=\S*b/.test(line);
      }, 5000, 'the write to be held');
      expect(await admin.call('GET', 'paused')).toBe('$6\r\nbefore\r\n');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    expect(await held).toBe('+OK\r\n');
    expect(await admin.call('GET', 'paused')).toBe('$5\r\nafter\r\n');
  });

  it('a script past busy-reply-threshold makes the next command BUSY', async () => {
    expect(await admin.call('CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK\r\n');
    await waitFor(() => server.nodeAlerts.quiet, 5000, 'the node to be quiet again');
    const script = admin.call('EVAL', 'while true do end', '0');
    try {
      // The plain client's GET is read only once the script yields, which it does once past the threshold.
      expect(await plain.call('GET', 'k')).toMatch(/^-BUSY /);
    } finally {
      expect(await plain.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
      expect(await script).toMatch(/^-ERR Script killed by user/);
      await admin.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    }
  });
});

describe('cluster routing on a quiet node', () => {
  let running: RunningServerInternal;
  let plain: RawConnection;

  beforeAll(async () => {
    running = await startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': await freePort() });
    plain = await RawConnection.connect(running.port);
  });

  afterAll(async () => {
    plain.close();
    await running.close();
  });

  it('lets a cluster node be quiet, and still routes every keyed command of a plain client', async () => {
    // Slot 12539 ("k") unassigned: the cluster is down and the slot not served.
    await waitFor(() => running.server.nodeAlerts.quiet, 5000, 'the cluster node to be quiet');
    expect(await plain.call('SET', 'k', 'v')).toBe('-CLUSTERDOWN Hash slot not served\r\n');
    expect(await plain.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')).toBe('+OK\r\n');
    await waitFor(async () => (await plain.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 10_000, 'cluster_state:ok');
    await waitFor(() => running.server.nodeAlerts.quiet, 5000, 'the cluster node to be quiet again');
    expect(await plain.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await plain.call('MSET', 'a', '1', 'b', '2')).toBe('-CROSSSLOT Keys in request don\'t hash to the same slot\r\n');
    expect(running.server.nodeAlerts.quiet).toBe(true);
  });
});

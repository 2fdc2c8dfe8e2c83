// The test helpers' check that a port is held by the server a test started, not by another
// test's server that took the port first (the cause of connections closing under a test).

import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ListenerExitedError, ownsListener, waitForPort } from '../helpers/net.js';

function listen(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

describe('port ownership', () => {
  it('tells the listening process from another one', async () => {
    const { server, port } = await listen();
    try {
      expect(ownsListener(process.pid, port)).toBe(true);
      expect(ownsListener(process.ppid, port)).toBe(false);
      await waitForPort(port, 2000, process.pid);
    } finally {
      server.close();
    }
  });

  it('gives up at once when the owner exits while another process holds the port', async () => {
    const { server, port } = await listen();
    try {
      const child = spawn(process.execPath, ['-e', 'process.exit(1)'], { stdio: 'ignore' });
      const pid = child.pid!;
      await new Promise((resolve) => child.once('exit', resolve));
      const started = Date.now();
      await expect(waitForPort(port, 10_000, pid)).rejects.toBeInstanceOf(ListenerExitedError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      server.close();
    }
  });
});

describe('port ownership over IPv6', () => {
  it('finds a listener bound to "::" (listed in /proc/net/tcp6 only)', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '::', () => resolve((server.address() as net.AddressInfo).port));
    });
    try {
      expect(ownsListener(process.pid, port)).toBe(true);
    } finally {
      server.close();
    }
  });
});

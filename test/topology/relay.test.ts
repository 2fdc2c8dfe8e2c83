// The loopback relays of src/topology/relay.ts, in one process: an echo server stands behind a
// relay host; a second host's "node" is this test process itself, so the connections it opens
// count as that host's. Cutting either end blackholes the traffic (nothing arrives, nothing is
// reset, a new connection is accepted and held), healing delivers what was sent meanwhile; the
// lab's removal closes every relay.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/topology/ports.js';
import { RelayLab } from '../../src/topology/relay.js';
import { waitFor } from '../helpers/wait.js';

/** How long "nothing arrives" is watched for: a blackhole has no event to await. */
const QUIET_MS = 300;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function echoServer(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.pipe(socket));
  cleanups.push(() => server.close());
  return new Promise((resolve) => server.listen({ host, port }, () => resolve(server)));
}

class Peer {
  received = '';
  closed = false;
  readonly socket: net.Socket;
  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (d: Buffer) => { this.received += d.toString(); });
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('error', () => { this.closed = true; });
    cleanups.push(() => this.socket.destroy());
  }
  async connected(): Promise<void> {
    if (!this.socket.connecting) return;
    await new Promise((resolve) => this.socket.once('connect', resolve));
  }
}

async function quietly(peer: Peer, expected: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  expect(peer.received).toBe(expected);
  expect(peer.closed).toBe(false);
}

describe('RelayLab', () => {
  it('forwards, blackholes a cut host both ways (its own connections included) and delivers after the heal', async () => {
    const lab = new RelayLab();
    cleanups.push(() => lab.remove());
    const [nodePort, selfPort] = await freePorts(2);
    const node = await lab.addHost([nodePort], () => null);
    expect(node.ip).toMatch(/^127\.213\.\d+\.2$/);
    await echoServer(node.ip, nodePort);
    // This process plays the second host's node: what it opens is that host's traffic.
    const self = await lab.addHost([selfPort], () => process.pid);

    const early = new Peer(nodePort);
    early.socket.write('a');
    await waitFor(() => early.received === 'a', 5000, 'the echo through the relay');

    // The second host is cut: its connection to the first is blackholed, not reset.
    lab.cut(self);
    early.socket.write('b');
    const during = new Peer(nodePort);
    await during.connected();
    during.socket.write('c');
    await quietly(early, 'a');
    await quietly(during, '');
    lab.heal(self);
    await waitFor(() => early.received === 'ab' && during.received === 'c', 5000, 'the traffic held by the cut to arrive');

    // The first host is cut: every connection to it stops, whoever made it.
    lab.cut(node);
    early.socket.write('d');
    await quietly(early, 'ab');
    lab.heal(node);
    await waitFor(() => early.received === 'abd', 5000, 'the echo after the heal');

    lab.remove();
    await waitFor(() => early.closed && during.closed, 5000, 'the relay connections to close with the lab');
    const refused = new Peer(nodePort);
    await waitFor(() => refused.closed, 5000, 'a connection to a removed relay to fail');
  });

  it('stops reading a sender while the node does not read, instead of buffering without bound', async () => {
    const lab = new RelayLab();
    cleanups.push(() => lab.remove());
    const [port] = await freePorts(1);
    const host = await lab.addHost([port], () => null);
    let nodeSide: net.Socket | null = null;
    const server = net.createServer({ pauseOnConnect: true }, (socket) => { nodeSide = socket; });
    cleanups.push(() => { nodeSide?.destroy(); server.close(); });
    await new Promise<void>((resolve) => server.listen({ host: host.ip, port }, resolve));
    const sender = new Peer(port);
    await sender.connected();
    // 64 MB offered; the node reads nothing, so the sender's own buffer must fill up.
    const chunk = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < 64; i++) sender.socket.write(chunk);
    await waitFor(() => nodeSide !== null, 5000, 'the relay to connect to the node');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    // What left the sender is in kernel buffers and the relay's bounded one: far less than offered.
    const stuck = sender.socket.writableLength;
    expect(stuck).toBeGreaterThan(32 * 1024 * 1024);
    (nodeSide as net.Socket | null)?.resume();
    await waitFor(() => sender.socket.writableLength === 0, 20_000, 'everything to flow once the node reads');
  });
});

// Peer addresses: Redis's islocalClient() rule and anetFormatAddr's format, including the
// IPv4-mapped form Node's dual-stack listener reports for IPv4 peers.
import { describe, expect, it } from 'vitest';
import { formatPeerAddress, isLocalPeer, peerIp } from '../../src/util/net-address.js';

describe('net-address', () => {
  it('treats exactly 127.0.0.1 and ::1 as local, mapped or not', () => {
    expect(isLocalPeer('127.0.0.1')).toBe(true);
    expect(isLocalPeer('::ffff:127.0.0.1')).toBe(true);
    expect(isLocalPeer('::1')).toBe(true);
    // Redis compares the peer IP with strcmp: other loopback-range addresses are remote.
    expect(isLocalPeer('127.0.0.2')).toBe(false);
    expect(isLocalPeer('::ffff:127.1.2.3')).toBe(false);
    expect(isLocalPeer('10.0.0.1')).toBe(false);
    expect(isLocalPeer('::ffff:10.0.0.1')).toBe(false);
    expect(isLocalPeer(undefined)).toBe(false);
  });

  it('unwraps IPv4-mapped addresses only', () => {
    expect(peerIp('::ffff:192.168.1.5')).toBe('192.168.1.5');
    expect(peerIp('fe80::1')).toBe('fe80::1');
  });

  it('formats ip:port with IPv6 in brackets', () => {
    expect(formatPeerAddress('127.0.0.1', 6379)).toBe('127.0.0.1:6379');
    expect(formatPeerAddress('::ffff:127.0.0.1', 5000)).toBe('127.0.0.1:5000');
    expect(formatPeerAddress('::1', 6379)).toBe('[::1]:6379');
    expect(formatPeerAddress(undefined, 1)).toBe('?:0');
  });
});

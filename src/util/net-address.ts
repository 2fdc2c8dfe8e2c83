// Peer addresses as Redis shows and judges them. Node's dual-stack listener ("::" without
// ipv6Only) reports IPv4 peers in IPv4-mapped form ("::ffff:127.0.0.1"); Redis listens on
// separate IPv4 and IPv6 sockets and sees the plain IPv4 address, so the mapping is dropped
// before formatting or comparing.

const IPV4_MAPPED_PREFIX = '::ffff:';

/** The peer IP as Redis would see it (IPv4-mapped IPv6 addresses unwrapped). */
export function peerIp(address: string): string {
  return address.startsWith(IPV4_MAPPED_PREFIX) ? address.slice(IPV4_MAPPED_PREFIX.length) : address;
}

/**
 * Redis's islocalClient(): exactly 127.0.0.1 or ::1 (other 127/8 addresses are remote to it).
 * Unix-socket clients are local too, but Cinnabar listens on TCP only. Decides protected mode,
 * enable-debug-command local and enable-protected-configs local.
 */
export function isLocalPeer(socketAddress: string | undefined): boolean {
  if (socketAddress === undefined) return false;
  const ip = peerIp(socketAddress);
  return ip === '127.0.0.1' || ip === '::1';
}

/** anetFormatAddr's "ip:port", IPv6 in brackets ("[::1]:6379"), as CLIENT LIST addr/laddr show. */
export function formatPeerAddress(socketAddress: string | undefined, port: number | undefined): string {
  if (socketAddress === undefined) return '?:0';
  const ip = peerIp(socketAddress);
  return ip.includes(':') ? `[${ip}]:${port ?? 0}` : `${ip}:${port ?? 0}`;
}

// CONFIG SET port/bind must answer whether the new address can be listened on before replying,
// as Redis's synchronous listen() does. Node only listens asynchronously, so a short-lived child
// process tries the bind synchronously for us; the server then re-listens for real.

import { spawnSync } from 'node:child_process';

/** Listens on each host at `port` in a child process; returns the first failure, or null. */
const PROBE = `
const net = require('node:net');
const [port, ...hosts] = process.argv.slice(1);
let pending = hosts.length;
const servers = [];
if (pending === 0) process.exit(0);
for (const host of hosts) {
  const s = net.createServer();
  s.once('error', (e) => { process.stdout.write(e.code || e.message); process.exit(1); });
  s.listen({ host, port: Number(port), ipv6Only: host.includes(':') && host !== '::', exclusive: true }, () => {
    servers.push(s);
    if (--pending === 0) process.exit(0);
  });
}
`;

const PROBE_TIMEOUT_MS = 5000;

/** Error text of a failed probe (e.g. "EADDRINUSE"), or null when every host can be bound. */
export function probeListen(hosts: readonly string[], port: number): string | null {
  const result = spawnSync(process.execPath, ['-e', PROBE, String(port), ...hosts], {
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
  });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  return result.stdout.trim() === '' ? 'unknown error' : result.stdout.trim();
}

/** The hosts a bind value listens on ('*' and '::*' as Node spells them, '-' prefixes dropped). */
export function bindHosts(bind: string): string[] {
  const words = bind.split(' ').filter((w) => w !== '');
  const hosts = words.length === 0 ? ['*', '-::*'] : words;
  const out: string[] = [];
  for (const h of hosts) {
    if (h.startsWith('-')) continue; // optional addresses never fail a bind
    out.push(h === '*' ? '0.0.0.0' : h === '::*' ? '::' : h);
  }
  return out;
}

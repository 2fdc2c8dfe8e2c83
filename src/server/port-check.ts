// CONFIG SET port/bind must answer whether the new address can be listened on before replying,
// as Redis's synchronous listen() does. Node only listens asynchronously, so a short-lived child
// process tries the bind synchronously for us; the server then re-listens for real.

import { spawnSync } from 'node:child_process';

/** Listens on each host given at the port given, in a child process; prints the first failure. */
const PROBE = `
const net = require('node:net');
const [port, ...hosts] = process.argv.slice(1);
let pending = hosts.length;
const servers = [];
if (pending === 0) process.exit(0);
for (const host of hosts) {
  const s = net.createServer();
  s.once('error', (e) => { process.stdout.write(hosts.indexOf(host) + ' ' + (e.code || e.message)); process.exit(1); });
  s.listen({ host, port: Number(port), ipv6Only: host.includes(':') && host !== '::', exclusive: true }, () => {
    servers.push(s);
    if (--pending === 0) process.exit(0);
  });
}
`;

const PROBE_TIMEOUT_MS = 5000;

/** Where a probe failed: the bind word as Redis names it, and the error code ("EADDRINUSE"). */
export interface ProbeFailure {
  label: string;
  code: string;
}

/** Tries every address in a child process; returns the first failure, or null when all can be bound. */
export function probeListen(targets: readonly BindHost[], port: number): ProbeFailure | null {
  const result = spawnSync(process.execPath, ['-e', PROBE, String(port), ...targets.map((t) => t.host)], {
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
  });
  if (result.error) return { label: targets[0]?.label ?? '*', code: result.error.message };
  if (result.status === 0) return null;
  const m = /^(\d+) (\S+)/.exec(result.stdout.trim());
  if (m === null) return { label: targets[0]?.label ?? '*', code: 'unknown error' };
  return { label: targets[Number(m[1])]?.label ?? '*', code: m[2] };
}

/** One address to probe: as Node spells it, and as the bind directive named it. */
export interface BindHost {
  host: string;
  label: string;
}

/** The hosts a bind value listens on ('*' and '::*' as Node spells them, '-' prefixes dropped). */
export function bindHosts(bind: string): BindHost[] {
  // An empty bind opens no TCP address (see bindPlan).
  const hosts = bind.split(' ').filter((w) => w !== '');
  const out: BindHost[] = [];
  for (const h of hosts) {
    if (h.startsWith('-')) continue; // optional addresses never fail a bind
    out.push({ host: h === '*' ? '0.0.0.0' : h === '::*' ? '::' : h, label: h });
  }
  return out;
}

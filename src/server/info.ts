// INFO: Redis's sections and field names, assembled from the server's live state.

import type { Server } from './server.js';
import { REDIS_VERSION } from './server.js';

type SectionBuilder = (server: Server) => Array<[string, string | number]>;

const SECTIONS: Record<string, SectionBuilder> = {
  server: (s) => [
    ['redis_version', REDIS_VERSION],
    ['redis_mode', 'standalone'],
    ['process_id', process.pid],
    ['run_id', s.runId],
    ['tcp_port', s.port],
    ['uptime_in_seconds', Math.floor((Date.now() - s.startTimeMs) / 1000)],
  ],
  clients: (s) => [
    ['connected_clients', s.clientsById.size],
  ],
  keyspace: (s) => {
    const out: Array<[string, string]> = [];
    for (const db of s.keyspace.dbs) {
      if (db.size === 0) continue;
      out.push([`db${db.id}`, `keys=${db.size},expires=${db.expiresCount},avg_ttl=0`]);
    }
    return out;
  },
};

const DEFAULT_SECTIONS = ['server', 'clients', 'keyspace'];

export function buildInfo(server: Server, requested: readonly string[]): string {
  const names = requested.length === 0 || requested.includes('default') || requested.includes('all') || requested.includes('everything')
    ? DEFAULT_SECTIONS
    : requested.filter((n) => SECTIONS[n] !== undefined);
  const parts: string[] = [];
  for (const name of names) {
    const title = name[0].toUpperCase() + name.slice(1);
    const lines = [`# ${title}`];
    for (const [k, v] of SECTIONS[name](server)) lines.push(`${k}:${v}`);
    parts.push(lines.join('\r\n') + '\r\n');
  }
  return parts.join('\r\n');
}

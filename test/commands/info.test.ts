import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

/** The text of a bulk ($) or verbatim (=) reply. */
function body(reply: string): string {
  const text = reply.slice(reply.indexOf('\r\n') + 2, -2);
  return reply.startsWith('=') ? text.slice(4) : text;
}

function sectionTitles(text: string): string[] {
  return text.split('\r\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
}

describe('INFO', () => {
  let server: RunningServer;
  let c: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar();
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
  });

  it('default, all and everything select Redis 7.0 sections in order', async () => {
    const defaults = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace'];
    expect(sectionTitles(body(await c.call('INFO')))).toEqual(defaults);
    expect(sectionTitles(body(await c.call('INFO', 'default')))).toEqual(defaults);
    const all = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace'];
    expect(sectionTitles(body(await c.call('INFO', 'all')))).toEqual(all);
    expect(sectionTitles(body(await c.call('INFO', 'EVERYTHING')))).toEqual(all);
    expect(sectionTitles(body(await c.call('INFO', 'cpu', 'SERVER', 'nosuch')))).toEqual(['Server', 'CPU']);
    expect(body(await c.call('INFO', 'nosuch'))).toBe('');
  });

  it('uses CRLF, blank lines between sections, and a verbatim string in RESP3', async () => {
    const text = body(await c.call('INFO', 'server', 'cluster'));
    expect(text).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\nredis_git_sha1:/);
    expect(text).toMatch(/\r\ncinnabar_version:[\d.]+\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n$/);
    expect(text).toContain(`tcp_port:${server.port}\r\n`);
    expect(text).toContain(`process_id:${process.pid}\r\n`);
    const r3 = await RawConnection.connect(server.port);
    await r3.call('HELLO', '3');
    expect(await r3.call('INFO', 'cluster')).toBe('=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
    r3.close();
  });

  it('reports keyspace, dirty counter, hits and misses, error and command stats', async () => {
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SET', 'k', 'v');
    await c.call('SET', 'e', 'v', 'EX', '100');
    await c.call('GET', 'k');
    await c.call('GET', 'missing');
    await c.call('NOSUCHCMD');
    await c.call('GET');
    const text = body(await c.call('INFO', 'everything'));
    expect(text).toMatch(/\r\ndb0:keys=2,expires=1,avg_ttl=\d{5}\r\n/);
    expect(text).toMatch(/\r\nkeyspace_hits:1\r\nkeyspace_misses:1\r\n/);
    expect(text).toMatch(/\r\nrdb_changes_since_last_save:[1-9]\d*\r\n/);
    expect(text).toMatch(/\r\ncmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/);
    expect(text).toMatch(/\r\nerrorstat_ERR:count=2\r\n/);
    expect(text).toMatch(/\r\ntotal_error_replies:2\r\n/);
    expect(text).toMatch(/\r\nlatency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/);
    expect(text).toMatch(/\r\nused_memory_human:[\d.]+[BKMG]\r\n/);
    expect(text).toMatch(/\r\nmem_allocator:libc\r\n/);
    expect(text).toMatch(/\r\nrole:master\r\nconnected_slaves:0\r\n/);
    expect(text).toMatch(/\r\nused_cpu_user:\d+\.\d{6}\r\n/);
  });

  it('honours latency-tracking and latency-tracking-info-percentiles', async () => {
    await c.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99.99');
    expect(body(await c.call('INFO', 'latencystats'))).toMatch(/latency_percentiles_usec_set:p50=[\d.]+,p99\.99=[\d.]+\r\n/);
    await c.call('CONFIG', 'SET', 'latency-tracking', 'no');
    expect(body(await c.call('INFO', 'latencystats'))).toBe('# Latencystats\r\n');
    await c.call('CONFIG', 'SET', 'latency-tracking', 'yes', 'latency-tracking-info-percentiles', '50 99 99.9');
  });
});

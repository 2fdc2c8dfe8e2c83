import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('server administration commands', () => {
  let server: RunningServerInternal;
  let c: RawConnection;
  const open: RawConnection[] = [];
  beforeAll(async () => {
    server = await startCinnabar({ 'enable-debug-command': 'yes' });
    c = await RawConnection.connect(server.port);
    open.push(c);
  });
  afterAll(async () => {
    for (const o of open) o.close();
    await server.close();
  });

  it('TIME and LASTSAVE', async () => {
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(await c.call('TIME'));
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(m![2])).toBeLessThan(1_000_000);
    expect(await c.call('LASTSAVE')).toBe(`:${server.server.persistence.lastSaveTimeSec}\r\n`);
  });

  it('SLOWLOG records slow commands with client name, truncates, and resets', async () => {
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '100000');
    await c.call('SLOWLOG', 'RESET');
    await c.call('CLIENT', 'SETNAME', 'slowpoke');
    await c.call('PING');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':0\r\n');
    await c.call('DEBUG', 'SLEEP', '0.15');
    const entry = await c.call('SLOWLOG', 'GET');
    expect(entry).toMatch(/^\*1\r\n\*6\r\n:\d+\r\n:\d+\r\n:(\d+)\r\n\*3\r\n\$5\r\nDEBUG\r\n\$5\r\nSLEEP\r\n\$4\r\n0\.15\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$8\r\nslowpoke\r\n$/);
    expect(Number(/:(\d+)\r\n\*3/.exec(entry)![1])).toBeGreaterThanOrEqual(100000);
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '3');
    await c.call('SLOWLOG', 'RESET');
    await c.call('SET', 'k', 'A'.repeat(130));
    const long = await c.call('SLOWLOG', 'GET', '1');
    expect(long).toContain(`$${128 + 18}\r\n${'A'.repeat(128)}... (2 more bytes)\r\n`);
    for (let i = 0; i < 5; i++) await c.call('PING');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':3\r\n');
    expect(await c.call('SLOWLOG', 'GET', '-2')).toBe('-ERR count should be greater than or equal to -1\r\n');
    expect(await c.call('SLOWLOG', 'GET', '0')).toBe('*0\r\n');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128');
    await c.call('CLIENT', 'SETNAME', '');
  });

  it('LATENCY: events, history, reset, doctor, graph, histogram', async () => {
    expect(await c.call('LATENCY', 'DOCTOR')).toMatch(/Latency monitoring is off/);
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '50');
    await c.call('DEBUG', 'SLEEP', '0.1');
    const latest = await c.call('LATENCY', 'LATEST');
    expect(latest).toMatch(/^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:\d+\r\n:(\d+)\r\n:\d+\r\n$/);
    expect(await c.call('LATENCY', 'HISTORY', 'command')).toMatch(/^\*1\r\n\*2\r\n:\d+\r\n:\d{3}\r\n$/);
    expect(await c.call('LATENCY', 'HISTORY', 'nosuch')).toBe('*0\r\n');
    expect(await c.call('LATENCY', 'GRAPH', 'nosuch')).toBe("-ERR No samples available for event 'nosuch'\r\n");
    expect(await c.call('LATENCY', 'GRAPH', 'command')).toMatch(/command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    expect(await c.call('LATENCY', 'DOCTOR')).toMatch(/1\. command: 1 latency spikes/);
    expect(await c.call('LATENCY', 'RESET', 'nosuch')).toBe(':0\r\n');
    expect(await c.call('LATENCY', 'RESET')).toBe(':1\r\n');
    expect(await c.call('LATENCY', 'LATEST')).toBe('*0\r\n');
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SET', 'a', 'b');
    await c.call('SET', 'a', 'c');
    await c.call('CLIENT', 'ID');
    expect(await c.call('LATENCY', 'HISTOGRAM', 'set', 'nosuch')).toMatch(
      /^\*2\r\n\$3\r\nset\r\n\*4\r\n\$5\r\ncalls\r\n:2\r\n\$14\r\nhistogram_usec\r\n\*\d+\r\n(:\d+\r\n:\d+\r\n)+$/);
    expect(await c.call('LATENCY', 'HISTOGRAM', 'client')).toMatch(/^\*2\r\n\$9\r\nclient\|id\r\n/);
    expect(await c.call('LATENCY', 'HELP', 'x')).toBe("-ERR wrong number of arguments for 'latency|help' command\r\n");
  });

  it('DEBUG subcommands', async () => {
    expect(await c.call('DEBUG', 'PROTOCOL', 'bignum')).toBe('$37\r\n1234567999999999999999999999999999999\r\n');
    expect(await c.call('DEBUG', 'PROTOCOL', 'push')).toBe('-ERR RESP2 is not supported by this command\r\n');
    expect(await c.call('DEBUG', 'NOSUCH')).toBe("-ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP.\r\n");
    expect(await c.call('DEBUG', 'ERROR', 'MYERR oops')).toBe('-MYERR oops\r\n');
    await c.call('SELECT', '5');
    expect(await c.call('DEBUG', 'POPULATE', '3', 'p', '12')).toBe('+OK\r\n');
    expect(await c.call('GET', 'p:2')).toBe('$12\r\nvalue:2\0\0\0\0\0\r\n');
    expect(await c.call('DBSIZE')).toBe(':3\r\n');
    expect(await c.call('DEBUG', 'POPULATE', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    await c.call('FLUSHDB');
    await c.call('SELECT', '0');
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    expect(server.server.keyspace.activeExpireEnabled).toBe(false);
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    expect(await c.call('DEBUG', 'HELP')).toMatch(/^\*\d+\r\n\+DEBUG <subcommand>/);
  });

  it('DEBUG is refused unless enable-debug-command allows it', async () => {
    const locked = await startCinnabar();
    const d = await RawConnection.connect(locked.port);
    expect(await d.call('DEBUG', 'HELP')).toMatch(/^-ERR DEBUG command not allowed\./);
    d.close();
    await locked.close();
  });

  it('MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE', async () => {
    await c.call('SET', 'small', 'x');
    await c.call('SET', 'big', 'x'.repeat(10000));
    const small = Number(/^:(\d+)/.exec(await c.call('MEMORY', 'USAGE', 'small'))![1]);
    const big = Number(/^:(\d+)/.exec(await c.call('MEMORY', 'USAGE', 'big', 'SAMPLES', '0'))![1]);
    expect(small).toBeGreaterThan(0);
    expect(big - small).toBeGreaterThanOrEqual(9900);
    expect(await c.call('MEMORY', 'USAGE', 'nokey')).toBe('$-1\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'small', 'SAMPLES', '-1')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'small', 'FOO')).toBe('-ERR syntax error\r\n');
    const stats = await c.call('MEMORY', 'STATS');
    expect(stats).toContain('$14\r\npeak.allocated\r\n');
    expect(stats).toMatch(/\$10\r\nkeys\.count\r\n:[1-9]\d*\r\n/);
    expect(await c.call('MEMORY', 'MALLOC-STATS')).toBe('$45\r\nStats not supported for the current allocator\r\n');
    expect(await c.call('MEMORY', 'PURGE')).toBe('+OK\r\n');
    expect(await c.call('MEMORY', 'DOCTOR')).toMatch(/^\$\d+\r\n(This instance holds too little data|No memory problem|Possible problem)/);
  });

  it('MONITOR streams commands from other clients, without admin commands', async () => {
    const m = await RawConnection.connect(server.port);
    open.push(m);
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    await c.call('CONFIG', 'GET', 'hz');
    await c.call('SET', 'mon', 'a"b');
    expect(await m.readReply()).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "mon" "a\\"b"\r\n$/);
  });

  it('SHUTDOWN argument errors, ABORT, refused SAVE, and NOSAVE closing the server', async () => {
    const srv = await startCinnabar();
    // A directory where the file should go makes the final save fail, as in Redis's own test.
    mkdirSync(join(srv.server.config.str('dir'), 'dump.rdb'));
    const d = await RawConnection.connect(srv.port);
    expect(await d.call('SHUTDOWN', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(await d.call('SHUTDOWN', 'SAVE', 'NOSAVE')).toBe('-ERR syntax error\r\n');
    expect(await d.call('SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
    expect(await d.call('SHUTDOWN', 'SAVE')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    d.send('SHUTDOWN', 'NOSAVE');
    await d.waitClosed();
    await srv.server.closed;
    d.close();
  });

  it('a refused SHUTDOWN SAVE logs the lines redis-server logs when its final save fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-shutdown-'));
    const logfile = join(dir, 'server.log');
    const srv = await startCinnabar({ logfile, loglevel: 'notice' });
    mkdirSync(join(srv.server.config.str('dir'), 'dump.rdb'));
    try {
      const d = await RawConnection.connect(srv.port);
      expect(await d.call('SHUTDOWN', 'SAVE')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
      const lines = readFileSync(logfile, 'latin1').trimEnd().split('\n').slice(-5).map((l) => l.replace(/^\d+:M [^#*]+([#*]) /, '$1 '));
      expect(lines[0]).toBe('# User requested shutdown...');
      expect(lines[1]).toBe('* Saving the final RDB snapshot before exiting.');
      expect(lines[2]).toBe(`# Error moving temp DB file temp-${process.pid}.rdb on the final destination dump.rdb (in server root dir ${srv.server.config.str('dir')}): Is a directory`);
      expect(lines.slice(3)).toEqual([
        '# Error trying to save the DB, can\'t exit.',
        '# Errors trying to shut down the server. Check the logs for more information.',
      ]);
      expect(await d.call('PING')).toBe('+PONG\r\n');
      d.close();
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

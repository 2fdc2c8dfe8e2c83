// Values kept undecoded: a RESTORE payload (or an RDB record) that passes Redis's shallow checks
// but not this engine's decoding is accepted under sanitize-dump-payload no, as Redis accepts it,
// and kept as its bytes: TYPE, OBJECT ENCODING, DUMP, COPY, expiry and DEBUG DIGEST-VALUE work,
// content commands answer one error, SAVE / DEBUG RELOAD / restart / AOF rewrite keep it, and
// `yes` refuses it. Where the behaviour is comparable, redis-server 7.0 is asked the same.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { DirectiveValue } from '../../src/index.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const ERR_UNSANITIZED = '-ERR The value at this key failed integrity checks';

/** A payload with a CRC of zeros (DEBUG SET-SKIP-CHECKSUM-VALIDATION 1 lets it through). */
function payload(hex: string): Buffer {
  return Buffer.from(`${hex}0a00${'00'.repeat(8)}`, 'hex');
}

/** Deep-corrupt payloads whose envelope and shallow structure are sound, by TYPE. */
const CORRUPT: ReadonlyArray<{ key: string; type: string; encoding: string; payload: Buffer; read: string[] }> = [
  {
    // A hash listpack with field "a" twice.
    key: 'h', type: 'hash', encoding: 'listpack', read: ['HGETALL', 'h'],
    payload: payload('1017170000000400826100038262000382610003826400' + '03ff'),
  },
  {
    // An intset whose two members are equal.
    key: 's', type: 'set', encoding: 'intset', read: ['SMEMBERS', 's'],
    payload: payload('0b0c' + '02000000' + '02000000' + '0100' + '0100'),
  },
  {
    // A quicklist with one packed node whose only entry claims a 12-bit string running past its end.
    key: 'l', type: 'list', encoding: 'quicklist', read: ['LRANGE', 'l', '0', '-1'],
    payload: payload('12010209' + '09000000' + '0100' + 'e1ff' + 'ff'),
  },
];

async function prepare(c: RawConnection, mode: 'no' | 'yes'): Promise<void> {
  expect(await c.call('CONFIG', 'SET', 'sanitize-dump-payload', mode)).toBe('+OK\r\n');
  expect(await c.call('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1')).toBe('+OK\r\n');
}

/** The DUMP reply's payload without its footer (version + CRC). */
function dumpBody(reply: string): string {
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (m === null) throw new Error(`not a bulk reply: ${reply}`);
  const bytes = Buffer.from(reply.slice(m[0].length, m[0].length + Number(m[1])), 'latin1');
  return bytes.subarray(0, bytes.length - 10).toString('hex');
}

describe('RESTORE of a deep-corrupt payload', () => {
  let server: RunningServerInternal;
  let c: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar({ save: '', 'enable-debug-command': 'yes' });
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
  });

  it('is refused with sanitize-dump-payload yes and clients, data left intact', async () => {
    for (const mode of ['yes', 'clients'] as const) {
      await c.call('CONFIG', 'SET', 'sanitize-dump-payload', mode);
      await c.call('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1');
      for (const { key, payload: p } of CORRUPT) {
        await c.call('SET', key, 'before');
        expect(await c.call('RESTORE', key, '0', p, 'REPLACE'), `${mode} ${key}`).toBe('-ERR Bad data format\r\n');
        expect(await c.call('GET', key)).toBe('$6\r\nbefore\r\n');
      }
    }
    await c.call('DEL', ...CORRUPT.map(({ key }) => key));
  });

  it('is stored under no: key-level commands work, content commands answer one error', async () => {
    await prepare(c, 'no');
    for (const { key, type, encoding, payload: p, read } of CORRUPT) {
      expect(await c.call('RESTORE', key, '0', p), key).toBe('+OK\r\n');
      expect(await c.call('TYPE', key)).toBe(`+${type}\r\n`);
      expect(await c.call('OBJECT', 'ENCODING', key)).toBe(`$${encoding.length}\r\n${encoding}\r\n`);
      expect(await c.call('EXISTS', key)).toBe(':1\r\n');
      expect(dumpBody(await c.call('DUMP', key))).toBe(p.subarray(0, p.length - 10).toString('hex'));
      expect(await c.call(...read)).toMatch(new RegExp(`^${ERR_UNSANITIZED}`));
      // Another family's command is still a type error.
      expect(await c.call('INCR', key)).toMatch(/^-WRONGTYPE/);
      expect(await c.call(type === 'hash' ? 'LPUSH' : 'HSET', key, 'x', 'y')).toMatch(/^-WRONGTYPE/);
      expect(await c.call('EXPIRE', key, '1000')).toBe(':1\r\n');
      expect(await c.call('TTL', key)).toMatch(/^:(1000|999)\r\n$/);
      expect(await c.call('COPY', key, `${key}:copy`)).toBe(':1\r\n');
      expect(dumpBody(await c.call('DUMP', `${key}:copy`))).toBe(dumpBody(await c.call('DUMP', key)));
      expect(await c.call('RENAME', `${key}:copy`, `${key}:moved`)).toBe('+OK\r\n');
      expect(await c.call('DEBUG', 'DIGEST-VALUE', key)).toMatch(/^\*1\r\n\+[0-9a-f]{40}\r\n$/);
      expect(await c.call('DEBUG', 'DIGEST-VALUE', key)).toBe(await c.call('DEBUG', 'DIGEST-VALUE', `${key}:moved`));
      expect(await c.call('MEMORY', 'USAGE', key)).toMatch(/^:\d+\r\n$/);
      expect(await c.call('DEBUG', 'OBJECT', key)).toMatch(new RegExp(`^\\+Value at:\\S+ refcount:1 encoding:${encoding} serializedlength:${p.length - 11} `));
      expect(await c.call('SCAN', '0', 'TYPE', type, 'COUNT', '1000')).toContain(key);
      expect(await c.call('UNLINK', `${key}:moved`)).toBe(':1\r\n');
    }
    expect(await c.call('SORT', 'l')).toMatch(new RegExp(`^${ERR_UNSANITIZED}`));
    expect(await c.call('SORT', 'h')).toMatch(/^-WRONGTYPE/);
  });

  it('under clients, a user with skip-sanitize-payload restores it; others are refused', async () => {
    const { key, type, payload: p } = CORRUPT[0];
    await prepare(c, 'no');
    expect(await c.call('ACL', 'SETUSER', 'trusted', 'on', 'nopass', '~*', '&*', '+@all', 'skip-sanitize-payload')).toBe('+OK\r\n');
    await c.call('CONFIG', 'SET', 'sanitize-dump-payload', 'clients');
    const trusted = await RawConnection.connect(server.port);
    try {
      expect(await trusted.call('AUTH', 'trusted', 'any')).toBe('+OK\r\n');
      expect(await c.call('RESTORE', `${key}:clients`, '0', p)).toBe('-ERR Bad data format\r\n');
      expect(await trusted.call('RESTORE', `${key}:clients`, '0', p)).toBe('+OK\r\n');
      expect(await c.call('TYPE', `${key}:clients`)).toBe(`+${type}\r\n`);
    } finally {
      trusted.close();
      await c.call('DEL', `${key}:clients`);
      await c.call('ACL', 'DELUSER', 'trusted');
      await c.call('CONFIG', 'SET', 'sanitize-dump-payload', 'no');
    }
  });

  it('survives DEBUG RELOAD; a reload under yes refuses the file', async () => {
    await prepare(c, 'no');
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(await c.call('DEBUG', 'RELOAD')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
    for (const { key, type } of CORRUPT) expect(await c.call('TYPE', key)).toBe(`+${type}\r\n`);
    await c.call('CONFIG', 'SET', 'sanitize-dump-payload', 'yes');
    expect(await c.call('DEBUG', 'RELOAD')).toBe('-ERR Error trying to load the RDB dump\r\n');
    await c.call('CONFIG', 'SET', 'sanitize-dump-payload', 'no');
  });
});

describe('a dataset holding deep-corrupt values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-unsanitized-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function fill(c: RawConnection): Promise<void> {
    await prepare(c, 'no');
    await c.call('SET', 'before', '1');
    for (const { key, payload: p } of CORRUPT) expect(await c.call('RESTORE', key, '0', p)).toBe('+OK\r\n');
    await c.call('RPUSH', 'after', 'a', 'b');
    await c.call('PEXPIRE', 'h', '900000000');
  }

  async function check(c: RawConnection, digest: string): Promise<void> {
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await c.call('DBSIZE')).toBe(`:${CORRUPT.length + 2}\r\n`);
    expect(await c.call('LRANGE', 'after', '0', '-1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await c.call('PTTL', 'h')).toMatch(/^:\d{9}\r\n$/);
    for (const { key, type, payload: p, read } of CORRUPT) {
      expect(await c.call('TYPE', key)).toBe(`+${type}\r\n`);
      expect(dumpBody(await c.call('DUMP', key))).toBe(p.subarray(0, p.length - 10).toString('hex'));
      expect(await c.call(...read)).toMatch(new RegExp(`^${ERR_UNSANITIZED}`));
    }
  }

  /** A server started on what the previous one left holds the same data. */
  async function checkAfterRestart(directives: Record<string, DirectiveValue>, digest: string): Promise<void> {
    const server = await startCinnabar(directives);
    try {
      const c = await RawConnection.connect(server.port);
      await check(c, digest);
      c.close();
    } finally {
      await server.close();
    }
  }

  it('is saved and loaded back by a restart', async () => {
    const first = await startCinnabar({ save: '', 'enable-debug-command': 'yes', dir });
    let digest: string;
    try {
      const c = await RawConnection.connect(first.port);
      await fill(c);
      digest = await c.call('DEBUG', 'DIGEST');
      expect(await c.call('SAVE')).toBe('+OK\r\n');
      c.close();
    } finally {
      await first.close();
    }
    await checkAfterRestart({ save: '', 'enable-debug-command': 'yes', dir }, digest);
  });

  it('is rewritten into a command-form AOF as RESTORE and loaded back, also under clients', async () => {
    const aofDir = mkdtempSync(join(tmpdir(), 'cinnabar-unsanitized-aof-'));
    onTestFinished(() => rmSync(aofDir, { recursive: true, force: true }));
    const directives = { save: '', 'enable-debug-command': 'yes', dir: aofDir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' } as const;
    const first = await startCinnabar(directives);
    let digest: string;
    try {
      const c = await RawConnection.connect(first.port);
      await fill(c);
      digest = await c.call('DEBUG', 'DIGEST');
      expect(await c.call('BGREWRITEAOF')).toMatch(/^\+Background append only file rewriting/);
      await waitFor(async () => !/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await c.call('INFO', 'persistence')), 10_000, 'the AOF rewrite');
      expect(await c.call('INFO', 'persistence')).toMatch(/aof_last_bgrewrite_status:ok/);
      c.close();
    } finally {
      await first.close();
    }
    // `clients` sanitizes a client's RESTORE deeply, but not the AOF loader's (Redis trusts it).
    await checkAfterRestart({ ...directives, 'sanitize-dump-payload': 'clients' }, digest);
  });
});

describe.skipIf(redisServerPath() === null)('against redis-server 7.0', () => {
  let reference: ReferenceServer;
  let server: RunningServerInternal;
  beforeAll(async () => {
    reference = await startReferenceServer();
    server = await startCinnabar({ save: '', 'enable-debug-command': 'yes' });
  });
  afterAll(async () => {
    await reference.stop();
    await server.close();
  });

  it('accepts the same payloads, with the same TYPE, OBJECT ENCODING and DUMP bytes', async () => {
    const ours = await RawConnection.connect(server.port);
    const theirs = await RawConnection.connect(reference.port);
    for (const c of [ours, theirs]) await prepare(c, 'no');
    for (const { key, payload: p } of CORRUPT) {
      for (const c of [ours, theirs]) expect(await c.call('RESTORE', key, '0', p), key).toBe('+OK\r\n');
      for (const command of [['TYPE', key], ['OBJECT', 'ENCODING', key], ['DUMP', key], ['EXISTS', key]]) {
        expect(await ours.call(...command), command.join(' ')).toBe(await theirs.call(...command));
      }
    }
    for (const c of [ours, theirs]) await prepare(c, 'yes');
    for (const { key, payload: p } of CORRUPT) {
      expect(await ours.call('RESTORE', key, '0', p, 'REPLACE')).toBe(await theirs.call('RESTORE', key, '0', p, 'REPLACE'));
    }
    ours.close();
    theirs.close();
  });
});

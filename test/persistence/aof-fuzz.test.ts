// Damaged AOF files: thousands of seeded mutations of an incremental file, an RDB base and a
// manifest. Loading answers with one of Redis's outcomes (loaded, truncated, refused) and a log
// line, never an exception, a crash or a hang.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSingleFile, type AofLoadHost } from '../../src/persistence/aof/loader.js';
import { ManifestError, parseManifest } from '../../src/persistence/aof/manifest.js';
import { syncRdbSource } from '../../src/persistence/aof/base-source.js';
import { DiscardingConnection } from '../../src/engine/connection.js';
import { ServerLog } from '../../src/server/log.js';
import { loadImage } from '../../src/store/rdb/image.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { prng } from '../helpers/random.js';

let running: RunningServerInternal;
let dir: string;
let host: AofLoadHost;

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

const VALID_INCR = '#TS:1700000000\r\n' + resp('SELECT', '0') + resp('set', 'a', '1') + resp('incr', 'a') +
  resp('rpush', 'l', 'x', 'y', 'z') + resp('MULTI') + resp('hset', 'h', 'f', 'v') + resp('sadd', 's', '1', '2') + resp('EXEC') +
  resp('zadd', 'z', '1', 'm') + resp('xadd', 'st', '1-1', 'f', 'v') + resp('PEXPIREAT', 'a', '4102444800000') +
  resp('SELECT', '2') + resp('append', 'b', 'text') + resp('del', 'l');

function mutate(input: Buffer, random: () => number): Buffer {
  const bytes = Array.from(input);
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const kind = random();
    if (kind < 0.4 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(random() * 256);
    else if (kind < 0.6) bytes.splice(at, 1 + Math.floor(random() * 8));
    else if (kind < 0.8) bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 6) }, () => '0123456789*$\r\n#'.charCodeAt(Math.floor(random() * 16))));
    else bytes.length = at;
  }
  return Buffer.from(bytes);
}

function emptyDataset(): void {
  for (const db of running.server.keyspace.dbs) db.flush();
  running.server.keyspace.functions.clear();
}

beforeAll(async () => {
  running = await startCinnabar();
  dir = mkdtempSync(join(tmpdir(), 'cinnabar-aof-fuzz-'));
  mkdirSync(join(dir, 'appendonlydir'));
  const server = running.server;
  host = {
    log: new ServerLog({ logfile: join(dir, 'log'), level: 'warning', format: 'redis', roleChar: () => 'M' }),
    dir,
    dirName: 'appendonlydir',
    appendFilename: 'appendonly.aof',
    loadTruncated: true,
    inTurns: false,
    newReplayClient: () => {
      const client = server.createClient(new DiscardingConnection());
      client.denyBlocking = true;
      return {
        knows: (argv) => server.lookupCommand(argv) !== undefined,
        run: (argv) => {
          server.runCommand(client, argv);
          return null;
        },
        get inMulti() { return client.inMulti; },
        close: () => client.close('loaded'),
      };
    },
    loadRdb: (image) => loadImage(image, {
      dbs: server.keyspace.dbs, settings: server.config, dropExpired: false, replaceExisting: false,
      verifyChecksum: true, tracking: 'none', nowMs: Date.now(),
    }).endOffset,
  };
});

afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

const OUTCOMES = ['ok', 'truncated', 'failed', 'empty'];

describe('damaged AOF files', () => {
  it('the valid file loads', () => {
    emptyDataset();
    writeFileSync(join(dir, 'appendonlydir', 'f.aof'), VALID_INCR, 'latin1');
    expect(loadSingleFile(host, 'f.aof')).toBe('ok');
    expect(running.server.keyspace.dbs[0].size).toBe(6);
  });

  it('1500 mutations of an incremental file, each loaded with and without aof-load-truncated: loaded, truncated or refused, never thrown', () => {
    const random = prng(15);
    const valid = Buffer.from(VALID_INCR, 'latin1');
    const seen = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      emptyDataset();
      for (const loadTruncated of [true, false]) {
        writeFileSync(join(dir, 'appendonlydir', 'f.aof'), mutate(valid, random));
        const status = loadSingleFile({ ...host, loadTruncated }, 'f.aof');
        expect(OUTCOMES).toContain(status);
        seen.add(status);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['failed', 'ok', 'truncated']));
    expect(readFileSync(join(dir, 'log'), 'latin1')).toContain('Bad file format reading the append only file f.aof');
  }, 120_000);

  it('1000 mutations of an RDB base: loaded or refused with Redis\'s log line', () => {
    const random = prng(16);
    emptyDataset();
    const server = running.server;
    const db = server.keyspace.dbs[0];
    for (let i = 0; i < 50; i++) db.set(`key${i}`, `value-${i}`);
    const chunks: Buffer[] = [];
    syncRdbSource(server.keyspace, server.config).start({ write: (c) => { chunks.push(Buffer.from(c)); } });
    const image = Buffer.concat([...chunks, Buffer.from(resp('set', 'tail', '1'), 'latin1')]);
    for (let i = 0; i < 1000; i++) {
      emptyDataset();
      writeFileSync(join(dir, 'appendonlydir', 'b.rdb'), mutate(image, random));
      expect(OUTCOMES).toContain(loadSingleFile(host, 'b.rdb'));
    }
    expect(readFileSync(join(dir, 'log'), 'latin1')).toContain('Error reading the RDB base file b.rdb, AOF loading aborted');
  });

  it('3000 mutations of a manifest: parsed or refused with a ManifestError', () => {
    const random = prng(17);
    const valid = Buffer.from('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n', 'latin1');
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      try {
        parseManifest(mutate(valid, random).toString('latin1'));
      } catch (err) {
        expect(err).toBeInstanceOf(ManifestError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

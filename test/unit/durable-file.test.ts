import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/config.js';
import { DIRECTIVES } from '../../src/config/directives.js';
import { rewriteConfigFile } from '../../src/config/rewrite.js';
import { writeFileDurably, writeFileDurablySync } from '../../src/util/durable-file.js';

// Root ignores directory permissions: as root, the unwritable-directory case runs the built
// helper in a child process as the unprivileged user 'nobody'.
const isRoot = process.getuid?.() === 0;
const NOBODY_UID = 65534;
const BUILT_HELPER = fileURLToPath(new URL('../../dist/util/durable-file.js', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinnabar-durable-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const variants = [
  ['sync', (path: string, data: string | Uint8Array, encoding?: BufferEncoding) => writeFileDurablySync(path, data, { encoding })],
  ['async', (path: string, data: string | Uint8Array, encoding?: BufferEncoding) => writeFileDurably(path, data, { encoding })],
] as const;

describe.each(variants)('writeFileDurably (%s)', (variant, write) => {
  it('creates a file, then replaces it, leaving nothing else in the directory', async () => {
    const path = join(dir, 'redis.conf');
    await write(path, 'port 6379\n');
    expect(readFileSync(path, 'utf8')).toBe('port 6379\n');
    await write(path, Buffer.from([0x68, 0x7a, 0x20, 0x35, 0x0a]));
    expect(readFileSync(path, 'utf8')).toBe('hz 5\n');
    expect(readdirSync(dir)).toEqual(['redis.conf']);
    expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('writes string data in the encoding asked (latin1 keeps every byte)', async () => {
    const path = join(dir, 'bytes.conf');
    await write(path, 'requirepass "\xff\xe9"\n', 'latin1');
    expect([...readFileSync(path)].slice(13, 15)).toEqual([0xff, 0xe9]);
  });

  it('writes an empty file', async () => {
    const path = join(dir, 'empty');
    await write(path, '');
    expect(readFileSync(path).length).toBe(0);
  });

  it('a failed rename (the target is a directory) keeps the target and removes the temporary file', async () => {
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    await expect(async () => write(path, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual(['inside']);
  });

  it('a missing directory fails with ENOENT', async () => {
    await expect(async () => write(join(dir, 'no', 'such.conf'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unwritable directory fails with EACCES, leaving the old file and no temporary file', async () => {
    const path = join(dir, 'redis.conf');
    writeFileSync(path, 'old\n');
    chmodSync(dir, 0o555);
    if (isRoot) {
      const exported = variant === 'sync' ? 'writeFileDurablySync' : 'writeFileDurably';
      const script = `import(${JSON.stringify(BUILT_HELPER)}).then(async (m) => { await m.${exported}(${JSON.stringify(path)}, 'new'); })` +
        '.then(() => process.exit(0), (e) => { process.stdout.write(String(e.code)); process.exit(3); });';
      const child = spawnSync(process.execPath, ['-e', script], { uid: NOBODY_UID, gid: NOBODY_UID, encoding: 'utf8' });
      expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 3, stdout: 'EACCES' });
    } else {
      await expect(async () => write(path, 'new\n')).rejects.toMatchObject({ code: 'EACCES' });
    }
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['redis.conf']);
  });
});

describe('CONFIG REWRITE writes through the durable helper', () => {
  it('replaces the file and reports a failure in strerror words, leaving no temporary file', () => {
    const config = new Config(DIRECTIVES);
    const path = join(dir, 'redis.conf');
    writeFileSync(path, '# mine\nhz 10\n');
    config.configFile = path;
    expect(config.setMany([['hz', '20']], { allowProtected: true })).toBeNull();
    expect(rewriteConfigFile(config)).toBeNull();
    expect(readFileSync(path, 'latin1')).toMatch(/^# mine\nhz 20\n/);
    const taken = join(dir, 'taken.conf');
    mkdirSync(taken);
    config.configFile = taken;
    expect(rewriteConfigFile(config)).toBe('Is a directory');
    expect(readdirSync(dir).sort()).toEqual(['redis.conf', 'taken.conf']);
  });
});

// Loading redis.conf files and flags: every directive takes its final value (later lines win,
// `save` lines accumulate, `save ""` clears), and reserved directives are judged on that final
// value. Real files in a temporary directory, loaded through loadConfig() as the CLI does.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config, formatConfigFileError } from '../../src/config/config.js';
import { DIRECTIVES } from '../../src/config/directives.js';
import { ConfigFileError, type DirectiveSpec } from '../../src/config/types.js';
import { loadConfig, StartupError, type DirectiveValue } from '../../src/server/start.js';
import { REDIS_VERSION } from '../../src/util/version.js';
import { redisServerPath } from '../helpers/reference.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cinnabar-load-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function confFile(text: string): string {
  fileCount += 1;
  const path = join(dir, `redis-${fileCount}.conf`);
  writeFileSync(path, text);
  return path;
}

function load(text: string, directives: Array<[string, DirectiveValue]> = []): Config {
  return loadConfig({ configFile: confFile(text), directives });
}

/** The fatal text a load fails with. */
function failure(text: string, directives: Array<[string, DirectiveValue]> = []): string {
  try {
    load(text, directives);
  } catch (err) {
    if (err instanceof StartupError) return err.message;
    throw err;
  }
  throw new Error('expected the load to fail');
}

/** The table with `save` unreserved, to observe how save lines combine (RDB is not built yet). */
function withSaveUnreserved(): Config {
  const table: DirectiveSpec[] = DIRECTIVES.map((d): DirectiveSpec => (d.name === 'save' ? { ...d, reservedFor: undefined } : d));
  return new Config(table);
}

describe('reserved directives are judged on their final value', () => {
  it('save lines then save "" in the same file load, with an empty save list', () => {
    expect(load('save 900 1\nsave 300 10\nsave ""\n').str('save')).toBe('');
  });

  it('a file with save lines loads when the flags end with --save ""', () => {
    const config = load('port 7000\nsave 900 1\nsave 60 10000\n', [['save', '']]);
    expect(config.str('save')).toBe('');
    expect(config.num('port')).toBe(7000);
  });

  it('save schedules load (RDB snapshots are built); a reserved directive left off its default stops start-up', () => {
    expect(load('# Debian-style\nsave 3600 1 300 100 60 10000\nport 7000\n').str('save')).toBe('3600 1 300 100 60 10000');
    expect(load('save 900 1\nsave 300 10\n').str('save')).toBe('900 1 300 10');
    // A flag setting a reserved directive is reported as the flag's generated line.
    expect(failure('port 7000\n', [['tls-port', '6380']])).toMatch(/at line \d+\n>>> 'tls-port "6380"'/);
  });

  it('a reserved directive set in the file and reset by a flag loads', () => {
    expect(load('tls-port 6380\n', [['tls-port', '0']]).num('tls-port')).toBe(0);
    expect(failure('tls-port 0\n', [['tls-port', '6380']])).toContain('TLS');
  });

  it('the line that gave a reserved directive its final value is the one reported', () => {
    expect(failure('tls-port 6380\ntls-port 6381\n')).toContain("at line 2\n>>> 'tls-port 6381'\n");
    expect(failure('tls-port 6380\nport 7000\n')).toContain("at line 1\n>>> 'tls-port 6380'\n");
  });

  it('a value reset inside an included file counts, and errors name the included line', () => {
    const inner = confFile('save ""\n');
    expect(load(`save 900 1\ninclude ${inner}\n`).str('save')).toBe('');
    const bad = confFile('# included\ntls-port 6380\n');
    expect(failure(`include ${bad}\n`)).toContain("at line 2\n>>> 'tls-port 6380'\n");
  });

  it.skipIf(!existsSync('/etc/redis/redis.conf'))("Debian's stock redis.conf loads once daemonize is turned off by a flag", () => {
    // The stock file has `daemonize yes` (line 309 in 7.0.15's package); a later flag wins.
    const config = loadConfig({ configFile: '/etc/redis/redis.conf', directives: [['daemonize', 'no'], ['save', '']] });
    expect(config.str('save')).toBe('');
    expect(config.bool('daemonize')).toBe(false);
  });
});

describe('save lines combine as in Redis', () => {
  it('the first line in a load replaces the default, later ones append, "" clears', () => {
    const config = withSaveUnreserved();
    config.loadText('save 900 1\nsave 300 10\n', '/');
    expect(config.str('save')).toBe('900 1 300 10');
    const again = withSaveUnreserved();
    again.loadText('save 900 1\nsave ""\nsave 60 5\nsave "30 2"\n', '/');
    expect(again.str('save')).toBe('60 5 30 2');
  });

  it('a second load starts over; CONFIG SET replaces', () => {
    const config = withSaveUnreserved();
    config.loadText('save 900 1\n', '/');
    config.loadText('save 300 10\n', '/');
    expect(config.str('save')).toBe('300 10');
    expect(config.setMany([['save', '60 5 30 2']], { allowProtected: true })).toBeNull();
    expect(config.setMany([['save', '10 1']], { allowProtected: true })).toBeNull();
    expect(config.str('save')).toBe('10 1');
  });

  it('checks seconds >= 1 and changes >= 0, and shows the numbers as Redis prints them', () => {
    const config = withSaveUnreserved();
    const reason = (text: string): string | null => {
      try {
        withSaveUnreserved().loadText(text, '/');
        return null;
      } catch (err) {
        if (err instanceof ConfigFileError) return err.reason;
        throw err;
      }
    };
    expect(reason('save 0 1')).toBe('Invalid save parameters');
    expect(reason('save 5 -1')).toBe('Invalid save parameters');
    expect(reason('save 5')).toBe('Invalid save parameters');
    expect(reason('save 5x 1')).toBe('Invalid save parameters');
    config.loadText('save +05 0\n', '/');
    expect(config.str('save')).toBe('5 0');
  });
});

describe('directive lines', () => {
  it('a known directive with the wrong number of arguments says so, as Redis does', () => {
    expect(failure('port\n')).toContain("\n>>> 'port'\nwrong number of arguments\n");
    expect(failure('port 1 2\n')).toContain("\n>>> 'port 1 2'\nwrong number of arguments\n");
    expect(failure('bogus 1\n')).toContain('Bad directive or wrong number of arguments');
  });

  it('deprecated directives Redis 7.0 still accepts are ignored', () => {
    expect(load('list-max-ziplist-entries 512\nlist-max-ziplist-value 64\nlua-replicate-commands yes\nport 7001\n').num('port')).toBe(7001);
    expect(failure('list-max-ziplist-entries 1 2\n')).toContain('Bad directive or wrong number of arguments');
  });

  it('a relative dir is taken from the previous dir, as successive chdir calls are', () => {
    mkdirSync(join(dir, 'data', 'inner'), { recursive: true });
    expect(load(`dir ${join(dir, 'data')}\ndir inner\n`).str('dir')).toBe(join(dir, 'data', 'inner'));
  });

  it('later lines and flags replace earlier ones', () => {
    const config = load('hz 20\ntimeout 5\nhz 30\nbind 127.0.0.1 ::1\n', [['timeout', '7'], ['bind', '127.0.0.1']]);
    expect([config.num('hz'), config.num('timeout'), config.str('bind')]).toEqual([30, 7, '127.0.0.1']);
  });
});

// The same files given to redis-server 7.0: both must refuse them with the same fatal text.
describe.skipIf(redisServerPath() === null)('fatal config texts match redis-server', () => {
  const files = ['port\n', 'port 1 2\n', 'save 0 1\n', 'save 5\n', 'hz abc\n', 'bogus 1\n', 'list-max-ziplist-entries 1 2\n'];
  it.each(files)('%j', (text) => {
    const path = confFile(text);
    const reference = spawnSync(redisServerPath() as string, [path], { encoding: 'utf8', timeout: 10_000 });
    expect(reference.status).toBe(1);
    expect(failure(text)).toBe(reference.stderr);
  });
});

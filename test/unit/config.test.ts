import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/config.js';
import { DIRECTIVES } from '../../src/config/directives.js';
import { REWRITE_SIGNATURE, rewriteConfigText } from '../../src/config/rewrite.js';
import { ConfigFileError } from '../../src/config/types.js';

const allow = { allowProtected: true };

function fresh(): Config {
  const config = new Config(DIRECTIVES);
  config.commandExists = (name) => ['get', 'set', 'flushdb'].includes(name);
  return config;
}

describe('Config', () => {
  it('CONFIG SET is all or nothing and reports the first failing directive', () => {
    const c = fresh();
    expect(c.setMany([['timeout', '5'], ['hz', 'abc']], allow))
      .toBe("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
    expect(c.num('timeout')).toBe(0);
    expect(c.setMany([['timeout', '5'], ['Timeout', '6']], allow)).toMatch(/duplicate parameter/);
    expect(c.setMany([['nosuch', '1'], ['daemonize', 'yes']], allow)).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    expect(c.setMany([['daemonize', 'yes']], allow)).toMatch(/can't set immutable config/);
    expect(c.setMany([['dir', '/tmp']], { allowProtected: false })).toMatch(/can't set protected config/);
    expect(c.setMany([['timeout', '5'], ['hz', '20']], allow)).toBeNull();
    expect([c.num('timeout'), c.num('hz')]).toEqual([5, 20]);
  });

  it('redacts sensitive values even when another pair fails', () => {
    const c = fresh();
    const redacted: number[] = [];
    c.setMany([['nosuch', 'x'], ['requirepass', 'secret']], { allowProtected: true, redact: (i) => redacted.push(i) });
    expect(redacted).toEqual([5]);
  });

  it('rolls back values when an applier fails and re-applies the old ones', () => {
    const c = fresh();
    const applied: string[] = [];
    c.setApplier('port', (v) => (v === 1234 ? 'Unable to listen on this port' : (applied.push(String(v)), null)));
    c.setApplier('bind', (v) => (applied.push(String(v)), null));
    expect(c.setMany([['bind', '127.0.0.1'], ['port', '1234']], allow))
      .toBe("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port");
    expect(c.str('bind')).toBe('* -::*');
    expect(applied).toEqual(['127.0.0.1', '* -::*']);
  });

  it('CONFIG GET: exact names reach hidden directives and keep the asked spelling; patterns do not', () => {
    const c = fresh();
    expect(c.matching(['KEY-LOAD-DELAY'])).toEqual([['KEY-LOAD-DELAY', '0']]);
    expect(c.matching(['*']).some(([n]) => n === 'key-load-delay')).toBe(false);
    const names = c.matching(['maxmemory', 'maxmemory*', '*of']).map(([n]) => n);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['maxmemory', 'maxmemory-samples', 'replicaof', 'slaveof']));
  });

  it('client-output-buffer-limit merges the classes given into the current value', () => {
    const c = fresh();
    expect(c.setMany([['client-output-buffer-limit', 'pubsub 1mb 2kb 3']], allow)).toBeNull();
    expect(c.setMany([['client-output-buffer-limit', 'normal 10 20 30']], allow)).toBeNull();
    expect(c.str('client-output-buffer-limit')).toBe('normal 10 20 30 slave 268435456 67108864 60 pubsub 1048576 2048 3');
    // A second Config starts from the defaults: no state leaks between instances.
    expect(fresh().str('client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  });

  it('percent memory values, clamped hz and multi-word enums', () => {
    const c = fresh();
    expect(c.setMany([['maxmemory-clients', '200%']], allow)).toMatch(/percentage argument must be less or equal to 100/);
    expect(c.setMany([['maxmemory-clients', '10%'], ['hz', '1000'], ['shutdown-on-sigterm', 'force nosave now']], allow)).toBeNull();
    expect(c.matching(['maxmemory-clients', 'hz', 'shutdown-on-sigterm'])).toEqual([
      ['maxmemory-clients', '10%'], ['hz', '500'], ['shutdown-on-sigterm', 'nosave now force'],
    ]);
  });

  it('config files: rename-command checks, bad lines and unknown directives', () => {
    const c = fresh();
    c.loadText('rename-command flushdb badger\nrename-command get ""\n', '/');
    expect(c.renamedCommands).toEqual([{ from: 'flushdb', to: 'badger' }, { from: 'get', to: '' }]);
    const bad = (text: string): ConfigFileError => {
      try {
        fresh().loadText(text, '/');
      } catch (err) {
        return err as ConfigFileError;
      }
      throw new Error('expected a failure');
    };
    expect(bad('rename-command nosuch x').reason).toBe('No such command in rename-command');
    expect(bad('rename-command get set').reason).toBe('Target command name already exists');
    expect(bad('\nport abc')).toMatchObject({ lineNumber: 2, lineText: 'port abc', reason: "argument couldn't be parsed into an integer" });
    expect(bad('bogus 1').reason).toBe('Bad directive or wrong number of arguments');
    expect(bad('tls-port 6380').reason).toMatch(/can only be '0'/);
  });

  describe('CONFIG REWRITE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-conf-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('updates lines in place, keeps comments and file-only lines, appends and removes', () => {
      const path = join(dir, 'redis.conf');
      writeFileSync(path, '# my comment\nport 7000\nhz 10\nhz 11\nrename-command flushdb badger\nmystery 1\n\n\ntimeout 0\n');
      const c = fresh();
      c.configFile = path;
      c.loadText(readFileSync(path, 'latin1').replace('mystery 1', ''), dir);
      c.setMany([['hz', '20'], ['slowlog-max-len', '7'], ['timeout', '0']], allow);
      const text = rewriteConfigText(c, path, false);
      expect(text).toBe(
        '# my comment\nport 7000\nhz 20\n\nrename-command flushdb badger\n# ??? mystery 1\n\ntimeout 0\n\n' +
        // dir and save are always written, as Redis writes them.
        `${REWRITE_SIGNATURE}\nslowlog-max-len 7\ndir ${JSON.stringify(process.cwd())}\nsave 3600 1\nsave 300 100\nsave 60 10000\n`,
      );
    });
  });
});

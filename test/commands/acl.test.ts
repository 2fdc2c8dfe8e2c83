import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinnabar } from '../helpers/cinnabar.js';
import { runCli, scratchDir } from '../helpers/process.js';
import { RawConnection } from '../helpers/resp.js';
import { DiscardingConnection } from '../../src/engine/connection.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { allCommands } from '../../src/commands/registry.js';

const OK = '+OK\r\n';
const NOPERM_KEYS = '-NOPERM this user has no permissions to access one of the keys used as arguments\r\n';
const NOPERM_CHANNELS = '-NOPERM this user has no permissions to access one of the channels used as arguments\r\n';
const noPermCommand = (name: string): string => `-NOPERM this user has no permissions to run the '${name}' command\r\n`;

/** The bulk strings of a flat RESP2 array reply. */
function bulks(reply: string): string[] {
  const out: string[] = [];
  const lines = reply.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('$') && lines[i] !== '$-1') out.push(lines[++i]);
  }
  return out;
}

describe('ACL users and permissions', () => {
  let server: RunningServerInternal;
  let admin: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar();
    admin = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    admin.close();
    await server.close();
  });

  async function as(user: string, password: string): Promise<RawConnection> {
    const c = await RawConnection.connect(server.port);
    expect(await c.call('AUTH', user, password)).toBe(OK);
    return c;
  }

  it('creates users disabled, with no permission, and lists them in canonical form', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'fresh')).toBe(OK);
    expect(bulks(await admin.call('ACL', 'LIST'))).toContain('user fresh off resetchannels -@all');
    expect(await admin.call('ACL', 'SETUSER', 'fresh', 'reset', '+@all', '-@string', '+incr', '~a*', '%R~r*', '%W~w*', '&ch*')).toBe(OK);
    expect(bulks(await admin.call('ACL', 'LIST'))).toContain('user fresh off sanitize-payload ~a* %R~r* %W~w* resetchannels &ch* +@all -@string +incr');
    expect(bulks(await admin.call('ACL', 'USERS'))).toEqual(['default', 'fresh']);
    expect(await admin.call('ACL', 'DELUSER', 'fresh', 'nosuch')).toBe(':1\r\n');
  });

  it('refuses bad rules with Redis texts and changes nothing', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'bad', 'on', '+nosuchcommand')).toBe("-ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL\r\n");
    expect(await admin.call('ACL', 'GETUSER', 'bad')).toBe('$-1\r\n');
    expect(await admin.call('ACL', 'SETUSER', 'bad', '~*', '~x')).toMatch(/Adding a pattern after the \* pattern \(or the 'allkeys' flag\)/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '#abc')).toMatch(/The password hash must be exactly 64 characters/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '<nope')).toMatch(/The password you are trying to remove from the user does not exist/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '+config|get|x')).toMatch(/Allowing first-arg of a subcommand is not supported/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '+config|nosuch')).toMatch(/Unknown command or category name/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '+get|')).toMatch(/'\+get\|': Syntax error/);
    expect(await admin.call('ACL', 'SETUSER', 'bad', '(+get', '~x')).toBe("-ERR Unmatched parenthesis in acl selector starting at '(+get'.\r\n");
    expect(await admin.call('ACL', 'SETUSER', 'a b')).toBe("-ERR Usernames can't contain spaces or null characters\r\n");
    expect(await admin.call('ACL', 'DELUSER', 'default')).toBe("-ERR The 'default' user cannot be removed\r\n");
  });

  it('authenticates with any of the passwords, hashes included, and not when off', async () => {
    const hash = '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'; // sha256("password")
    expect(await admin.call('ACL', 'SETUSER', 'pw', 'on', '>one', '>two', `#${hash}`, '+@all', '~*')).toBe(OK);
    for (const p of ['one', 'two', 'password']) (await as('pw', p)).close();
    const c = await RawConnection.connect(server.port);
    expect(await c.call('AUTH', 'pw', 'three')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await admin.call('ACL', 'SETUSER', 'pw', '<one', `!${hash}`)).toBe(OK);
    expect(await c.call('AUTH', 'pw', 'one')).toMatch(/^-WRONGPASS/);
    expect(await c.call('AUTH', 'pw', 'two')).toBe(OK);
    expect(await c.call('ACL', 'WHOAMI')).toBe('$2\r\npw\r\n');
    expect(await c.call('CLIENT', 'INFO')).toMatch(/ user=pw /);
    expect(await admin.call('ACL', 'SETUSER', 'pw', 'off')).toBe(OK);
    expect(await c.call('AUTH', 'pw', 'two')).toMatch(/^-WRONGPASS/);
    // Already authenticated connections keep working after "off", as in Redis.
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('denies commands, subcommands, keys and channels with the NOPERM texts', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'app', 'on', 'nopass', '+@read', '+set', '+config|get', '+publish', '+subscribe', '~app:*', '&news')).toBe(OK);
    const c = await as('app', 'x');
    expect(await c.call('GET', 'app:1')).toBe('$-1\r\n');
    expect(await c.call('GET', 'other')).toBe(NOPERM_KEYS);
    expect(await c.call('MGET', 'app:1', 'other')).toBe(NOPERM_KEYS);
    expect(await c.call('DEL', 'app:1')).toBe(noPermCommand('del'));
    expect(await c.call('CONFIG', 'GET', 'port')).toMatch(/^\*2/);
    expect(await c.call('CONFIG', 'SET', 'port', '1')).toBe(noPermCommand('config|set'));
    expect(await c.call('PUBLISH', 'news', 'x')).toBe(':0\r\n');
    expect(await c.call('PUBLISH', 'sports', 'x')).toBe(NOPERM_CHANNELS);
    expect(await c.call('SUBSCRIBE', 'news', 'sports')).toBe(NOPERM_CHANNELS);
    c.close();
  });

  it('separates read and write key permissions and honours selectors', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'rw', 'on', 'nopass', '+@all', '%R~read*', '%W~write*', '(+get ~sel*)')).toBe(OK);
    const c = await as('rw', 'x');
    expect(await c.call('GET', 'read1')).toBe('$-1\r\n');
    expect(await c.call('SET', 'read1', 'v')).toBe(NOPERM_KEYS);
    expect(await c.call('SET', 'write1', 'v')).toBe(OK);
    expect(await c.call('GET', 'write1')).toBe(NOPERM_KEYS);
    expect(await c.call('GET', 'sel1')).toBe('$-1\r\n');
    // LPUSH writes without reading; COPY reads its source and writes its target.
    expect(await c.call('COPY', 'read1', 'write2')).toBe(':0\r\n');
    expect(await c.call('COPY', 'write1', 'read2')).toBe(NOPERM_KEYS);
    const info = await admin.call('ACL', 'GETUSER', 'rw');
    expect(bulks(info)).toEqual(['flags', 'on', 'nopass', 'passwords', 'commands', '+@all', 'keys', '%R~read* %W~write*', 'channels', '',
      'selectors', 'commands', '-@all +get', 'keys', '~sel*', 'channels', '']);
    expect(await admin.call('ACL', 'SETUSER', 'rw', 'clearselectors')).toBe(OK);
    expect(await c.call('GET', 'sel1')).toBe(NOPERM_KEYS);
    c.close();
  });

  it('allows a first argument of an otherwise denied command', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'sel', 'on', 'nopass', '-@all', '+select|0', '+ping')).toBe(OK);
    const c = await as('sel', 'x');
    expect(await c.call('SELECT', '0')).toBe(OK);
    expect(await c.call('SELECT', '1')).toBe(noPermCommand('select'));
    expect(bulks(await admin.call('ACL', 'LIST'))).toContain('user sel on nopass resetchannels -@all +ping +select|0');
    c.close();
  });

  it('checks queued commands at MULTI and again at EXEC, and scripts\' redis.call', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'tx', 'on', 'nopass', '+multi', '+exec', '+incr', '+eval', '+get', '~k*')).toBe(OK);
    const c = await as('tx', 'x');
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('INCR', 'other')).toBe(NOPERM_KEYS);
    expect(await c.call('EXEC')).toMatch(/^-EXECABORT/);
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('INCR', 'k1')).toBe('+QUEUED\r\n');
    expect(await admin.call('ACL', 'SETUSER', 'tx', '-incr')).toBe(OK);
    expect(await c.call('EXEC')).toBe('*1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n');
    expect(await c.call('EVAL', "return redis.call('incr', 'k1')", '0')).toMatch(/^-ERR The user executing the script can't run this command or subcommand/);
    expect(await c.call('EVAL', "return redis.call('get', 'z')", '0')).toMatch(/^-ERR The user executing the script can't access at least one of the keys mentioned in the command arguments/);
    expect(await c.call('EVAL', "return redis.acl_check_cmd('get', 'k2')", '0')).toBe(':1\r\n');
    expect(await c.call('EVAL', "return redis.acl_check_cmd('get', 'z')", '0')).toBe('$-1\r\n');
    c.close();
    const log = await admin.call('ACL', 'LOG', '3');
    expect(bulks(log).filter((_, i, all) => all[i - 1] === 'context')).toEqual(['lua', 'lua', 'multi']);
  });

  it('a script\'s commands run as its caller: SORT BY/GET need the caller\'s access to every key', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'sorter', 'on', 'nopass', '+@all', '~list*')).toBe(OK);
    expect(await admin.call('RPUSH', 'list-s', '3', '1', '2')).toBe(':3\r\n');
    const c = await as('sorter', 'x');
    const denied = (option: string): string => `-ERR ${option} option of SORT denied due to insufficient ACL permissions.\r\n`;
    expect(await c.call('SORT', 'list-s', 'BY', 'w_*')).toBe(denied('BY'));
    expect(await c.call('EVAL', "return redis.pcall('sort', KEYS[1], 'BY', 'w_*')", '1', 'list-s')).toBe(denied('BY'));
    expect(await c.call('EVAL', "return redis.pcall('sort', KEYS[1], 'GET', 'w_*')", '1', 'list-s')).toBe(denied('GET'));
    // The default user reads every key: the same script sorts.
    expect(bulks(await admin.call('EVAL', "return redis.call('sort', KEYS[1], 'BY', 'w_*')", '1', 'list-s'))).toEqual(['1', '2', '3']);
    c.close();
  });

  it('logs denials and failed AUTH in ACL LOG, grouping repeats and honouring acllog-max-len', async () => {
    expect(await admin.call('ACL', 'LOG', 'RESET')).toBe(OK);
    expect(await admin.call('ACL', 'SETUSER', 'logged', 'on', '>pw', '+get', '~a')).toBe(OK);
    const c = await as('logged', 'pw');
    for (let i = 0; i < 3; i++) expect(await c.call('GET', 'b')).toBe(NOPERM_KEYS);
    expect(await c.call('AUTH', 'logged', 'wrong')).toMatch(/^-WRONGPASS/);
    const entries = bulks(await admin.call('ACL', 'LOG'));
    expect(entries.slice(0, 10)).toEqual(['count', 'reason', 'auth', 'context', 'toplevel', 'object', 'AUTH', 'username', 'logged', 'age-seconds']);
    const second = entries.slice(entries.indexOf('count', 1));
    expect(second.slice(0, 9)).toEqual(['count', 'reason', 'key', 'context', 'toplevel', 'object', 'b', 'username', 'logged']);
    expect(await admin.call('ACL', 'LOG')).toMatch(/^\*2\r\n\*14\r\n\$5\r\ncount\r\n:1\r\n[\s\S]*\$5\r\ncount\r\n:3\r\n/);
    expect(await admin.call('CONFIG', 'SET', 'acllog-max-len', '2')).toBe(OK);
    for (let i = 0; i < 5; i++) await c.call('GET', `x${i}`);
    expect(await admin.call('ACL', 'LOG', '100')).toMatch(/^\*2\r\n/);
    expect(await admin.call('CONFIG', 'SET', 'acllog-max-len', '128')).toBe(OK);
    c.close();
  });

  it('closes the connections of a deleted user, the current one after its reply', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'gone', 'on', 'nopass', '+@all', '~*')).toBe(OK);
    const other = await as('gone', 'x');
    const self = await as('gone', 'x');
    expect(await self.call('ACL', 'DELUSER', 'gone')).toBe(':1\r\n');
    await other.waitClosed();
    await self.waitClosed();
  });

  it('closes subscribers whose channels were revoked, and keeps those still allowed', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'sub', 'on', 'nopass', '+@all', '&foo', '&bar')).toBe(OK);
    const keep = await as('sub', 'x');
    const lose = await as('sub', 'x');
    expect(await keep.call('SUBSCRIBE', 'foo')).toMatch(/subscribe/);
    expect(await lose.call('SUBSCRIBE', 'bar')).toMatch(/subscribe/);
    expect(await admin.call('ACL', 'SETUSER', 'sub', 'resetchannels', '&foo')).toBe(OK);
    await lose.waitClosed();
    expect(await admin.call('PUBLISH', 'foo', 'still')).toBe(':1\r\n');
    keep.close();
  });

  it('CLIENT KILL USER closes the user\'s connections and knows only existing users', async () => {
    expect(await admin.call('CLIENT', 'KILL', 'USER', 'nosuch')).toBe("-ERR No such user 'nosuch'\r\n");
    expect(await admin.call('ACL', 'SETUSER', 'killme', 'on', 'nopass', '+@all')).toBe(OK);
    const c = await as('killme', 'x');
    expect(await admin.call('CLIENT', 'KILL', 'USER', 'killme')).toBe(':1\r\n');
    await c.waitClosed();
  });

  it('denies every command family to a user without permissions', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'nobody', 'on', 'nopass')).toBe(OK);
    const c = await as('nobody', 'x');
    let denied = 0;
    for (const command of allCommands(server.server.commands)) {
      // Protected commands (DEBUG) are refused before ACL is asked, as in Redis.
      if (command.noAuth || command.handler === null || command.isProtected) continue;
      // The least arguments its arity accepts; a subcommand is named after its container.
      const argc = Math.abs(command.arity);
      const argv = command.parent === null ? [command.spec.name] : [command.parent.spec.name, command.spec.name];
      while (argv.length < argc) argv.push('k');
      // A refused EXEC ends the transaction, so its refusal comes as EXECABORT (Redis's execCommandAbort).
      const expected = command.isExec ? `-EXECABORT Transaction discarded because of: ${noPermCommand('exec').slice(1)}` : noPermCommand(command.fullName);
      expect(await c.call(...argv), command.fullName).toBe(expected);
      denied++;
    }
    expect(denied).toBeGreaterThan(250);
    c.close();
  });

  it('ACL CAT, GENPASS, DRYRUN and HELP answer as Redis', async () => {
    // Redis 7.0's 21 categories plus RedisJSON's @json (JSON is built in).
    expect(bulks(await admin.call('ACL', 'CAT')).length).toBe(22);
    expect(bulks(await admin.call('ACL', 'CAT', 'transaction'))).toEqual(expect.arrayContaining(['multi', 'exec', 'watch']));
    expect(await admin.call('ACL', 'CAT', 'nope')).toBe("-ERR Unknown category 'nope'\r\n");
    expect(bulks(await admin.call('ACL', 'GENPASS'))[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(bulks(await admin.call('ACL', 'GENPASS', '5'))[0]).toMatch(/^[0-9a-f]{2}$/);
    expect(await admin.call('ACL', 'GENPASS', '0')).toMatch(/^-ERR ACL GENPASS argument must be the number of bits/);
    expect(await admin.call('ACL', 'SETUSER', 'dry', 'on', '+get', '~k')).toBe(OK);
    expect(await admin.call('ACL', 'DRYRUN', 'dry', 'get', 'k')).toBe(OK);
    expect(await admin.call('ACL', 'DRYRUN', 'dry', 'get', 'x')).toBe("$50\r\nThis user has no permissions to access the 'x' key\r\n");
    expect(await admin.call('ACL', 'DRYRUN', 'dry', 'set', 'k', 'v')).toBe("$53\r\nThis user has no permissions to run the 'set' command\r\n");
    expect(await admin.call('ACL', 'DRYRUN', 'dry', 'get')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await admin.call('ACL', 'DRYRUN', 'nouser', 'get', 'k')).toBe("-ERR User 'nouser' not found\r\n");
    expect(await admin.call('ACL', 'HELP', 'x')).toBe("-ERR wrong number of arguments for 'acl|help' command\r\n");
    expect(await admin.call('ACL', 'LOAD')).toMatch(/^-ERR This Redis instance is not configured to use an ACL file/);
  });

  it('requirepass is the default user\'s password', async () => {
    expect(await admin.call('CONFIG', 'SET', 'requirepass', 'secret')).toBe(OK);
    expect(bulks(await admin.call('ACL', 'LIST'))).toContain(`user default on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all`);
    const c = await RawConnection.connect(server.port);
    expect(await c.call('GET', 'x')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await c.call('AUTH', 'secret')).toBe(OK);
    expect(await admin.call('CONFIG', 'SET', 'requirepass', '')).toBe(OK);
    expect(bulks(await admin.call('ACL', 'LIST'))).toContain('user default on nopass ~* &* +@all');
    c.close();
  });

  it('takes about as long for an unknown user as for a wrong password', () => {
    const acl = server.server.acl;
    expect(acl.setUser('timed', ['on', '>pw'])).toBeNull();
    const client = server.server.createClient(new DiscardingConnection());
    const measure = (user: string): number => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 300; i++) acl.authenticate(client, user, 'wrong', 'AUTH');
      return Number(process.hrtime.bigint() - start);
    };
    // Alternating rounds, the fastest of each: the machine's other load only ever adds time.
    let known = Number.MAX_VALUE;
    let unknown = Number.MAX_VALUE;
    for (let round = 0; round < 20; round++) {
      known = Math.min(known, measure('timed'));
      unknown = Math.min(unknown, measure('nosuch'));
    }
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(unknown / known).toBeLessThan(2);
  });
});


describe('ACL files and config', () => {
  it('loads users from the config file and writes them back with CONFIG REWRITE', async () => {
    const dir = scratchDir();
    const conf = join(dir, `acl-users-${process.pid}.conf`);
    writeFileSync(conf, 'user default on nopass ~* &* +@all -flushdb\nuser app on >pw ~app:* +get\n');
    const proc = runCli([conf, '--port', '0', '--save', '']);
    try {
      const m = await proc.waitFor(/Port: (\d+)|port=(\d+)/);
      const port = Number(m[1] ?? m[2]);
      const c = await RawConnection.connect(port);
      expect(await c.call('FLUSHDB')).toBe(noPermCommand('flushdb'));
      expect(await c.call('ACL', 'SETUSER', 'added', 'on', 'nopass', '+ping')).toBe(OK);
      expect(await c.call('CONFIG', 'REWRITE')).toBe(OK);
      const text = readFileSync(conf, 'latin1');
      // The old user lines take the users in name order; a configured default user was reset first.
      expect(text).toMatch(/^user added on nopass resetchannels -@all \+ping\nuser app on #[0-9a-f]{64} ~app:\* resetchannels -@all \+get\n/);
      expect(text).toContain('\nuser default on nopass sanitize-payload ~* &* +@all -flushdb\n');
      c.close();
    } finally {
      await proc.kill();
    }
  });

  it('refuses to start on bad user lines and bad aclfiles, with Redis\'s messages', async () => {
    const dup = runCli(['--port', '0', '--user', 'foo', '--user', 'foo']);
    await dup.waitExit();
    expect(dup.output).toContain("Error in user declaration 'foo': Duplicate user found. A user can only be defined once in config files");
    const dir = scratchDir();
    const file = join(dir, `bad-${process.pid}.acl`);
    writeFileSync(file, 'user alice on +nosuch\nuser bob on\nuser bob on\n');
    const bad = runCli(['--port', '0', '--aclfile', file, '--save', '']);
    const exit = await bad.waitExit();
    expect(exit.code).toBe(1);
    expect(bad.output).toContain(`Aborting Redis startup because of ACL errors: ${file}:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: Duplicate user 'bob' found on line 3. WARNING: ACL errors detected, no change to the previously active ACL rules was performed`);
  });

  it('ACL SAVE writes the aclfile and ACL LOAD reads it back', async () => {
    const dir = scratchDir();
    const file = join(dir, `users-${process.pid}.acl`);
    writeFileSync(file, 'user alice on >alice ~* +@all\n');
    const server = await startCinnabar({ aclfile: file });
    try {
      const c = await RawConnection.connect(server.port);
      expect(await c.call('ACL', 'SETUSER', 'bob', 'on', 'nopass', '+get')).toBe(OK);
      expect(await c.call('ACL', 'SAVE')).toBe(OK);
      const saved = readFileSync(file, 'latin1').split('\n');
      expect(saved[1]).toBe('user bob on nopass resetchannels -@all +get');
      expect(saved[2]).toBe('user default on nopass ~* &* +@all');
      writeFileSync(file, `${saved[0]}\nuser default on nopass ~* &* +@all\n`);
      const bob = await RawConnection.connect(server.port);
      expect(await bob.call('AUTH', 'bob', 'x')).toBe(OK);
      expect(await c.call('ACL', 'LOAD')).toBe(OK);
      await bob.waitClosed();
      expect(bulks(await c.call('ACL', 'USERS'))).toEqual(['alice', 'default']);
      writeFileSync(file, 'user carol on +bad\n');
      expect(await c.call('ACL', 'LOAD')).toBe(`-ERR ${file}:1: Error in applying operation '+bad': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n`);
      expect(bulks(await c.call('ACL', 'USERS'))).toEqual(['alice', 'default']);
      c.close();
    } finally {
      await server.close();
    }
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandKeys, keysFromSpecs, legacyRange } from '../../src/commands/introspection.js';
import { buildCommandTable } from '../../src/commands/registry.js';
import type { CommandSpec, KeySpec } from '../../src/commands/types.js';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

// Key specs as Redis 7.0 declares them for a few commands with interesting shapes.
const RANGE_1: KeySpec = { flags: ['RO', 'access'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
const MSET: KeySpec = { flags: ['OW', 'update'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: -1, keyStep: 2, limit: 0 } };
const LMOVE: KeySpec[] = [
  { flags: ['RW', 'access', 'delete'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } },
  { flags: ['RW', 'insert'], begin: { type: 'index', index: 2 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } },
];
const ZUNIONSTORE: KeySpec[] = [
  { flags: ['OW', 'update'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } },
  { flags: ['RO', 'access'], begin: { type: 'index', index: 2 }, find: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 } },
];
const XREAD: KeySpec[] = [
  { flags: ['RO', 'access'], begin: { type: 'keyword', keyword: 'STREAMS', startFrom: 1 }, find: { type: 'range', lastKey: -1, keyStep: 1, limit: 2 } },
];
const BLPOP: KeySpec[] = [
  { flags: ['RW', 'access', 'delete'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: -2, keyStep: 1, limit: 0 } },
];
const MIGRATE: KeySpec[] = [
  { flags: ['RW', 'access', 'delete'], begin: { type: 'index', index: 3 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } },
  { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { type: 'keyword', keyword: 'KEYS', startFrom: -2 }, find: { type: 'range', lastKey: -1, keyStep: 1, limit: 0 } },
];

describe('legacy key range and key extraction from key specs', () => {
  it('derives first/last/step and movablekeys as populateCommandLegacyRangeSpec does', () => {
    expect(legacyRange([])).toEqual([0, 0, 0, false]);
    expect(legacyRange([RANGE_1])).toEqual([1, 1, 1, false]);
    expect(legacyRange([MSET])).toEqual([1, -1, 2, false]);
    expect(legacyRange(LMOVE)).toEqual([1, 2, 1, false]);
    expect(legacyRange(BLPOP)).toEqual([1, -2, 1, false]);
    expect(legacyRange(ZUNIONSTORE)).toEqual([1, 1, 1, true]);
    expect(legacyRange(XREAD)).toEqual([0, 0, 0, true]);
    expect(legacyRange(MIGRATE)).toEqual([3, 3, 1, true]);
  });

  it('finds keys by index, keyword and count, and gives up on incomplete specs', () => {
    const pos = (specs: KeySpec[], argv: string[]): number[] | null => keysFromSpecs(specs, argv)?.map((k) => k.pos) ?? null;
    expect(pos([MSET], ['mset', 'a', '1', 'b', '2'])).toEqual([1, 3]);
    expect(pos(ZUNIONSTORE, ['zunionstore', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2'])).toEqual([1, 3, 4]);
    expect(pos(ZUNIONSTORE, ['zunionstore', 'dst', 'x', 'a'])).toBeNull();
    expect(pos(ZUNIONSTORE, ['zunionstore', 'dst', '5', 'a'])).toBeNull();
    expect(pos(XREAD, ['xread', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'])).toEqual([4, 5]);
    expect(pos(XREAD, ['xread', 'COUNT', '2'])).toEqual([]);
    expect(pos(BLPOP, ['blpop', 'a', 'b', '0'])).toEqual([1, 2]);
    expect(pos(MIGRATE, ['migrate', 'h', 'p', 'k', '0', '5000'])).toEqual([3]);
    expect(pos(MIGRATE, ['migrate', 'h', 'p', '', '0', '5000', 'KEYS', 'a', 'b'])).toBeNull();
  });

  it('uses a command key finder when the specs cannot tell, with Redis flags for variable-flag commands', () => {
    const sort: CommandSpec = {
      name: 'sort', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
      keySpecs: [RANGE_1, { flags: ['OW', 'update'], begin: { type: 'unknown' }, find: { type: 'unknown' } }],
      getKeys: (argv) => {
        const out = [1];
        for (let i = 2; i < argv.length - 1; i++) if (argv[i].toUpperCase() === 'STORE') out.push(i + 1);
        return out;
      },
      summary: 'test', since: '1.0.0', group: 'generic', handler: () => undefined,
    };
    const command = buildCommandTable([[sort]]).get('sort');
    if (command === undefined) throw new Error('sort missing');
    expect(commandKeys(command, ['sort', 'k1', 'STORE', 'k2'])).toEqual([
      { pos: 1, flags: ['RO', 'access'] },
      { pos: 3, flags: ['OW', 'update'] },
    ]);
  });
});

/** Reads a RESP reply into JS values, enough for these assertions (maps become arrays). */
describe('COMMAND', () => {
  let server: RunningServer;
  let c: RawConnection;
  let io: Redis;
  beforeAll(async () => {
    server = await startCinnabar();
    c = await RawConnection.connect(server.port);
    io = new Redis({ port: server.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    await io.connect();
  });
  afterAll(async () => {
    c.close();
    io.disconnect();
    await server.close();
  });

  it('COMMAND COUNT counts the top-level commands, COMMAND and COMMAND INFO describe each of them', async () => {
    const count = Number((await c.call('COMMAND', 'COUNT')).slice(1, -2));
    expect(count).toBeGreaterThan(10);
    const all = (await io.call('COMMAND')) as unknown[][];
    expect(all).toHaveLength(count);
    const names = all.map((entry) => entry[0]);
    expect(names).toContain('get');
    expect(names).toContain('client');
    expect(names).toContain('command');
    expect(names.some((n) => String(n).includes('|'))).toBe(false);
    const infoAll = (await io.call('COMMAND', 'INFO')) as unknown[][];
    expect(infoAll).toHaveLength(count);
  });

  it('COMMAND INFO GET matches Redis byte for byte', async () => {
    expect(await c.call('COMMAND', 'INFO', 'get')).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n' +
      '*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n' +
      '$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n',
    );
  });

  it('COMMAND INFO describes containers with their subcommands and unknown names as nulls', async () => {
    const [client, nothing, badSub, tooDeep] = (await io.call('COMMAND', 'INFO', 'client', 'nosuch', 'get|key', 'config|get|key')) as unknown[][];
    expect(client[0]).toBe('client');
    expect(client[1]).toBe(-2);
    expect(client[2]).toEqual([]); // "sentinel" is a hidden flag
    expect(client[6]).toEqual(['@slow']);
    const subs = client[9] as unknown[][];
    const kill = subs.find((s) => s[0] === 'client|kill');
    expect(kill?.slice(0, 7)).toEqual(['client|kill', -3, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous', '@connection']]);
    expect(nothing).toBeNull();
    expect(badSub).toBeNull();
    expect(tooDeep).toBeNull();
    const [list] = (await io.call('COMMAND', 'INFO', 'CLIENT|LIST')) as unknown[][];
    expect(list[0]).toBe('client|list');
    expect(list[7]).toEqual(['nondeterministic_output']);
  });

  it('uses RESP3 sets and maps in COMMAND INFO', async () => {
    const r3 = await RawConnection.connect(server.port);
    await r3.call('HELLO', '3');
    const reply = await r3.call('COMMAND', 'INFO', 'get');
    expect(reply.startsWith('*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n')).toBe(true);
    expect(reply).toContain('%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n');
    // A command without subcommands ends with an empty set, as Redis's addReplyCommandSubCommands.
    expect(reply.endsWith('~0\r\n')).toBe(true);
    r3.close();
  });

  it('COMMAND DOCS documents the requested commands, skipping unknown ones', async () => {
    const docs = (await io.call('COMMAND', 'DOCS', 'get', 'nosuch', 'client')) as unknown[];
    expect(docs).toHaveLength(4);
    expect(docs[0]).toBe('get');
    const get = docs[1] as unknown[];
    expect(get.filter((_, i) => i % 2 === 0)).toEqual(expect.arrayContaining(['summary', 'since', 'group']));
    expect(get[get.indexOf('group') + 1]).toBe('string');
    expect(get[get.indexOf('since') + 1]).toBe('1.0.0');
    expect(docs[2]).toBe('client');
    const client = docs[3] as unknown[];
    const subs = client[client.indexOf('subcommands') + 1] as unknown[];
    expect(subs).toContain('client|kill');
    const all = (await io.call('COMMAND', 'DOCS')) as unknown[];
    expect(all.length / 2).toBe(Number((await c.call('COMMAND', 'COUNT')).slice(1, -2)));
  });

  it('COMMAND LIST with and without filters', async () => {
    const all = (await io.call('COMMAND', 'LIST')) as string[];
    expect(all).toContain('set');
    expect(all).toContain('client|list');
    expect(await io.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'set')).toEqual(['set']);
    const clients = (await io.call('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'CLIENT*')) as string[];
    expect(clients).toContain('client');
    expect(clients).toContain('client|kill');
    expect(clients.every((n) => n.startsWith('client'))).toBe(true);
    const help = (await io.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'cl*help')) as string[];
    expect(help).toContain('client|help');
    const connection = (await io.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'CONNECTION')) as string[];
    expect(connection).toContain('ping');
    expect(connection).toContain('client|id');
    expect(connection).not.toContain('get');
    expect(await io.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'no_such_category')).toEqual([]);
    expect(await io.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'anything')).toEqual([]);
    expect(await c.call('COMMAND', 'LIST', 'bad_arg')).toBe('-ERR syntax error\r\n');
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'bad_arg')).toBe('-ERR syntax error\r\n');
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'bad_arg', 'x')).toBe('-ERR syntax error\r\n');
  });

  it('COMMAND GETKEYS and GETKEYSANDFLAGS', async () => {
    expect(await io.call('COMMAND', 'GETKEYS', 'get', 'key')).toEqual(['key']);
    expect(await io.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1')).toEqual([['k1', ['OW', 'update']]]);
    expect(await io.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1', 'GET')).toEqual([['k1', ['RW', 'access', 'update']]]);
    expect(await io.call('COMMAND', 'GETKEYSANDFLAGS', 'mset', 'k1', 'v1', 'k2', 'v2')).toEqual([['k1', ['OW', 'update']], ['k2', ['OW', 'update']]]);
    expect(await c.call('COMMAND', 'GETKEYS', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'ping', 'x')).toBe('-ERR The command has no key arguments\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'get', 'a', 'b')).toBe('-ERR Invalid number of arguments specified for command\r\n');
    // MSET's spec steps by 2 up to the last argument, whatever the count: Redis gives a and c.
    expect(await c.call('COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c')).toBe('*2\r\n$1\r\na\r\n$1\r\nc\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'client', 'kill', 'x')).toBe('-ERR The command has no key arguments\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'client', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'get')).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  });

  it('COMMAND HELP and unknown subcommands', async () => {
    const help = await c.call('COMMAND', 'HELP');
    expect(help).toMatch(/^\*\d+\r\n\+COMMAND <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    for (const sub of ['COUNT', 'LIST', 'INFO', 'DOCS', 'GETKEYS', 'GETKEYSANDFLAGS', 'HELP']) expect(help).toContain(`+${sub}`);
    expect(await c.call('COMMAND', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
    expect(await c.call('COMMAND', 'COUNT', 'x')).toBe("-ERR wrong number of arguments for 'command|count' command\r\n");
  });
});

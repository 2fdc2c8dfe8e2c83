import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

// COMMAND replies from the command table: INFO of commands whose metadata must equal Redis 7.0's,
// key extraction, and the error paths. Whole-table replies (COMMAND, COUNT, LIST without a
// precise filter, DOCS summaries) differ by design (order, set of commands, our own wording).
describeDifferential('COMMAND', (servers) => {
  const INFO_OF = [
    'get', 'set', 'mset', 'getex', 'append', 'incrbyfloat', 'lcs', 'bitfield', 'bitop', 'hset', 'hgetall', 'hscan',
    'ping', 'select', 'auth', 'hello', 'quit', 'reset', 'del', 'exists', 'rename', 'copy', 'expire', 'persist',
    'multi', 'exec', 'watch', 'subscribe', 'publish', 'spublish', 'ssubscribe',
    'client|kill', 'client|list', 'client|setname', 'client|getname', 'client|id', 'client|info', 'client|pause',
    'client|unpause', 'client|reply', 'client|no-evict', 'client|unblock', 'client|help',
    'command|info', 'command|docs', 'command|list', 'command|getkeys', 'command|getkeysandflags', 'command|count',
    'command|help', 'CLIENT|LIST', 'GET',
  ];
  for (const resp of [2, 3] as const) {
    it(`COMMAND INFO of single commands and subcommands matches in RESP${resp}`, async () => {
      await servers.run([
        ...INFO_OF.map((name) => ['COMMAND', 'INFO', name]),
        ['COMMAND', 'INFO', 'get', 'set', 'nosuch', 'get|key', 'config|get|key', 'client|nosuch', 'client|'],
        ['COMMAND', 'INFO', ''],
      ], resp);
    });

    it(`COMMAND GETKEYS / GETKEYSANDFLAGS and their errors match in RESP${resp}`, async () => {
      await servers.run([
        ['COMMAND', 'GETKEYS', 'get', 'key'], ['COMMAND', 'GETKEYS', 'GET', 'key'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1'], ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1', 'get'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'k1', 'v1', 'k2', 'v2'], ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'rename', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'copy', 'a', 'b', 'DB', '1'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'bitop', 'and', 'dst', 's1', 's2'], ['COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b', 'c'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'lcs', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'hset', 'h', 'f', 'v'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'SET', 'u8', '0', '1'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'watch', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'object', 'encoding', 'k'],
        ['COMMAND', 'GETKEYS', 'nosuch', 'x'], ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
        ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYS', 'client', 'kill', 'x'], ['COMMAND', 'GETKEYS', 'client', 'nosuch'],
        ['COMMAND', 'GETKEYS', 'publish', 'ch', 'msg'], ['COMMAND', 'GETKEYS', 'spublish', 'ch', 'msg'],
        ['COMMAND', 'GETKEYS', 'subscribe', 'ch'], ['COMMAND', 'GETKEYS', 'client'],
      ], resp);
    });

    it(`COMMAND LIST filters, DOCS of unknown names and errors match in RESP${resp}`, async () => {
      await servers.run([
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'set'], ['COMMAND', 'LIST', 'FILTERBY', 'pattern', 'GET'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|kill'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'non_exists*'],
        ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'non_existing_category'], ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
        ['COMMAND', 'LIST', 'bad_arg'], ['COMMAND', 'LIST', 'FILTERBY', 'bad_arg'], ['COMMAND', 'LIST', 'FILTERBY', 'bad_arg', 'x'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'extra'],
        ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'DOCS', 'nosuch', 'other|thing'],
        ['COMMAND', 'NOSUCH'], ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'HELP', 'x'], ['COMMAND', 'INFO', 'x|y|z'],
      ], resp);
    });
  }
});

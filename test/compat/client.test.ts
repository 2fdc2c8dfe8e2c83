import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

// Only deterministic CLIENT replies are compared: ids, addresses, ages and fds differ by nature,
// and CLIENT HELP is worded differently on purpose.
describeDifferential('CLIENT', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`names, reply modes and argument errors match in RESP${resp}`, async () => {
      await servers.run([
        ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'caf\xe9'], ['CLIENT', 'SETNAME', 'x\n'],
        ['CLIENT', 'SETNAME', 'conn-1'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME'], ['CLIENT', 'GETNAME', 'x'], ['CLIENT'], ['CLIENT', 'NOSUCH'], ['CLIENT', 'ID', 'x'],
        ['CLIENT', 'INFO', 'x'],
        ['CLIENT', 'LIST', 'TYPE', 'bogus'], ['CLIENT', 'LIST', 'TYPE'], ['CLIENT', 'LIST', 'TYPE', 'master'],
        ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'slave'], ['CLIENT', 'LIST', 'ID', 'abc'],
        ['CLIENT', 'LIST', 'ID', '999999'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'a', 'b', 'c'],
        ['CLIENT', 'KILL'], ['CLIENT', 'KILL', 'ID', '10', 'wrong_arg'], ['CLIENT', 'KILL', 'ID', 'str'],
        ['CLIENT', 'KILL', 'ID', '-1'], ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'TYPE', 'wrong_type'],
        ['CLIENT', 'KILL', 'USER', 'wrong_user'], ['CLIENT', 'KILL', 'SKIPME', 'yes_or_no'], ['CLIENT', 'KILL', '1.2.3.4:5'],
        ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'TYPE', 'master'], ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1', 'SKIPME', 'no'],
        ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'], ['CLIENT', 'KILL', 'MAXAGE', '10'],
        ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-EVICT', 'OFF'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-EVICT'],
        ['CLIENT', 'UNBLOCK', '999999'], ['CLIENT', 'UNBLOCK', '999999', 'ERROR'], ['CLIENT', 'UNBLOCK', '1', 'bad'],
        ['CLIENT', 'UNBLOCK', 'abc'], ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'], ['CLIENT', 'UNBLOCK'],
        ['CLIENT', 'PAUSE', '100', 'SOME'], ['CLIENT', 'PAUSE', 'abc'], ['CLIENT', 'PAUSE', '-5'], ['CLIENT', 'PAUSE', '1', 'ALL', 'x'],
        ['CLIENT', 'PAUSE'], ['CLIENT', 'PAUSE', '0'], ['CLIENT', 'PAUSE', '0', 'write'], ['CLIENT', 'UNPAUSE'],
        ['CLIENT', 'UNPAUSE', 'x'], ['SET', 'k', 'v'],
        ['CLIENT', 'REPLY', 'bogus'], ['CLIENT', 'REPLY'],
        { args: ['CLIENT', 'REPLY', 'OFF'], replies: 0 }, { args: ['SET', 'k', 'silent'], replies: 0 },
        { args: ['GET', 'k'], replies: 0 }, { args: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 },
        ['CLIENT', 'REPLY', 'ON'], ['GET', 'k'],
        { args: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, { args: ['GET', 'k'], replies: 0 }, ['ECHO', 'heard'],
        { args: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, ['CLIENT', 'REPLY', 'ON'], ['PING'],
        ['HELLO', String(resp), 'SETNAME', 'bad name'], ['CLIENT', 'GETNAME'],
      ], resp);
    });
  }
});

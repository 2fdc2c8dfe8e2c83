// The replies shared by every container command (commands/help.ts): the "unknown subcommand or
// wrong number of arguments" error, including how the subcommand is cut (128 bytes, or at a NUL
// byte, like C's "%.128s"). HELP listings are our own prose, so only their framing is tested
// (test/commands).

import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

describeDifferential('subcommand help and syntax errors', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`subcommand syntax errors match in RESP${resp}`, async () => {
      await servers.run([
        ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'NUMPAT', 'x'], ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'],
        ['client', 'pause', '1', 'ALL', 'x'], ['FUNCTION', 'FLUSH', 'SYNC', 'x'],
        ['DEBUG', 'nosuch'], ['DEBUG', 'x'.repeat(200)], ['DEBUG', 'ab\0cd'],
      ], resp);
    });

    it(`ECHO and the commands whose helpers were shared keep Redis's COMMAND INFO in RESP${resp}`, async () => {
      await servers.run([
        ['COMMAND', 'INFO', 'echo', 'ping', 'scan', 'hscan', 'getrange', 'bitcount', 'bitpos', 'rename', 'move'],
        ['COMMAND', 'INFO', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'],
      ], resp);
    });
  }
});

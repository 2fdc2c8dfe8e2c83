// The replies shared by every container command (commands/help.ts): the HELP listing's framing
// and the "unknown subcommand or wrong number of arguments" error, including how the
// subcommand is cut (128 bytes, or at a NUL byte, like C's "%.128s").

import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

describeDifferential('subcommand help and syntax errors', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`HELP listings and subcommand syntax errors match in RESP${resp}`, async () => {
      await servers.run([
        ['PUBSUB', 'HELP'], ['OBJECT', 'help'], ['CONFIG', 'HELP'], ['SLOWLOG', 'HELP'], ['MEMORY', 'HELP'],
        ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'NUMPAT', 'x'], ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'],
        ['client', 'pause', '1', 'ALL', 'x'], ['FUNCTION', 'FLUSH', 'SYNC', 'x'],
        ['DEBUG', 'nosuch'], ['DEBUG', 'HELP', 'x'], ['DEBUG', 'x'.repeat(200)], ['DEBUG', 'ab\0cd'],
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

import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

describeDifferential('connection commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`PING, ECHO, SELECT and errors match in RESP${resp}`, async () => {
      await servers.run([
        ['PING'], ['PING', 'hello'], ['PING', 'a', 'b'], ['ECHO', 'x y'], ['ECHO'],
        ['SELECT', '1'], ['SELECT', '99'], ['SELECT', 'abc'], ['SELECT', '-1'], ['SELECT', '0'],
        ['NOSUCHCOMMAND', 'a', 'b'], ['AUTH', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'a', 'b', 'c'],
        ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', String(resp), 'FOO'],
      ], resp);
    });
  }
});

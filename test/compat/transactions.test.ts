import { expect, it } from 'vitest';
import { describeDifferential, type Pair } from '../helpers/differential.js';

async function same(pair: Pair, args: string[], replies = 1): Promise<void> {
  pair.ours.send(...args);
  pair.theirs.send(...args);
  for (let r = 0; r < replies; r++) {
    const [a, b] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
    expect(a, `${args.join(' ')} reply ${r}`).toBe(b);
  }
}

describeDifferential('transactions', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`MULTI/EXEC/DISCARD and their errors match in RESP${resp}`, async () => {
      await servers.run([
        ['EXEC'], ['DISCARD'], ['UNWATCH'], ['WATCH'], ['MULTI', 'x'], ['EXEC', 'x'],
        ['MULTI'], ['MULTI'], ['WATCH', 'a'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['HSET', 'h', 'f', 'v'],
        ['HGETALL', 'h'], ['GET', 'nope'], ['EXEC'],
        ['MULTI'], ['EXEC'],
        ['MULTI'], ['SET', 'b', '1'], ['DISCARD'], ['GET', 'b'],
        // Queue-time errors doom the transaction.
        ['MULTI'], ['SET', 'c', '1'], ['NOSUCH', 'x'], ['SET', 'c'], ['EXEC'], ['GET', 'c'], ['EXEC'],
        // A refused EXEC aborts with its reason.
        ['MULTI'], ['SET', 'c', '1'], ['EXEC', 'extra'], ['EXEC'], ['GET', 'c'],
        // Run-time errors do not roll back.
        ['SET', 's', 'abc'], ['MULTI'], ['INCR', 's'], ['HSET', 's', 'f', 'v'], ['SET', 't', '1'], ['EXEC'], ['GET', 't'],
        // SELECT inside a transaction.
        ['MULTI'], ['SELECT', '1'], ['SET', 'x', 'db1'], ['SELECT', '0'], ['EXEC'], ['GET', 'x'], ['SELECT', '1'], ['GET', 'x'],
        ['SELECT', '0'],
        // Subscribing inside a transaction.
        ['MULTI'], ['SSUBSCRIBE', 'sh'], ['SUBSCRIBE', 'ch'], ['PUBLISH', 'ch', 'm'], ['EXEC'],
        ['MULTI'], ['EXEC'], { args: ['UNSUBSCRIBE'], replies: 1 }, ['MULTI'], ['EXEC'],
      ], resp);
    });

    it(`WATCH outcomes match in RESP${resp}`, async () => {
      const a = await servers.connect(resp);
      const b = await servers.connect(2);
      await same(a, ['FLUSHALL']);
      // Untouched.
      await same(a, ['SET', 'x', '1']);
      await same(a, ['WATCH', 'x', 'y']);
      for (const cmd of [['MULTI'], ['INCR', 'x'], ['EXEC']]) await same(a, cmd);
      // Touched by another client, by the watcher itself, by a no-op write, by DEL and EXPIRE.
      for (const touch of [['SET', 'x', '5'], ['DEL', 'x'], ['EXPIRE', 'x', '100'], ['SET', 'y', 'new'], ['DEL', 'nope'], ['INCR', 'nope2']]) {
        await same(a, ['SET', 'x', '1']);
        await same(a, ['WATCH', 'x', 'y', 'nope']);
        await same(b, touch);
        for (const cmd of [['MULTI'], ['GET', 'x'], ['EXEC']]) await same(a, cmd);
      }
      await same(a, ['WATCH', 'x']);
      await same(a, ['SET', 'x', 'mine']);
      for (const cmd of [['MULTI'], ['GET', 'x'], ['EXEC']]) await same(a, cmd);
      // UNWATCH and DISCARD clear a dirty WATCH.
      await same(a, ['WATCH', 'x']);
      await same(b, ['SET', 'x', '2']);
      await same(a, ['UNWATCH']);
      for (const cmd of [['MULTI'], ['GET', 'x'], ['EXEC']]) await same(a, cmd);
      await same(a, ['WATCH', 'x']);
      await same(b, ['SET', 'x', '3']);
      for (const cmd of [['MULTI'], ['DISCARD'], ['MULTI'], ['GET', 'x'], ['EXEC']]) await same(a, cmd);
      // Queue-time error and touched WATCH together: the error wins.
      await same(a, ['WATCH', 'x']);
      await same(b, ['SET', 'x', '4']);
      for (const cmd of [['MULTI'], ['NOSUCH'], ['EXEC']]) await same(a, cmd);
      // Flushes and swaps.
      for (const touch of [['FLUSHDB'], ['FLUSHALL'], ['SWAPDB', '0', '1']]) {
        await same(a, ['SET', 'x', '1']);
        await same(a, ['WATCH', 'x']);
        await same(b, touch);
        for (const cmd of [['MULTI'], ['PING'], ['EXEC']]) await same(a, cmd);
        await same(a, ['WATCH', 'absent']);
        await same(b, touch);
        for (const cmd of [['MULTI'], ['PING'], ['EXEC']]) await same(a, cmd);
      }
      for (const p of [a, b]) {
        p.ours.close();
        p.theirs.close();
      }
    });
  }
});

import { Redis } from 'ioredis';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

/** RESP bulk string. */
const b = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
/** A pub/sub frame: RESP2 array or RESP3 push of bulk strings, with an optional integer tail. */
function frame(resp: 2 | 3, parts: Array<string | null>, count?: number): string {
  const n = parts.length + (count === undefined ? 0 : 1);
  let out = (resp === 3 ? '>' : '*') + n + '\r\n';
  for (const p of parts) out += p === null ? (resp === 3 ? '_\r\n' : '$-1\r\n') : b(p);
  if (count !== undefined) out += `:${count}\r\n`;
  return out;
}

describe('pub/sub', () => {
  let running: RunningServerInternal;
  const open: Array<{ close(): void }> = [];
  const ioredis: Redis[] = [];

  beforeAll(async () => {
    running = await startCinnabar();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await Promise.all(ioredis.map((r) => r.quit().catch(() => r.disconnect())));
    await running.close();
  });

  /** Connections of the running test, closed after it so no subscription leaks into the next. */
  let perTest: RawConnection[] = [];
  afterEach(async () => {
    for (const c of perTest) c.close();
    perTest = [];
    await waitFor(async () => running.server.clients.size === 0);
  });

  async function connect(resp: 2 | 3 = 2): Promise<RawConnection> {
    const c = await RawConnection.connect(running.port);
    open.push(c);
    perTest.push(c);
    if (resp === 3) await c.call('HELLO', '3');
    return c;
  }

  for (const resp of [2, 3] as const) {
    describe(`RESP${resp}`, () => {
      it('confirms each channel with the running subscription count', async () => {
        const sub = await connect(resp);
        sub.send('SUBSCRIBE', 'a', 'b', 'a');
        expect(await sub.readReply()).toBe(frame(resp, ['subscribe', 'a'], 1));
        expect(await sub.readReply()).toBe(frame(resp, ['subscribe', 'b'], 2));
        expect(await sub.readReply()).toBe(frame(resp, ['subscribe', 'a'], 2));
        sub.send('PSUBSCRIBE', 'x*');
        expect(await sub.readReply()).toBe(frame(resp, ['psubscribe', 'x*'], 3));
        // Shard channels are counted on their own.
        sub.send('SSUBSCRIBE', 's1');
        expect(await sub.readReply()).toBe(frame(resp, ['ssubscribe', 's1'], 1));
        sub.send('UNSUBSCRIBE');
        const got = [await sub.readReply(), await sub.readReply()];
        expect(got).toEqual([frame(resp, ['unsubscribe', 'a'], 2), frame(resp, ['unsubscribe', 'b'], 1)]);
        sub.send('PUNSUBSCRIBE', 'x*', 'nope');
        expect(await sub.readReply()).toBe(frame(resp, ['punsubscribe', 'x*'], 0));
        expect(await sub.readReply()).toBe(frame(resp, ['punsubscribe', 'nope'], 0));
        sub.send('SUNSUBSCRIBE');
        expect(await sub.readReply()).toBe(frame(resp, ['sunsubscribe', 's1'], 0));
      });

      it('answers an argument-less unsubscribe with a null name when nothing is subscribed', async () => {
        const c = await connect(resp);
        for (const cmd of ['UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']) {
          expect(await c.call(cmd)).toBe(frame(resp, [cmd.toLowerCase(), null], 0));
        }
      });

      it('delivers message, pmessage and smessage frames', async () => {
        const sub = await connect(resp);
        const pub = await connect(2);
        sub.send('SUBSCRIBE', 'news');
        await sub.readReply();
        sub.send('PSUBSCRIBE', 'n*');
        await sub.readReply();
        sub.send('SSUBSCRIBE', 'shard');
        await sub.readReply();
        expect(await pub.call('PUBLISH', 'news', 'hello\r\nworld')).toBe(':2\r\n');
        expect(await sub.readReply()).toBe(frame(resp, ['message', 'news', 'hello\r\nworld']));
        expect(await sub.readReply()).toBe(frame(resp, ['pmessage', 'n*', 'news', 'hello\r\nworld']));
        // Shard publishing ignores patterns, and plain publishing ignores shard channels.
        expect(await pub.call('SPUBLISH', 'shard', 'x')).toBe(':1\r\n');
        expect(await sub.readReply()).toBe(frame(resp, ['smessage', 'shard', 'x']));
        expect(await pub.call('PUBLISH', 'shard', 'y')).toBe(':0\r\n');
        expect(await pub.call('SPUBLISH', 'news', 'y')).toBe(':0\r\n');
        expect(await pub.call('PUBLISH', 'other', 'z')).toBe(':0\r\n');
        expect(await pub.call('PING')).toBe('+PONG\r\n');
        expect(sub.pending).toBe('');
      });

      it('keeps binary messages intact', async () => {
        const sub = await connect(resp);
        const pub = await connect(2);
        sub.send('SUBSCRIBE', 'bin');
        await sub.readReply();
        const payload = Buffer.from([0, 255, 13, 10, 128, 36]);
        pub.send('PUBLISH', 'bin', payload);
        expect(await pub.readReply()).toBe(':1\r\n');
        expect(await sub.readReply()).toBe(frame(resp, ['message', 'bin', payload.toString('latin1')]));
      });
    });
  }

  it('restricts a RESP2 subscriber to the subscription commands, PING, QUIT and RESET', async () => {
    const sub = await connect(2);
    sub.send('SUBSCRIBE', 'c');
    await sub.readReply();
    expect(await sub.call('GET', 'k')).toBe("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    expect(await sub.call('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(await sub.call('PING', 'hi')).toBe('*2\r\n$4\r\npong\r\n$2\r\nhi\r\n');
    expect(await sub.call('RESET')).toBe('+RESET\r\n');
    // RESET left subscribed mode: ordinary commands work again and the channel is gone.
    expect(await sub.call('PING')).toBe('+PONG\r\n');
    expect(await sub.call('PUBSUB', 'NUMSUB', 'c')).toBe('*2\r\n$1\r\nc\r\n:0\r\n');
  });

  it('lets a RESP3 subscriber run any command and receive its own messages', async () => {
    const c = await connect(3);
    c.send('SUBSCRIBE', 'self');
    await c.readReply();
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    c.send('PUBLISH', 'self', 'm');
    // The message is pushed before the reply of the PUBLISH that caused it, as Redis does.
    expect(await c.readReply()).toBe(frame(3, ['message', 'self', 'm']));
    expect(await c.readReply()).toBe(':1\r\n');
  });

  it('introspects with PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB', async () => {
    const s1 = await connect();
    const s2 = await connect();
    const q = await connect();
    s1.send('SUBSCRIBE', 'intro.a', 'intro.b');
    await s1.readReply();
    await s1.readReply();
    s2.send('SUBSCRIBE', 'intro.a');
    await s2.readReply();
    s2.send('PSUBSCRIBE', 'intro.*', 'other*');
    await s2.readReply();
    await s2.readReply();
    s1.send('PSUBSCRIBE', 'intro.*');
    await s1.readReply();
    s1.send('SSUBSCRIBE', 'intro.shard');
    await s1.readReply();

    const channels = (await q.call('PUBSUB', 'CHANNELS', 'intro.*')).split('\r\n');
    expect(channels[0]).toBe('*2');
    expect([channels[2], channels[4]].sort()).toEqual(['intro.a', 'intro.b']);
    expect(await q.call('PUBSUB', 'CHANNELS', 'intro.[b]')).toBe('*1\r\n$7\r\nintro.b\r\n');
    expect(await q.call('PUBSUB', 'NUMSUB', 'intro.a', 'intro.b', 'none')).toBe(
      '*6\r\n$7\r\nintro.a\r\n:2\r\n$7\r\nintro.b\r\n:1\r\n$4\r\nnone\r\n:0\r\n');
    expect(await q.call('PUBSUB', 'NUMSUB')).toBe('*0\r\n');
    // Unique patterns: intro.* counted once though two clients use it.
    expect(await q.call('PUBSUB', 'NUMPAT')).toBe(':2\r\n');
    expect(await q.call('PUBSUB', 'SHARDCHANNELS')).toBe('*1\r\n$11\r\nintro.shard\r\n');
    expect(await q.call('PUBSUB', 'SHARDCHANNELS', 'x*')).toBe('*0\r\n');
    expect(await q.call('PUBSUB', 'SHARDNUMSUB', 'intro.shard', 'intro.a')).toBe(
      '*4\r\n$11\r\nintro.shard\r\n:1\r\n$7\r\nintro.a\r\n:0\r\n');
    expect(await q.call('PUBSUB', 'CHANNELS', 'a', 'b')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n");
    expect(await q.call('PUBSUB', 'NUMPAT', 'x')).toBe("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
    expect(await q.call('PUBSUB', 'nope')).toBe("-ERR unknown subcommand 'nope'. Try PUBSUB HELP.\r\n");
    const help = await q.call('PUBSUB', 'HELP');
    expect(help.startsWith('*13\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n')).toBe(true);
    expect(help.endsWith('+HELP\r\n+    Prints this help.\r\n')).toBe(true);

    // Closing a subscriber drops all its subscriptions.
    s1.close();
    s2.close();
    await waitFor(async () => (await q.call('PUBSUB', 'NUMPAT')) === ':0\r\n');
    expect(await q.call('PUBSUB', 'NUMSUB', 'intro.a')).toBe('*2\r\n$7\r\nintro.a\r\n:0\r\n');
    expect(await q.call('PUBSUB', 'SHARDCHANNELS')).toBe('*0\r\n');
  });

  it('pushes messages to a client whose replies are switched off', async () => {
    const sub = await connect(3);
    sub.send('SUBSCRIBE', 'muted');
    await sub.readReply();
    // CLIENT REPLY belongs to another family; set the same state the command sets.
    const client = [...running.server.clients.all()].at(-1);
    expect(client?.channels.has('muted')).toBe(true);
    if (client === undefined) return;
    client.replyMode = 'off';
    client.reply.muted = true;
    expect(running.server.pubsub.publish('muted', 'still here')).toBe(1);
    expect(await sub.readReply()).toBe(frame(3, ['message', 'muted', 'still here']));
    // Its own subscription confirmations also get through.
    sub.send('SUBSCRIBE', 'muted2');
    expect(await sub.readReply()).toBe(frame(3, ['subscribe', 'muted2'], 2));
    // ...but an ordinary reply does not.
    sub.send('PING');
    sub.send('UNSUBSCRIBE', 'muted');
    expect(await sub.readReply()).toBe(frame(3, ['unsubscribe', 'muted'], 1));
  });

  it('works with ioredis subscribers in both protocols', async () => {
    for (const protocol of [2, 3] as const) {
      const sub = new Redis({ port: running.port, protocol, lazyConnect: true, enableReadyCheck: false });
      const pub = new Redis({ port: running.port, protocol, lazyConnect: true, enableReadyCheck: false });
      const errors: unknown[] = [];
      sub.on('error', (e: unknown) => errors.push(e));
      pub.on('error', (e: unknown) => errors.push(e));
      ioredis.push(sub, pub);
      await sub.connect();
      await pub.connect();
      const received: string[] = [];
      const done = new Promise<void>((resolve) => {
        sub.on('message', (channel: string, message: string) => {
          received.push(`${channel}:${message}`);
          if (received.length === 2) resolve();
        });
        sub.on('pmessage', (pattern: string, channel: string, message: string) => {
          received.push(`${pattern}|${channel}:${message}`);
          if (received.length === 2) resolve();
        });
      });
      expect(await sub.subscribe(`io${protocol}`)).toBe(1);
      expect(await sub.psubscribe(`io${protocol}*`)).toBe(2);
      expect(await pub.publish(`io${protocol}`, 'hi')).toBe(2);
      await done;
      expect(received.sort()).toEqual([`io${protocol}*|io${protocol}:hi`, `io${protocol}:hi`]);
      expect(await pub.pubsub('NUMSUB', `io${protocol}`)).toEqual([`io${protocol}`, 1]);
      expect(errors).toEqual([]);
      sub.disconnect();
      pub.disconnect();
    }
  });

  it('gives each protocol its own frame, message after message, big or small, with patterns', async () => {
    const two = await connect(2);
    const three = await connect(3);
    const pub = await connect(2);
    for (const sub of [two, three]) {
      sub.send('SUBSCRIBE', 'mix');
      await sub.readReply();
      sub.send('PSUBSCRIBE', 'm*');
      await sub.readReply();
    }
    // A message past the reused frame memory, then shorter ones: no byte of an earlier one left.
    for (const message of ['x'.repeat(100_000), 'short', '', 'y'.repeat(300), 'z']) {
      expect(await pub.call('PUBLISH', 'mix', message)).toBe(':4\r\n');
      for (const [sub, resp] of [[two, 2], [three, 3]] as const) {
        expect(await sub.readReply()).toBe(frame(resp, ['message', 'mix', message]));
        expect(await sub.readReply()).toBe(frame(resp, ['pmessage', 'm*', 'mix', message]));
      }
    }
    expect(two.pending + three.pending).toBe('');
  });

  it('fans a message out to 1000 subscribers, encoding it once per protocol', async () => {
    const sockets: net.Socket[] = [];
    const received: number[] = [];
    const SUBSCRIBERS = 1000;
    const subscribeCmd = '*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfan1\r\n';
    const messageFrame = '*3\r\n$7\r\nmessage\r\n$4\r\nfan1\r\n$7\r\npayload\r\n';
    const confirmation = '*3\r\n$9\r\nsubscribe\r\n$4\r\nfan1\r\n:1\r\n';
    let confirmed = 0;
    let allConfirmed!: () => void;
    const confirmedAll = new Promise<void>((resolve) => { allConfirmed = resolve; });
    let allReceivedResolve!: () => void;
    const receivedAll = new Promise<void>((resolve) => { allReceivedResolve = resolve; });
    let doneCount = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const s = net.connect(running.port, '127.0.0.1');
      sockets.push(s);
      open.push({ close: () => s.destroy() });
      let text = '';
      received.push(0);
      s.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.startsWith(confirmation)) {
          text = text.slice(confirmation.length);
          if (++confirmed === SUBSCRIBERS) allConfirmed();
        }
        while (text.startsWith(messageFrame)) {
          text = text.slice(messageFrame.length);
          received[i]++;
          if (received[i] === 10 && ++doneCount === SUBSCRIBERS) allReceivedResolve();
        }
      });
      s.write(subscribeCmd);
    }
    await confirmedAll;
    const pub = await connect();
    const start = performance.now();
    let replies = '';
    for (let m = 0; m < 10; m++) pub.send('PUBLISH', 'fan1', 'payload');
    for (let m = 0; m < 10; m++) replies += await pub.readReply();
    const publishMs = performance.now() - start;
    await receivedAll;
    expect(replies).toBe(':1000\r\n'.repeat(10));
    expect(received.every((n) => n === 10)).toBe(true);
    // Generous bound for a shared 2-core machine: 10 publishes to 1000 clients.
    expect(publishMs).toBeLessThan(2000);
    for (const s of sockets) s.destroy();
  });
});

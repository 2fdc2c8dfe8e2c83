import { expect, it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';
import { RawConnection } from '../helpers/resp.js';

/**
 * One scenario against one server: a tracking client (RESP2 redirecting to a subscriber, or
 * RESP3 on its own connection), a writer, and every reply and invalidation in the order read.
 */
async function scenario(port: number, resp: 2 | 3, bcast: boolean): Promise<string[]> {
  const seen: string[] = [];
  const writer = await RawConnection.connect(port);
  const tracker = await RawConnection.connect(port);
  let sink = tracker;
  const mode = bcast ? ['BCAST', 'PREFIX', 'k'] : [];
  if (resp === 3) {
    await tracker.call('HELLO', '3');
    seen.push(await tracker.call('CLIENT', 'TRACKING', 'on', ...mode));
  } else {
    sink = await RawConnection.connect(port);
    const id = (await sink.call('CLIENT', 'ID')).slice(1, -2);
    seen.push(await sink.call('SUBSCRIBE', '__redis__:invalidate'));
    seen.push(await tracker.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', id, ...mode));
  }
  seen.push(await writer.call('FLUSHALL'));
  if (resp === 2) seen.push(await sink.readReply());
  else seen.push(await tracker.readReply());
  seen.push(await tracker.call('MGET', 'k1', 'k2', 'other'));
  seen.push(await tracker.call('HGETALL', 'khash'));
  for (const step of [['SET', 'k1', 'v'], ['HSET', 'khash', 'f', 'v'], ['DEL', 'k2'], ['SET', 'other', 'x'], ['MSET', 'k2', 'a', 'k3', 'b']]) {
    seen.push(await writer.call(...step));
  }
  seen.push(await writer.call('PING'));
  // Everything sent so far has arrived once a PING through the sink has its reply.
  sink.send('PING');
  for (;;) {
    const reply = await sink.readReply();
    seen.push(reply);
    if (/pong/i.test(reply)) break;
  }
  seen.push(await tracker.call('CLIENT', 'TRACKINGINFO'));
  seen.push(await writer.call('FLUSHDB'));
  for (const c of new Set([writer, tracker, sink])) c.close();
  return seen.map((r) => r.replace(/^:\d+\r\n$/, ':<id>\r\n').replace(/:\d+\r\n(\$8\r\nprefixes)/, ':<id>\r\n$1'));
}

describeDifferential('client-side caching', (servers) => {
  for (const resp of [2, 3] as const) {
    for (const bcast of [false, true]) {
      it(`invalidations match in RESP${resp}${bcast ? ' with BCAST' : ''}`, async () => {
        const [ours, theirs] = await Promise.all([
          scenario(servers.cinnabarPort(), resp, bcast),
          scenario(servers.referencePort(), resp, bcast),
        ]);
        expect(ours).toEqual(theirs);
      });
    }
  }
});

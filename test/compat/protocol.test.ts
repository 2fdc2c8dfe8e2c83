import { expect, it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';
import type { RawConnection } from '../helpers/resp.js';

/** Everything a connection receives until the server closes it or goes quiet. */
async function drain(c: RawConnection): Promise<string> {
  const replies: string[] = [];
  for (;;) {
    try {
      replies.push(await c.readReply(300));
    } catch {
      // Either closed (the protocol-error case) or nothing more within the wait: both end the read.
      return replies.join('') + (c.closed ? '<closed>' : '<open>') + c.pending;
    }
  }
}

// Raw, partly malformed byte streams: the replies and whether the connection is closed must be
// the same as redis-server's.
const STREAMS: Array<string | Buffer> = [
  '\r\n*-10\r\n*0\r\nPING\r\n',
  '*3000000000\r\n',
  '*-0\r\nPING\r\n',
  '*+1\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-0\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n',
  '*1\r\nfoo\r\n',
  'set """test-key""" test-value\r\nping\r\n',
  'ECHO "a\\x41\\n" \'b c\' d\r\nPING  x\r\n',
  'PING\nPING\r\n\r\n  \r\nECHO "x"y\r\n',
  '*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$4\r\nPING\r\n',
  '*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n',
  Buffer.from('*1\r\n$4\r\nPI\x00G\r\nPING\r\n', 'latin1'),
  Buffer.from('\x00PING\r\n', 'latin1'),
  Buffer.from('*1\x00\r\n', 'latin1'),
  '*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n',
  'POST / HTTP/1.1\r\nHost: x\r\n\r\n',
];

describeDifferential('protocol edge cases', (servers) => {
  it('malformed and unusual request streams get the same replies and the same closing', async () => {
    for (const [i, bytes] of STREAMS.entries()) {
      const pair = await servers.connect(2);
      pair.ours.write(bytes);
      pair.theirs.write(bytes);
      const [ours, theirs] = await Promise.all([drain(pair.ours), drain(pair.theirs)]);
      expect(ours, `stream ${i}: ${JSON.stringify(bytes.toString())}`).toBe(theirs);
      pair.ours.close();
      pair.theirs.close();
    }
  });

  it('pipelined commands of both protocols interleave the same way in RESP3', async () => {
    const pair = await servers.connect(3);
    const bytes = 'PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO inline\r\n*1\r\n$4\r\nPING\r\n';
    pair.ours.write(bytes);
    pair.theirs.write(bytes);
    const [ours, theirs] = await Promise.all([drain(pair.ours), drain(pair.theirs)]);
    expect(ours).toBe(theirs);
  });
});

import { expect, it } from 'vitest';
import { describeDifferential, type Pair } from '../helpers/differential.js';

/**
 * Redis lists the single commands of a rule string in its hash table's order, which changes
 * with each process; runs of single-command rules are sorted so both sides compare.
 */
function sortSingleCommandRuns(line: string): string {
  const tokens = line.split(' ');
  const single = /^[+-][a-z_|0-9]+$/;
  for (let i = 0; i < tokens.length;) {
    if (!single.test(tokens[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && single.test(tokens[j])) j++;
    const run = tokens.slice(i, j).sort();
    tokens.splice(i, run.length, ...run);
    i = j;
  }
  return tokens.join(' ');
}

function normalizeRules(reply: string): string {
  return reply.split('\r\n').map(sortSingleCommandRuns).join('\r\n');
}

/** ACL LOG with the age and client-info values reduced to what both servers must agree on. */
function normalizeLog(reply: string): string {
  return reply
    .replace(/(\$11\r\nage-seconds\r\n)(\$\d+\r\n[^\r]*|,[^\r]*)\r\n/g, '$1<age>\r\n')
    .replace(/(\$11\r\nclient-info\r\n)\$\d+\r\n[^\r]*( cmd=\S+ user=\S+)[^\r]*\r\n/g, '$1<client>$2\r\n');
}

async function both(pair: Pair, ...args: string[]): Promise<[string, string]> {
  return Promise.all([pair.ours.call(...args), pair.theirs.call(...args)]);
}

const RULE_SETS: readonly string[][] = [
  [],
  ['on'],
  ['on', 'nopass', 'allcommands', 'allkeys', 'allchannels'],
  ['on', '>secret', '>other', '<other', '~*', '+@all'],
  ['#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8', 'resetpass', 'nopass'],
  ['+@read', '+@hash', '-hget'],
  ['+@all', '-@string'],
  ['+@all', '-@keyspace', '-debug', '+debug|digest'],
  ['-@all', '+@set', '+acl', '+client|id'],
  ['+@hash', '-hset', '+config|get', '+select|0', '+select|1'],
  ['~a*', '%R~r*', '%W~w*', '%RW~both*', '%R~a*', '&chan', '&news.*'],
  ['allkeys', 'resetkeys', '~x', 'allchannels', 'resetchannels', '&y'],
  ['+@all', '(+get ~foo)', '(+set %W~bar &baz)'],
  ['(+get', '~foo)', 'clearselectors', '(-@all +@read ~r*)'],
  ['skip-sanitize-payload', '+@scripting', '-eval'],
  ['sanitize-payload', '+@pubsub', '-@fast', '+@connection'],
  ['+@geo', '+@stream', '+@bitmap', '+@hyperloglog', '-@slow'],
  ['+@admin', '-@dangerous', '+@transaction', '+@blocking'],
];

describeDifferential('ACL', (servers) => {
  it('GETUSER (RESP2 and RESP3) and LIST describe the same rule sets alike', async () => {
    const pair = await servers.connect();
    const pair3 = await servers.connect(3);
    for (let i = 0; i < RULE_SETS.length; i++) {
      const rules = RULE_SETS[i];
      const [a, b] = await both(pair, 'ACL', 'SETUSER', `u${i}`, ...rules);
      expect(a, rules.join(' ')).toBe(b);
      const [g2a, g2b] = await both(pair, 'ACL', 'GETUSER', `u${i}`);
      expect(normalizeRules(g2a), rules.join(' ')).toBe(normalizeRules(g2b));
      const [g3a, g3b] = await both(pair3, 'ACL', 'GETUSER', `u${i}`);
      expect(normalizeRules(g3a), rules.join(' ')).toBe(normalizeRules(g3b));
    }
    const [la, lb] = await both(pair, 'ACL', 'LIST');
    expect(normalizeRules(la)).toBe(normalizeRules(lb));
    const [ua, ub] = await both(pair, 'ACL', 'USERS');
    expect(ua).toBe(ub);
    for (let i = 0; i < RULE_SETS.length; i++) await both(pair, 'ACL', 'DELUSER', `u${i}`);
  });

  it('refuses bad rules with the same errors', async () => {
    await servers.run([
      ['ACL', 'SETUSER', 'bad', '+nosuch'], ['ACL', 'SETUSER', 'bad', '-@nosuch'], ['ACL', 'SETUSER', 'bad', '~*', '~x'],
      ['ACL', 'SETUSER', 'bad', '&*', '&x'], ['ACL', 'SETUSER', 'bad', '#123'], ['ACL', 'SETUSER', 'bad', '!123'],
      ['ACL', 'SETUSER', 'bad', '<nope'], ['ACL', 'SETUSER', 'bad', '+config|get|x'], ['ACL', 'SETUSER', 'bad', '+get|'],
      ['ACL', 'SETUSER', 'bad', '%X~a'], ['ACL', 'SETUSER', 'bad', '(+get', '~x'], ['ACL', 'SETUSER', 'bad', 'what'],
      ['ACL', 'SETUSER', 'bad', '(+get ~x', 'nope)'], ['ACL', 'SETUSER', 'a b'], ['ACL', 'GETUSER', 'bad'],
      ['ACL', 'DELUSER', 'default'], ['ACL', 'CAT', 'nope'], ['ACL', 'CAT', 'a', 'b'], ['ACL', 'GENPASS', '0'],
      ['ACL', 'GENPASS', 'x'], ['ACL', 'LOG', 'x'], ['ACL', 'HELP', 'x'], ['ACL', 'NOSUCH'], ['ACL', 'LOAD'],
      ['ACL', 'SAVE'], ['ACL', 'DRYRUN', 'nobody', 'get', 'x'], ['ACL', 'DRYRUN', 'default', 'nosuch'], ['ACL', 'DRYRUN', 'default', 'get'],
      // ACL CAT without a category is left out: cinnabar adds RedisJSON's @json to Redis 7.0's 21
      // (test/commands/acl.test.ts checks the list).
      ['ACL', 'WHOAMI'], ['AUTH', 'nobody', 'x'], ['ACL', 'SETUSER', 'bad', 'reset'], ['ACL', 'DELUSER', 'bad'],
    ]);
  });

  it('NOPERM texts, DRYRUN answers and CAT lists match', async () => {
    const setup = ['ACL', 'SETUSER', 'limited', 'on', '>pw', '+@read', '+set', '+publish', '+subscribe', '+psubscribe', '+multi', '+exec',
      '+eval', '~k*', '%W~w*', '&news*'];
    await servers.run([
      setup,
      ['ACL', 'DRYRUN', 'limited', 'get', 'k1'], ['ACL', 'DRYRUN', 'limited', 'get', 'x'], ['ACL', 'DRYRUN', 'limited', 'set', 'w1', 'v'],
      ['ACL', 'DRYRUN', 'limited', 'set', 'x', 'v'], ['ACL', 'DRYRUN', 'limited', 'del', 'k1'], ['ACL', 'DRYRUN', 'limited', 'publish', 'other', 'm'],
      ['ACL', 'DRYRUN', 'limited', 'psubscribe', 'news*'], ['ACL', 'DRYRUN', 'limited', 'psubscribe', 'news1'],
      ['ACL', 'DRYRUN', 'limited', 'config', 'get', 'x'], ['ACL', 'DRYRUN', 'limited', 'mget', 'k1', 'x', 'k2'],
      ['AUTH', 'limited', 'pw'],
      ['GET', 'k1'], ['GET', 'x'], ['SET', 'k1', 'v'], ['SET', 'w1', 'v'], ['DEL', 'k1'], ['CONFIG', 'GET', 'port'], ['PUBLISH', 'other', 'm'],
      ['PUBLISH', 'news1', 'm'], ['MULTI'], ['GET', 'x'], ['GET', 'k1'], ['EXEC'],
      ['EVAL', "return redis.call('get', 'x')", '0'], ['EVAL', "return redis.call('del', 'k1')", '0'],
      ['EVAL', "return redis.call('publish', 'other', 'm')", '0'], ['EVAL', "return redis.acl_check_cmd('get', 'k9')", '0'],
      ['SUBSCRIBE', 'news1', 'other'],
    ]);
    // Commands this node does not have yet (MIGRATE, RESTORE-ASKING, LOLWUT...) are left out.
    const lister = await servers.connect();
    const [ourList, theirList] = await both(lister, 'COMMAND', 'LIST');
    const listed = (reply: string): Set<string> => new Set(reply.split('\r\n').filter((l) => l !== '' && !l.startsWith('$') && !l.startsWith('*')));
    const ourNames = listed(ourList);
    const theirNames = listed(theirList);
    for (const category of ['keyspace', 'read', 'write', 'set', 'string', 'pubsub', 'admin', 'fast', 'slow', 'dangerous', 'connection', 'scripting']) {
      const pair = await servers.connect();
      const [a, b] = await both(pair, 'ACL', 'CAT', category);
      // Redis lists a category's commands in hash table order: compare them as sets.
      const names = (reply: string): string[] => reply.split('\r\n').filter((l, i, all) => all[i - 1]?.startsWith('$')).sort();
      const common = (n: string): boolean => ourNames.has(n) && theirNames.has(n);
      expect(names(a).filter(common), category).toEqual(names(b).filter(common));
      pair.ours.close();
      pair.theirs.close();
    }
  });

  it('ACL LOG entries carry the same fields', async () => {
    const pair = await servers.connect();
    await both(pair, 'ACL', 'LOG', 'RESET');
    await both(pair, 'ACL', 'SETUSER', 'logged', 'on', '>pw', '+get', '+publish', '+multi', '+exec', '+eval', '~k*');
    const user = await servers.connect();
    for (const step of [
      ['AUTH', 'logged', 'wrong'], ['AUTH', 'logged', 'pw'], ['GET', 'x'], ['GET', 'x'], ['SET', 'k', 'v'], ['PUBLISH', 'chan', 'm'],
      ['MULTI'], ['GET', 'y'], ['DISCARD'], ['EVAL', "return redis.call('get', 'z')", '0'], ['CLIENT', 'ID'],
    ]) {
      const [a, b] = await both(user, ...step);
      expect(a.replace(/^:\d+/, ':id'), step.join(' ')).toBe(b.replace(/^:\d+/, ':id'));
    }
    for (const resp of [2, 3] as const) {
      const reader = await servers.connect(resp);
      const [a, b] = await both(reader, 'ACL', 'LOG');
      expect(normalizeLog(a), `RESP${resp}`).toBe(normalizeLog(b));
      const [c, d] = await both(reader, 'ACL', 'LOG', '2');
      expect(normalizeLog(c)).toBe(normalizeLog(d));
    }
  });
});
